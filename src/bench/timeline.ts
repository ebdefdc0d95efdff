/**
 * Ops per node per second of the measured phase, for the HTML report's throughput chart.
 * Counts are read from NodeStats once a second; the difference is that second's ops.
 */
import type { NodeStats } from './stats.js';

export interface TimelinePoint {
  /** Seconds since the measured phase started, at the end of the interval. */
  tS: number;
  opsPerSec: Record<string, number>;
  /** Latest replication offset lag (bytes) per replica at the end of the interval. */
  lagBytes: Record<string, number>;
}

export class TimelineSampler {
  readonly points: TimelinePoint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = new Map<string, number>();
  private lastAt = 0;

  constructor(
    /** The figures now (a function: with --threads the merged map is rebuilt from the threads' latest). */
    private readonly stats: () => Map<string, NodeStats>,
    private readonly t0: number,
    private readonly offsetLag: Map<string, number[]> = new Map(),
  ) {}

  start(intervalMs = 1000): void {
    this.lastAt = this.t0;
    for (const [id, s] of this.stats()) this.last.set(id, s.ops);
    this.timer = setInterval(() => this.sample(performance.now()), intervalMs);
    this.timer.unref();
  }

  sample(now: number): void {
    const seconds = Math.max(1e-3, (now - this.lastAt) / 1000);
    const opsPerSec: Record<string, number> = {};
    for (const [id, s] of this.stats()) {
      opsPerSec[id] = Math.round((s.ops - (this.last.get(id) ?? 0)) / seconds);
      this.last.set(id, s.ops);
    }
    const lagBytes: Record<string, number> = {};
    for (const [id, samples] of this.offsetLag) if (samples.length > 0) lagBytes[id] = samples[samples.length - 1]!;
    this.lastAt = now;
    this.points.push({ tS: Math.round(((now - this.t0) / 1000) * 1000) / 1000, opsPerSec, lagBytes });
  }

  /** Stops sampling; the partial last interval is kept when it is at least 0.2 s long. */
  stop(now = performance.now()): TimelinePoint[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (now - this.lastAt >= 200) this.sample(now);
    return this.points;
  }
}
