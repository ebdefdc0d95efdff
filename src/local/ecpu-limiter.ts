/**
 * ECPUs as ElastiCache Serverless bills them, and a token bucket that caps them per second
 * (CacheUsageLimits.ECPUPerSecond.Maximum). A simple command costs 1 ECPU per KB it
 * transfers (request plus reply), at least 1. Pure: the clock is passed in.
 */

export const BYTES_PER_ECPU = 1024;

/** ECPUs of a command that moved `bytes` bytes in all (at least 1). */
export function ecpusFor(bytes: number): number {
  return Math.max(1, bytes / BYTES_PER_ECPU);
}

export class EcpuLimiter {
  private tokens: number;
  private last: number;

  /** `perSecond` ECPUs refill each second; a burst may use one second's worth at once. */
  constructor(
    readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = perSecond;
    this.last = now();
  }

  /**
   * Admits a command that costs `ecpus` when the bucket holds that much (or a full
   * second's worth, for commands bigger than one second allows) and takes it; false: throttled.
   */
  take(ecpus: number): boolean {
    this.refill();
    if (this.tokens < Math.min(ecpus, this.perSecond)) return false;
    this.tokens -= ecpus;
    return true;
  }

  /** Takes ECPUs already spent (a reply bigger than its request); the bucket may go into debt. */
  charge(ecpus: number): void {
    if (ecpus <= 0) return;
    this.refill();
    this.tokens -= ecpus;
  }

  private refill(): void {
    const now = this.now();
    const elapsedSeconds = (now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.perSecond, this.tokens + elapsedSeconds * this.perSecond);
  }
}
