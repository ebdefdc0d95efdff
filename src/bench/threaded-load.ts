/**
 * The load split over N worker threads (--threads): each thread gets a share of every
 * node's connections (and of --rate and --requests) and keeps its own histograms; this
 * side merges them exactly (bucket counts summed). It offers what run.ts uses of a
 * Workload, so run.ts picks one or the other and the rest of a run is unchanged.
 */
import { performance } from 'node:perf_hooks';
import { Workload, type LoadNode, type WorkloadOptions } from './workload.js';
import { LoadThread, mergeNodeStats } from './load-thread.js';
import type { NodeStats } from './stats.js';

/** Splits `total` into `parts` integers that differ by at most one. */
export function splitEvenly(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

/** The --requests limit, shared out as the threads are told. */
class ThreadedControl {
  onLimitReached?: () => void;
  private requests = Number.POSITIVE_INFINITY;
  constructor(private readonly owner: ThreadedWorkload) {}
  get limit(): number {
    return this.requests;
  }
  set limit(requests: number) {
    this.requests = requests;
    this.owner.shareLimit(requests);
  }
}

export class ThreadedWorkload {
  readonly control = new ThreadedControl(this);
  /** Merged per node; refreshed from the threads' progress (4×/s) and at the end. */
  stats = new Map<string, NodeStats>();
  private readonly local: Workload;
  private readonly threads: LoadThread[];
  private origin = 0;

  constructor(
    readonly nodes: LoadNode[],
    readonly options: WorkloadOptions,
    threadCount: number,
  ) {
    // In-process only for the prefill and the key names; it opens no load connections.
    this.local = new Workload(nodes, options);
    this.stats = this.local.stats;
    this.threads = splitEvenly(options.clients, threadCount)
      .filter((n) => n > 0)
      .map(
        (clients) => new LoadThread(nodes, { ...options, clients, rate: (options.rate * clients) / options.clients }),
      );
  }

  get keyspace(): Workload['keyspace'] {
    return this.local.keyspace;
  }

  get connectionCount(): number {
    return this.threads.reduce((sum, t) => sum + t.connections, 0);
  }

  prefill(primaries: LoadNode | LoadNode[]): Promise<void> {
    return this.local.prefill(primaries);
  }

  lastPrefilledKey(node: LoadNode): string | undefined {
    return this.local.lastPrefilledKey(node);
  }

  /** Resolves once every thread is booted and prepared, so start() sets the load off at once. */
  async ready(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.ready));
  }

  start(): void {
    for (const thread of this.threads) thread.start();
    this.refresh();
  }

  beginMeasuring(now = performance.now()): void {
    this.origin = now;
    for (const thread of this.threads) thread.beginMeasuring(now);
  }

  shareLimit(requests: number): void {
    const parts = splitEvenly(requests, this.threads.length);
    let pending = this.threads.length;
    this.threads.forEach((thread, i) => {
      thread.onLimit = () => {
        if (--pending === 0) this.control.onLimitReached?.();
      };
      thread.limit(parts[i]!);
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.end('stop')));
    this.refresh();
  }

  abort(): void {
    for (const thread of this.threads) void thread.end('abort');
  }

  /** The figures so far, per node, merged from the threads' latest progress (4×/s). */
  latestStats(): Map<string, NodeStats> {
    this.refresh();
    return this.stats;
  }

  totals(): { ops: number; errors: number } {
    this.refresh();
    let ops = 0;
    let errors = 0;
    for (const stats of this.stats.values()) {
      ops += stats.ops;
      errors += stats.errors;
    }
    return { ops, errors };
  }

  /** Per node and per thread (for tests and the report's consistency checks). */
  perThread(): Array<Map<string, NodeStats>> {
    return this.threads.map((t) => new Map([...t.latest].map(([id, s]) => [id, mergeNodeStats([s], this.origin)])));
  }

  private refresh(): void {
    const merged = new Map<string, NodeStats>();
    for (const node of this.nodes) {
      merged.set(
        node.id,
        mergeNodeStats(
          this.threads.flatMap((t) => (t.latest.has(node.id) ? [t.latest.get(node.id)!] : [])),
          this.origin,
        ),
      );
    }
    this.stats = merged;
  }
}
