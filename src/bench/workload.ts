/**
 * The load: `clients` connections per node, what each one sends, and the phases of a
 * run (prefill → warmup → measure → drain). Which node gets what:
 *   - the primary's connections follow --ratio SET:GET (GETs only with --read-from
 *     primary or all; with --read-from replicas they send only the SETs);
 *   - each replica's connections send GETs (replicas refuse writes), with --read-from
 *     replicas or all.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyPicker, Keyspace, RatioSequence, type KeyPattern } from './keyspace.js';
import { LoadConnection, RunControl, type NodeAddress } from './load-connection.js';
import { NodeStats } from './stats.js';

export type ReadFrom = 'primary' | 'replicas' | 'all';

export interface LoadNode {
  id: string;
  role: 'primary' | 'replica';
  address: NodeAddress;
}

/** What the load looks like: the validated flags (BenchSettings) and the Workload share it. */
export interface LoadShape {
  clients: number;
  pipeline: number;
  sets: number;
  gets: number;
  dataSize: number;
  keyMaximum: number;
  keyPattern: KeyPattern;
  readFrom: ReadFrom;
  /** Total ops/s over all connections; 0 = closed loop (as fast as the window allows). */
  rate: number;
}

export interface WorkloadOptions extends LoadShape {
  keyPrefix: string;
  ttlMs: number;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
}

/** What one node's connections send: SET:GET counts, or undefined for no load. */
export function nodeMix(
  role: 'primary' | 'replica',
  options: Pick<WorkloadOptions, 'sets' | 'gets' | 'readFrom'>,
): { sets: number; gets: number } | undefined {
  if (role === 'replica') {
    return options.readFrom === 'primary' || options.gets === 0 ? undefined : { sets: 0, gets: 1 };
  }
  const gets = options.readFrom === 'replicas' ? 0 : options.gets;
  if (options.sets + gets === 0) return undefined;
  return { sets: options.sets, gets };
}

/** The SET value: printable, deterministic, reused for every write. */
export function benchValue(size: number): Buffer {
  const value = Buffer.alloc(size);
  for (let i = 0; i < size; i++) value[i] = 97 + (i % 26);
  return value;
}

export class Workload {
  readonly control = new RunControl();
  readonly stats = new Map<string, NodeStats>();
  readonly keyspace: Keyspace;
  private readonly connections: LoadConnection[] = [];
  private ticker?: NodeJS.Timeout;

  constructor(
    readonly nodes: LoadNode[],
    readonly options: WorkloadOptions,
  ) {
    this.keyspace = new Keyspace({
      prefix: options.keyPrefix,
      keyMaximum: options.keyMaximum,
      value: benchValue(options.dataSize),
      ttlMs: options.ttlMs,
    });
    for (const node of nodes) this.stats.set(node.id, new NodeStats());
  }

  /** Connections that will send load. */
  get connectionCount(): number {
    return this.connections.length;
  }

  /**
   * Writes every key once (sequentially, one deeply pipelined connection) so GETs hit,
   * without recording anything.
   */
  async prefill(primary: LoadNode, timeoutMs = 120_000): Promise<void> {
    const control = new RunControl();
    control.recording = true;
    control.limit = this.options.keyMaximum;
    const done = new Promise<void>((resolve) => (control.onLimitReached = resolve));
    const stats = new NodeStats();
    const connection = new LoadConnection(
      primary.address,
      {
        keyspace: this.keyspace,
        keys: new KeyPicker('S', this.options.keyMaximum),
        ratio: new RatioSequence(1, 0),
        pipeline: 256,
        ratePerSecond: 0,
        requestTimeoutMs: this.options.requestTimeoutMs,
        connectTimeoutMs: this.options.connectTimeoutMs,
      },
      stats,
      control,
    );
    connection.start();
    const timer = setInterval(() => connection.tick(performance.now()), 250);
    try {
      const timeout = sleep(timeoutMs, 'timeout' as const, { ref: false });
      const outcome = await Promise.race([done.then(() => 'done' as const), timeout]);
      if (outcome === 'timeout') {
        throw new Error(
          `prefill of ${this.options.keyMaximum} keys did not finish within ${timeoutMs / 1000} s (${stats.lastError ?? 'no error'})`,
        );
      }
      if (stats.errors > 0) throw new Error(`prefill failed on ${primary.id}: ${stats.lastError ?? 'error'}`);
    } finally {
      clearInterval(timer);
      connection.close();
    }
  }

  /** Opens every load connection; they start sending (unrecorded) at once. */
  start(): void {
    const total = this.nodes.reduce(
      (sum, node) => sum + (nodeMix(node.role, this.options) ? this.options.clients : 0),
      0,
    );
    const perConnectionRate = this.options.rate > 0 && total > 0 ? this.options.rate / total : 0;
    for (const node of this.nodes) {
      const mix = nodeMix(node.role, this.options);
      if (!mix) continue;
      const stats = this.stats.get(node.id)!;
      for (let c = 0; c < this.options.clients; c++) {
        const start = Math.floor((c * this.options.keyMaximum) / this.options.clients);
        const connection = new LoadConnection(
          node.address,
          {
            keyspace: this.keyspace,
            keys: new KeyPicker(this.options.keyPattern, this.options.keyMaximum, start),
            ratio: new RatioSequence(mix.sets, mix.gets),
            // Open loop allows a backlog so a slow server shows as latency, not as a lower rate.
            pipeline: perConnectionRate > 0 ? Math.max(this.options.pipeline, 1024) : this.options.pipeline,
            ratePerSecond: perConnectionRate,
            requestTimeoutMs: this.options.requestTimeoutMs,
            connectTimeoutMs: this.options.connectTimeoutMs,
          },
          stats,
          this.control,
        );
        this.connections.push(connection);
        connection.start();
      }
    }
    const period = perConnectionRate > 0 ? 1 : 100;
    this.ticker = setInterval(() => {
      const now = performance.now();
      for (const connection of this.connections) connection.tick(now);
    }, period);
  }

  /** From now on everything counts (the end of warmup). */
  beginMeasuring(now = performance.now()): void {
    for (const stats of this.stats.values()) stats.resetCounters(now);
    this.control.issued = 0;
    this.control.completed = 0;
    this.control.recording = true;
  }

  /** Stops issuing and waits (briefly) for in-flight requests, then closes everything. */
  async stop(drainMs = 2000): Promise<void> {
    this.control.stopping = true;
    const deadline = performance.now() + drainMs;
    while (performance.now() < deadline && this.connections.some((c) => c.inFlight > 0)) await sleep(5);
    this.control.recording = false;
    if (this.ticker) clearInterval(this.ticker);
    for (const connection of this.connections) connection.close();
  }

  /** Stops without waiting (Ctrl-C, errors). */
  abort(): void {
    this.control.stopping = true;
    this.control.recording = false;
    if (this.ticker) clearInterval(this.ticker);
    for (const connection of this.connections) connection.close();
  }

  totals(): { ops: number; errors: number } {
    let ops = 0;
    let errors = 0;
    for (const stats of this.stats.values()) {
      ops += stats.ops;
      errors += stats.errors;
    }
    return { ops, errors };
  }
}
