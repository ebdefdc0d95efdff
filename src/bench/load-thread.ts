/**
 * The main-thread side of one load worker (load-worker.ts), and how one node's figures
 * cross between threads: counters plus the histograms' bucket counts (typed arrays), so
 * merging is an exact sum of counts, never an average of percentiles.
 */
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { HistogramSnapshot } from './histogram.js';
import { NodeStats, type UnavailableInterval } from './stats.js';
import type { LoadWorkerMessage, LoadWorkerRequest } from './load-worker.js';
import type { LoadNode, WorkloadOptions } from './workload.js';

export interface NodeStatsSnapshot {
  ops: number;
  sets: number;
  gets: number;
  hits: number;
  misses: number;
  errors: number;
  moved: number;
  ask: number;
  throttled: number;
  setLatency: HistogramSnapshot;
  getLatency: HistogramSnapshot;
  /** Relative to the main thread's measurement start (converted through epoch time). */
  unavailable: UnavailableInterval[];
  lastError?: string;
}

export function snapshotNodeStats(stats: NodeStats): NodeStatsSnapshot {
  return {
    ops: stats.ops,
    sets: stats.sets,
    gets: stats.gets,
    hits: stats.hits,
    misses: stats.misses,
    errors: stats.errors,
    moved: stats.moved,
    ask: stats.ask,
    throttled: stats.throttled,
    setLatency: stats.setLatency.snapshot(),
    getLatency: stats.getLatency.snapshot(),
    unavailable: stats.unavailable.map((u) => ({ ...u })),
    ...(stats.lastError !== undefined ? { lastError: stats.lastError } : {}),
  };
}

/** Sums the threads' figures for one node: counters added, histogram buckets added. */
export function mergeNodeStats(parts: NodeStatsSnapshot[], origin: number): NodeStats {
  const merged = new NodeStats();
  merged.origin = origin;
  for (const part of parts) {
    merged.ops += part.ops;
    merged.sets += part.sets;
    merged.gets += part.gets;
    merged.hits += part.hits;
    merged.misses += part.misses;
    merged.errors += part.errors;
    merged.moved += part.moved;
    merged.ask += part.ask;
    merged.throttled += part.throttled;
    merged.setLatency.addSnapshot(part.setLatency);
    merged.getLatency.addSnapshot(part.getLatency);
    if (part.lastError !== undefined) merged.lastError = part.lastError;
  }
  // Each thread saw the node go down; one window per overlapping set of threads' windows.
  const windows = parts.flatMap((p) => p.unavailable).sort((a, b) => a.startMs - b.startMs);
  for (const w of windows) {
    const last = merged.unavailable[merged.unavailable.length - 1];
    if (last && (last.endMs === undefined || w.startMs <= last.endMs)) {
      if (last.endMs !== undefined) last.endMs = w.endMs === undefined ? undefined : Math.max(last.endMs, w.endMs);
      if (last.endMs === undefined) delete last.endMs;
    } else {
      merged.unavailable.push({ ...w });
    }
  }
  return merged;
}

export class LoadThread {
  /** Latest figures from this thread, per node id. */
  latest = new Map<string, NodeStatsSnapshot>();
  connections = 0;
  onLimit?: () => void;
  private readonly worker: Worker;
  private finished?: Promise<void>;
  /** Resolves once the thread is booted and prepared (or has ended, or after 30 s); rejects if it failed to start. */
  readonly ready: Promise<void>;

  /**
   * Boots the thread and hands it its share (it idles until start): boot time, and a cluster's
   * routing (hash slots of every key, ioredis), then overlap the prefill, not the load.
   */
  constructor(nodes: LoadNode[], options: WorkloadOptions) {
    this.worker = new Worker(new URL('./load-worker.js', import.meta.url));
    this.worker.on('message', (message: LoadWorkerMessage) => {
      if (message.type === 'progress' || message.type === 'result') {
        this.latest = new Map(message.stats);
        this.connections = message.connections;
      } else if (message.type === 'limit') {
        this.onLimit?.();
      }
    });
    this.worker.on('error', () => undefined);
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, 30_000);
      timer.unref();
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.worker.on('message', (message: LoadWorkerMessage) => {
        if (message.type === 'ready') done();
      });
      // A thread that cannot start (its file missing from an install, a load error) fails the
      // run now: otherwise a --requests run waits forever for requests nobody sends.
      this.worker.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`a load thread did not start: ${error.message}`));
      });
      this.worker.once('exit', done);
    });
    // Handled here so an abort before anyone awaits it is not an unhandled rejection.
    this.ready.catch(() => undefined);
    this.send({ type: 'init', nodes, options });
  }

  start(): void {
    this.send({ type: 'start' });
  }

  beginMeasuring(now: number): void {
    this.send({ type: 'measure', atEpochMs: performance.timeOrigin + now });
  }

  limit(requests: number): void {
    this.send({ type: 'limit', requests });
  }

  /** Drains (stop) or drops (abort) the load, collects the final figures, ends the thread. */
  end(how: 'stop' | 'abort'): Promise<void> {
    this.finished ??= this.collect(how);
    return this.finished;
  }

  private async collect(how: 'stop' | 'abort'): Promise<void> {
    const worker = this.worker;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5000);
      worker.on('message', (message: LoadWorkerMessage) => {
        if (message.type === 'result') {
          clearTimeout(timer);
          resolve();
        }
      });
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.send({ type: how });
    });
    await worker.terminate();
  }

  private send(request: LoadWorkerRequest): void {
    this.worker.postMessage(request);
  }
}
