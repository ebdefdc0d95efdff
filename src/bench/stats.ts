/**
 * What the load records per node: counters, latency histograms (µs) and the intervals
 * during which the node could not be reached. Pure: no I/O.
 */
import { HdrHistogram } from './histogram.js';

export interface UnavailableInterval {
  /** ms since the run's measurement started (may be negative during warmup). */
  startMs: number;
  /** Undefined while still unavailable at the end of the run. */
  endMs?: number;
  reason: string;
}

export class NodeStats {
  ops = 0;
  sets = 0;
  gets = 0;
  hits = 0;
  misses = 0;
  errors = 0;
  /** Cluster redirections this node answered with (MOVED, ASK); the request was retried where it pointed. */
  moved = 0;
  ask = 0;
  /**
   * Requests a serverless cache refused at its ECPU/s limit (usage limits): answered, not
   * failed, so counted apart from errors, and neither in ops nor in the latency.
   */
  throttled = 0;
  readonly setLatency = new HdrHistogram();
  readonly getLatency = new HdrHistogram();
  readonly unavailable: UnavailableInterval[] = [];
  lastError?: string;
  /** performance.now() at which the measured phase started; intervals are relative to it. */
  origin = 0;
  private down = false;

  /** Forgets everything counted so far (end of warmup); unavailability keeps its history. */
  resetCounters(origin: number): void {
    this.ops = this.sets = this.gets = this.hits = this.misses = this.errors = this.moved = this.ask = 0;
    this.throttled = 0;
    this.setLatency.reset();
    this.getLatency.reset();
    this.origin = origin;
  }

  get isDown(): boolean {
    return this.down;
  }

  /** A connection failed or a request was lost: opens an unavailability interval if none is open. */
  markFailure(now: number, reason: string): void {
    this.lastError = reason;
    if (this.down) return;
    this.down = true;
    this.unavailable.push({ startMs: now - this.origin, reason });
  }

  /** A reply came back: closes the open interval (first success after the first failure). */
  markSuccess(now: number): void {
    if (!this.down) return;
    this.down = false;
    const open = this.unavailable[this.unavailable.length - 1];
    if (open && open.endMs === undefined) open.endMs = now - this.origin;
  }

  /** One answered request: `isSet` SET or GET, latency in µs, outcome 0 ok, 1 hit, 2 miss. */
  record(isSet: boolean, micros: number, outcome: number): void {
    this.ops++;
    if (isSet) {
      this.sets++;
      this.setLatency.record(micros);
    } else {
      this.gets++;
      this.getLatency.record(micros);
      if (outcome === 1) this.hits++;
      else if (outcome === 2) this.misses++;
    }
  }

  /** Both commands' latencies in one histogram (merged, never averaged). */
  latency(): HdrHistogram {
    const merged = this.setLatency.copy();
    merged.add(this.getLatency);
    return merged;
  }
}

/**
 * A throttling reply: ElastiCache Serverless refuses a request over its ECPUPerSecond
 * maximum with an error naming throttling (AWS does not document the exact text).
 */
export function isThrottled(message: string): boolean {
  return /\bthrottl/i.test(message);
}

/** The longest pause between tries of something a serverless cache throttled: its limit refills within a second. */
export const THROTTLED_MAX_PAUSE_MS = 1000;

/**
 * How long to wait before try `attempt` + 1 of something a serverless cache throttled:
 * 25 ms doubling up to 1 s; undefined after 20 tries (about 15 s in all), when to give up.
 */
export function throttledRetryPause(attempt: number): number | undefined {
  return attempt >= 20 ? undefined : Math.min(THROTTLED_MAX_PAUSE_MS, 25 * 2 ** attempt);
}
