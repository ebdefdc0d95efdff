/**
 * The load: `clients` connections per node, what each one sends, and the phases of a
 * run (prefill → warmup → measure → drain). Which node gets what:
 *   - the primary's connections follow --ratio SET:GET (GETs only with --read-from
 *     primary or all; with --read-from replicas they send only the SETs);
 *   - each replica's connections send GETs (replicas refuse writes), with --read-from
 *     replicas or all.
 * In a cluster (options.cluster) the same holds per shard, and each node's connections
 * send only the keys of the slots it serves (cluster-routing.ts); MOVED and ASK replies are
 * retried where they point and counted, not reported as errors.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterRouter, ClusterRouting } from './cluster-routing.js';
import { KeyPicker, Keyspace, RatioSequence, type KeyPattern } from './keyspace.js';
import { LoadConnection, RunControl, type NodeAddress, type RedirectHandler } from './load-connection.js';
import { OpenLoopClock } from './schedule.js';
import { NodeStats, THROTTLED_MAX_PAUSE_MS, throttledRetryPause } from './stats.js';

export type ReadFrom = 'primary' | 'replicas' | 'all';

export interface LoadNode {
  id: string;
  role: 'primary' | 'replica';
  address: NodeAddress;
  /** Cluster: the shard (node group) the node belongs to, e.g. "0001". */
  shard?: string;
  /** Cluster: the node's id in CLUSTER SLOTS (absent for a reader endpoint outside the slot map). */
  clusterId?: string;
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
  /** Cluster mode: route by hash slot (absent: every node holds every key). */
  cluster?: ClusterRouting;
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
  private readonly byNode = new Map<string, LoadConnection[]>();
  private ticker?: NodeJS.Timeout;
  private clock?: OpenLoopClock;
  private perConnectionRate = 0;
  /** Cluster mode: set by prepare() (loaded on demand: a load thread without a cluster never loads ioredis). */
  private router?: ClusterRouter;
  private readonly value: Buffer;

  constructor(
    readonly nodes: LoadNode[],
    readonly options: WorkloadOptions,
  ) {
    this.value = benchValue(options.dataSize);
    this.keyspace = new Keyspace({
      prefix: options.keyPrefix,
      keyMaximum: options.keyMaximum,
      value: this.value,
      ttlMs: options.ttlMs,
    });
    for (const node of nodes) this.stats.set(node.id, new NodeStats());
  }

  /** Cluster mode: loads the slot routing (before prefill or start). */
  async prepare(): Promise<void> {
    if (!this.options.cluster || this.router) return;
    const { ClusterRouter } = await import('./cluster-routing.js');
    this.router ??= new ClusterRouter(this.nodes, this.options.cluster, this.keyspace, {
      stats: this.stats,
      control: this.control,
      value: this.value,
      ttlMs: this.options.ttlMs,
    });
    this.router.onChange = () => this.replan();
  }

  /** Ready to start (ThreadedWorkload: every thread booted); here, the cluster routing loaded. */
  ready(): Promise<void> {
    return this.prepare();
  }

  /** The node's role now and the key indexes it serves (undefined: all of them). */
  assignment(node: LoadNode): { role: 'primary' | 'replica'; keys?: Uint32Array } {
    return this.router?.assignments.get(node.id) ?? { role: node.role };
  }

  /** The key a node's prefill writes last (replication is in order: a replica with it has them all). */
  lastPrefilledKey(node: LoadNode): string | undefined {
    const keys = this.assignment(node).keys;
    if (!keys) return this.keyspace.keyName(this.options.keyMaximum - 1);
    return keys.length > 0 ? this.keyspace.keyName(keys[keys.length - 1]!) : undefined;
  }

  /** Connections that will send load. */
  get connectionCount(): number {
    return this.connections.length;
  }

  /**
   * Writes every key once (sequentially, one deeply pipelined connection) so GETs hit,
   * without recording anything.
   */
  async prefill(primaries: LoadNode | LoadNode[], timeoutMs = 120_000): Promise<void> {
    await this.prepare();
    // In a cluster each shard's primary writes its own keys, all shards at once.
    await Promise.all((Array.isArray(primaries) ? primaries : [primaries]).map((p) => this.prefillNode(p, timeoutMs)));
  }

  private async prefillNode(primary: LoadNode, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    const timedOut = (stats: NodeStats, count: number) =>
      new Error(
        `prefill of ${count} keys on ${primary.id} did not finish within ${timeoutMs / 1000} s (${stats.lastError ?? 'no error'})`,
      );
    // A serverless cache refuses SETs over its ECPU/s limit: those keys are written again
    // once it refills, backing off while a pass gets nothing through (GETs of a key never
    // written would miss, and bench would wait for a reader to catch up with it).
    let keys = this.assignment(primary).keys;
    let stalled = 0;
    for (let attempt = 0; ; attempt++) {
      const pass = await this.prefillPass(primary, keys, deadline);
      if (pass.outcome === 'timeout') throw timedOut(pass.stats, pass.count);
      if (pass.stats.errors > 0) throw new Error(`prefill failed on ${primary.id}: ${pass.stats.lastError ?? 'error'}`);
      if (pass.throttled.length === 0) return;
      // Given up as whileThrottled gives up, but counting only passes that wrote no key.
      stalled = pass.throttled.length < pass.count ? 0 : stalled + 1;
      const pause = throttledRetryPause(attempt) ?? THROTTLED_MAX_PAUSE_MS;
      if (throttledRetryPause(stalled) === undefined || performance.now() + pause > deadline) {
        throw new Error(
          `prefill on ${primary.id}: ${pass.throttled.length} keys still throttled at the cache's ECPU/s limit (${pass.stats.lastError ?? 'throttled'})`,
        );
      }
      await sleep(pause);
      keys = Uint32Array.from(pass.throttled);
    }
  }

  /** Writes `keys` (all: undefined) once on one deeply pipelined connection; says which were throttled. */
  private async prefillPass(
    primary: LoadNode,
    keys: Uint32Array | undefined,
    deadline: number,
  ): Promise<{ outcome: 'done' | 'timeout'; stats: NodeStats; count: number; throttled: number[] }> {
    const count = keys ? keys.length : this.options.keyMaximum;
    const stats = new NodeStats();
    const throttled: number[] = [];
    if (count === 0) return { outcome: 'done', stats, count, throttled };
    const control = new RunControl();
    control.recording = true;
    control.limit = count;
    const done = new Promise<void>((resolve) => (control.onLimitReached = resolve));
    const connection = new LoadConnection(
      primary.address,
      {
        keyspace: this.keyspace,
        keys: new KeyPicker('S', count, 0, keys),
        ratio: new RatioSequence(1, 0),
        pipeline: 256,
        ratePerSecond: 0,
        requestTimeoutMs: this.options.requestTimeoutMs,
        connectTimeoutMs: this.options.connectTimeoutMs,
        onThrottled: (key) => throttled.push(key),
      },
      stats,
      control,
    );
    connection.start();
    const timer = setInterval(() => connection.tick(performance.now()), 250);
    try {
      const timeout = sleep(Math.max(0, deadline - performance.now()), 'timeout' as const, { ref: false });
      const outcome = await Promise.race([done.then(() => 'done' as const), timeout]);
      return { outcome, stats, count, throttled };
    } finally {
      clearInterval(timer);
      connection.close();
    }
  }

  /** What a node's connections send now: mix (undefined: nothing) and the keys to pick from. */
  private planOf(node: LoadNode): { mix?: { sets: number; gets: number }; keys?: Uint32Array; readOnly: boolean } {
    const { role, keys } = this.assignment(node);
    const mix = keys && keys.length === 0 ? undefined : nodeMix(role, this.options);
    return {
      ...(mix ? { mix } : {}),
      ...(keys ? { keys } : {}),
      readOnly: this.router !== undefined && role === 'replica',
    };
  }

  /** Connection c of `clients` starts at its share of the keys, so connections do not walk in step. */
  private picker(c: number, keys: Uint32Array | undefined): KeyPicker {
    const count = keys ? keys.length : this.options.keyMaximum;
    return new KeyPicker(this.options.keyPattern, count, Math.floor((c * count) / this.options.clients), keys);
  }

  /** Opens every load connection; they start sending (unrecorded) at once. */
  start(): void {
    if (this.options.cluster && !this.router)
      throw new Error('Workload.prepare() must run before start() in a cluster');
    if (this.control.stopping) return;
    const total = this.nodes.reduce((sum, node) => sum + (this.planOf(node).mix ? this.options.clients : 0), 0);
    this.perConnectionRate = this.options.rate > 0 && total > 0 ? this.options.rate / total : 0;
    for (const node of this.nodes) this.openConnections(node);
    if (this.perConnectionRate > 0) {
      // Open loop: sends on time (schedule.ts), and checks for unanswered requests as it goes.
      this.clock = new OpenLoopClock(this.connections);
      this.clock.start();
      return;
    }
    this.ticker = setInterval(() => {
      const now = performance.now();
      for (const connection of this.connections) connection.tick(now);
    }, 100);
  }

  private openConnections(node: LoadNode): void {
    const plan = this.planOf(node);
    if (!plan.mix) return;
    const stats = this.stats.get(node.id)!;
    const router = this.router;
    const onRedirect: RedirectHandler | undefined = router ? (r) => router.redirected(node, r) : undefined;
    const connections: LoadConnection[] = [];
    for (let c = 0; c < this.options.clients; c++) {
      const connection = new LoadConnection(
        node.address,
        {
          keyspace: this.keyspace,
          keys: this.picker(c, plan.keys),
          ratio: new RatioSequence(plan.mix.sets, plan.mix.gets),
          readOnly: plan.readOnly,
          ...(onRedirect ? { onRedirect } : {}),
          // Open loop allows a backlog so a slow server shows as latency, not as a lower rate.
          pipeline: this.perConnectionRate > 0 ? Math.max(this.options.pipeline, 1024) : this.options.pipeline,
          ratePerSecond: this.perConnectionRate,
          requestTimeoutMs: this.options.requestTimeoutMs,
          connectTimeoutMs: this.options.connectTimeoutMs,
        },
        stats,
        this.control,
      );
      connections.push(connection);
      this.connections.push(connection);
      connection.start();
    }
    this.byNode.set(node.id, connections);
  }

  /** The slot map changed: every node's connections take their new keys and role. */
  private replan(): void {
    if (this.control.stopping) return;
    for (const node of this.nodes) {
      const connections = this.byNode.get(node.id);
      if (!connections) {
        this.openConnections(node);
        continue;
      }
      const plan = this.planOf(node);
      for (const [c, connection] of connections.entries()) {
        connection.retarget(
          this.picker(c, plan.keys),
          plan.mix ? new RatioSequence(plan.mix.sets, plan.mix.gets) : null,
          plan.readOnly,
        );
      }
    }
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
    while (
      performance.now() < deadline &&
      ((this.router?.redirectsInFlight ?? 0) > 0 || this.connections.some((c) => c.inFlight > 0))
    )
      await sleep(5);
    this.control.recording = false;
    if (this.ticker) clearInterval(this.ticker);
    this.clock?.stop();
    for (const connection of this.connections) connection.close();
    this.router?.close();
  }

  /** Stops without waiting (Ctrl-C, errors). */
  abort(): void {
    this.control.stopping = true;
    this.control.recording = false;
    if (this.ticker) clearInterval(this.ticker);
    this.clock?.stop();
    for (const connection of this.connections) connection.close();
    this.router?.close();
  }

  /**
   * The figures so far, per node. A node added to `nodes` from outside (run.ts adds those the
   * final slot map names: a replica that joined after the router's last look) took no load here:
   * empty figures, as ThreadedWorkload gives it.
   */
  latestStats(): Map<string, NodeStats> {
    for (const node of this.nodes) {
      if (this.stats.has(node.id)) continue;
      const stats = new NodeStats();
      stats.origin = this.stats.values().next().value?.origin ?? 0;
      this.stats.set(node.id, stats);
    }
    return this.stats;
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
