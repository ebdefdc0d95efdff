/**
 * Per second of the measured phase: ops per node (the HTML report's throughput chart)
 * and each node's latency histogram of that second (`--hdr-log` intervals, and what
 * distributed workers send so the controller can merge second by second). Counts are
 * read from NodeStats once a second; the difference is that second's.
 */
import { HdrHistogram } from './histogram.js';
import type { NodeStats } from './stats.js';

export interface TimelinePoint {
  /** Seconds since the measured phase started, at the end of the interval. */
  tS: number;
  opsPerSec: Record<string, number>;
  /** Latest replication offset lag (bytes) per replica at the end of the interval. */
  lagBytes: Record<string, number>;
  /** Worst replication lag (ms) per replica among the probes acknowledged in the interval. */
  lagMs?: Record<string, number>;
}

/**
 * Adds each second's worst probe lag (ms) per replica to the timeline points. Probe times
 * are epoch ms (they come from the probe thread); `t0Epoch` is the measurement start.
 */
export function addLagOverTime(
  points: TimelinePoint[],
  samples: Map<string, Array<[number, number]>>,
  t0Epoch: number,
): void {
  let fromS = 0;
  for (const point of points) {
    const lagMs: Record<string, number> = {};
    for (const [replica, list] of samples) {
      let worst = -1;
      for (const [at, lagUs] of list) {
        const s = (at - t0Epoch) / 1000;
        if (s >= fromS && s < point.tS && lagUs > worst) worst = lagUs;
      }
      if (worst >= 0) lagMs[replica] = round3(worst / 1000);
    }
    point.lagMs = lagMs;
    fromS = point.tS;
  }
}

/** One interval's latency histogram per node (µs, SETs and GETs together). */
export interface IntervalHistograms {
  /** Seconds since the measured phase started. */
  startS: number;
  lengthS: number;
  byNode: Map<string, HdrHistogram>;
}

export class TimelineSampler {
  readonly points: TimelinePoint[] = [];
  readonly intervals: IntervalHistograms[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = new Map<string, number>();
  private lastLatency = new Map<string, HdrHistogram>();
  private lastAt = 0;
  private loadEndedAt: number | undefined;

  /** `stats` is read each time: the threaded workload replaces its map on every refresh. */
  constructor(
    private readonly stats: () => Map<string, NodeStats>,
    private readonly t0: number,
    private readonly offsetLag: Map<string, number[]> = new Map(),
  ) {}

  start(intervalMs = 1000): void {
    this.lastAt = this.t0;
    for (const [id, s] of this.stats()) {
      this.last.set(id, s.ops);
      this.lastLatency.set(id, s.latency());
    }
    this.timer = setInterval(() => this.sample(performance.now()), intervalMs);
    this.timer.unref();
  }

  /** `pointAt` (≤ now): where the interval's ops/s point ends; its histograms run to `now`. */
  sample(now: number, pointAt = now): void {
    const seconds = Math.max(1e-3, (pointAt - this.lastAt) / 1000);
    const opsPerSec: Record<string, number> = {};
    const byNode = new Map<string, HdrHistogram>();
    for (const [id, s] of this.stats()) {
      opsPerSec[id] = Math.round((s.ops - (this.last.get(id) ?? 0)) / seconds);
      this.last.set(id, s.ops);
      const latency = s.latency();
      byNode.set(id, latency.since(this.lastLatency.get(id) ?? new HdrHistogram(latency.highestTrackableValue)));
      this.lastLatency.set(id, latency);
    }
    const lagBytes: Record<string, number> = {};
    for (const [id, samples] of this.offsetLag) if (samples.length > 0) lagBytes[id] = samples[samples.length - 1]!;
    const startS = (this.lastAt - this.t0) / 1000;
    this.intervals.push({
      startS: round3(startS),
      lengthS: round3(Math.max(1e-3, (now - this.lastAt) / 1000)),
      byNode,
    });
    this.lastAt = now;
    this.points.push({ tS: round3((pointAt - this.t0) / 1000), opsPerSec, lagBytes });
  }

  /**
   * The load stopped sending: no periodic sample from now on. What follows (the drain of
   * requests in flight, up to 2 s of redirections just after a failover; the final slot map
   * read) sends nothing, and a sample taken then read as a last second without ops.
   */
  loadStopped(at = performance.now()): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.loadEndedAt ??= at;
  }

  /**
   * Stops sampling, at `now`, once what was in flight has drained. The partial last interval
   * always keeps its histograms (the intervals add up to the whole run). Its ops/s point counts
   * what completed up to `now` over the time the load still sent (to loadStopped), and is kept
   * only when that was at least 0.2 s.
   */
  stop(now = performance.now()): TimelinePoint[] {
    this.loadStopped(now);
    if (now > this.lastAt) {
      const pointAt = Math.min(now, Math.max(this.lastAt, this.loadEndedAt!));
      const short = pointAt - this.lastAt < 200 && this.points.length > 0;
      this.sample(now, pointAt);
      if (short) this.points.pop();
    }
    return this.points;
  }
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
