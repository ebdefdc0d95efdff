/**
 * One replication group, for real: a redis-server per node, replicas fed through a
 * delay relay each, and two stable endpoints in front (primary and reader), like
 * ElastiCache's DNS names. The API side (elasticache-api.ts) drives it through this
 * class only.
 *
 *   primaryEndpoint ──► current primary ──► relay(n) ──► replica n   (one relay per node;
 *   readerEndpoint  ──► replicas, round robin                           the primary's is idle)
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DelayRelay } from './delay-relay.js';
import { RedisNode, type NodeTls } from './redis-node.js';
import { TcpProxy, type ProxyTarget } from './tcp-proxy.js';

export { killOrphans } from './orphans.js';

export interface RuntimeNode {
  nodeId: string;
  port: number;
  pid: number;
  role: 'primary' | 'replica';
}

export interface GroupRuntimeOptions {
  groupId: string;
  /** nodeIds[0] is the initial primary, e.g. ['demo-001','demo-002','demo-003']. */
  nodeIds: string[];
  /** Absolute path of redis-server or valkey-server. */
  engineBinary: string;
  host: string;
  /** A folder for this group: one sub-folder per node (config, log). */
  dataDir: string;
  /** requirepass + masterauth on every node, written into 0600 config files only. */
  authToken?: string;
  /** TLS on every node (and so through every endpoint and relay, which pass bytes through). */
  tls?: Omit<NodeTls, 'plainPort'>;
  /** Extra one-way latency of the primary→replica replication stream; 0 = none. */
  replicationDelayMs: number;
  log?: (line: string) => void;
}

interface NodeSlot {
  nodeId: string;
  dir: string;
  role: 'primary' | 'replica';
  process: RedisNode;
  /** Feeds this node when it is a replica; idle while it is the primary. */
  relay: DelayRelay;
}

/** How long failover waits for replicas to reach the primary's offset (ElastiCache waits too). */
const CATCH_UP_MS = 1000;

export class GroupRuntime {
  readonly groupId: string;
  readonly primaryEndpoint: { address: string; port: number };
  readonly readerEndpoint: { address: string; port: number };

  private readerCursor = 0;
  /** Older AUTH tokens still accepted while a token rotates (ROTATE); the newest is options.authToken. */
  private extraPasswords: string[] = [];
  private failingOver: Promise<unknown> | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly options: GroupRuntimeOptions,
    private readonly slots: NodeSlot[],
    private readonly primaryProxy: TcpProxy,
    private readonly readerProxy: TcpProxy,
  ) {
    this.groupId = options.groupId;
    this.primaryEndpoint = primaryProxy.address;
    this.readerEndpoint = readerProxy.address;
  }

  /**
   * Starts the primary, one relay per node, the replicas, then both endpoints.
   * Resolves when every process answers PING; on failure stops what it started.
   */
  static async start(options: GroupRuntimeOptions): Promise<GroupRuntime> {
    if (options.nodeIds.length === 0) throw new Error('a group needs at least one node');
    if (new Set(options.nodeIds).size !== options.nodeIds.length) throw new Error('node ids must be unique');
    if (!Number.isFinite(options.replicationDelayMs) || options.replicationDelayMs < 0) {
      throw new Error(`replicationDelayMs must be a number >= 0 (got ${options.replicationDelayMs})`);
    }
    const log = (line: string) => options.log?.(`${options.groupId}: ${line}`);
    const started: { nodes: RedisNode[]; relays: DelayRelay[]; proxies: TcpProxy[] } = {
      nodes: [],
      relays: [],
      proxies: [],
    };
    try {
      const [primaryId, ...replicaIds] = options.nodeIds;
      const primary = await RedisNode.start(nodeOptions(options, primaryId!, undefined));
      started.nodes.push(primary);
      const upstream = { host: options.host, port: primary.port };

      // allSettled, not all: on a failure every piece that did start must be stopped.
      const relays = settled(
        await Promise.allSettled(
          options.nodeIds.map((nodeId) =>
            DelayRelay.listen({
              host: options.host,
              upstream,
              delayMs: options.replicationDelayMs,
              name: `relay ${nodeId}`,
              log,
            }),
          ),
        ),
        started.relays,
      );

      // Replicas start in parallel: each one is independent of the others.
      const replicas = settled(
        await Promise.allSettled(
          replicaIds.map((nodeId, index) =>
            RedisNode.start(nodeOptions(options, nodeId, { host: options.host, port: relays[index + 1]!.port })),
          ),
        ),
        started.nodes,
      );

      const slots: NodeSlot[] = options.nodeIds.map((nodeId, index) => ({
        nodeId,
        dir: join(options.dataDir, nodeId),
        role: index === 0 ? 'primary' : 'replica',
        process: index === 0 ? primary : replicas[index - 1]!,
        relay: relays[index]!,
      }));

      let runtime: GroupRuntime | undefined;
      const primaryProxy = await TcpProxy.listen({
        host: options.host,
        pickTarget: () => runtime?.primaryTarget(),
        name: 'primary endpoint',
        log,
      });
      started.proxies.push(primaryProxy);
      const readerProxy = await TcpProxy.listen({
        host: options.host,
        pickTarget: () => runtime?.nextReaderTarget(),
        name: 'reader endpoint',
        log,
      });
      started.proxies.push(readerProxy);
      runtime = new GroupRuntime(options, slots, primaryProxy, readerProxy);
      log(
        `running: primary endpoint ${options.host}:${primaryProxy.port}, reader endpoint ${options.host}:${readerProxy.port}, ` +
          slots.map((slot) => `${slot.nodeId}=${slot.process.port}/${slot.role}`).join(' '),
      );
      return runtime;
    } catch (error) {
      await Promise.allSettled([...started.proxies, ...started.relays].map((closable) => closable.close()));
      await Promise.allSettled(started.nodes.map((node) => node.stop(1000)));
      throw error;
    }
  }

  nodes(): RuntimeNode[] {
    return this.slots.map((slot) => ({
      nodeId: slot.nodeId,
      port: slot.process.port,
      pid: slot.process.pid,
      role: slot.role,
    }));
  }

  /** Every live process this runtime started (for the state file / orphan cleanup). */
  pids(): number[] {
    return this.slots.filter((slot) => slot.process.alive).map((slot) => slot.process.pid);
  }

  /** Relay ports, one per node (diagnostics and tests). */
  relayPorts(): number[] {
    return this.slots.map((slot) => slot.relay.port);
  }

  /**
   * True when every replica reports master_link_status:up and the current primary
   * lists each of them as an online replica. (The second check closes the gap right
   * after a failover, when a replica may not yet have noticed that its relay dropped
   * the link to the old primary.)
   */
  async inSync(): Promise<boolean> {
    if (this.stopping) return false;
    const replicas = this.slots.filter((slot) => slot.role === 'replica');
    if (replicas.length === 0) return this.primarySlot().process.alive;
    try {
      const [primaryInfo, ...replicaInfos] = await Promise.all([
        this.primarySlot().process.info('replication'),
        ...replicas.map((slot) => slot.process.info('replication')),
      ]);
      const online = onlineReplicaPorts(primaryInfo!);
      return replicas.every(
        (slot, index) => replicaInfos[index]!.get('master_link_status') === 'up' && online.has(slot.process.port),
      );
    } catch {
      return false; // a node that does not answer is not in sync
    }
  }

  /**
   * IncreaseReplicaCount: a new replica (its own relay, replicaof the current primary
   * through it). Resolves once it runs; poll inSync() for its first sync.
   */
  async addReplica(nodeId: string): Promise<void> {
    if (this.stopping) throw new Error(`group ${this.groupId} is stopped`);
    if (this.slots.some((slot) => slot.nodeId === nodeId))
      throw new Error(`${nodeId} is already in group ${this.groupId}`);
    const log = (line: string) => this.options.log?.(`${this.groupId}: ${line}`);
    const relay = await DelayRelay.listen({
      host: this.options.host,
      upstream: { host: this.options.host, port: this.primarySlot().process.port },
      delayMs: this.options.replicationDelayMs,
      name: `relay ${nodeId}`,
      log,
    });
    try {
      const process = await RedisNode.start(
        nodeOptions(this.options, nodeId, { host: this.options.host, port: relay.port }),
      );
      this.slots.push({ nodeId, dir: join(this.options.dataDir, nodeId), role: 'replica', process, relay });
      log(`added replica ${nodeId}=${process.port}`);
    } catch (error) {
      await relay.close();
      throw error;
    }
  }

  /** DecreaseReplicaCount: stops a replica (never the primary) and its relay. */
  async removeReplica(nodeId: string): Promise<void> {
    const slot = this.slots.find((candidate) => candidate.nodeId === nodeId);
    if (!slot) throw new Error(`${nodeId} is not in group ${this.groupId}`);
    if (slot.role === 'primary') throw new Error(`${nodeId} is the primary of group ${this.groupId}`);
    this.slots.splice(this.slots.indexOf(slot), 1);
    this.readerProxy.closeConnections((target) => target.port === slot.process.port);
    await slot.relay.close();
    await slot.process.stop(1000);
    this.options.log?.(`${this.groupId}: removed replica ${nodeId}`);
  }

  /**
   * Like ElastiCache TestFailover: pick the target (given, or the most advanced
   * replica), let replicas catch up briefly, stop the old primary, promote the
   * target, re-point relays and endpoints, and bring the old primary back as a
   * replica on its old port. Resolves when that topology is in place (replicas may
   * still be syncing: poll inSync()).
   */
  async failover(targetNodeId?: string): Promise<{ newPrimary: string }> {
    if (this.stopping) throw new Error(`group ${this.groupId} is stopped`);
    if (this.failingOver) throw new Error(`group ${this.groupId} is already failing over`);
    const run = this.runFailover(targetNodeId);
    this.failingOver = run;
    try {
      return await run;
    } finally {
      this.failingOver = undefined;
    }
  }

  private async runFailover(targetNodeId: string | undefined): Promise<{ newPrimary: string }> {
    const log = (line: string) => this.options.log?.(`${this.groupId}: ${line}`);
    const oldPrimary = this.primarySlot();
    const replicas = this.slots.filter((slot) => slot.role === 'replica');
    if (replicas.length === 0) throw new Error(`group ${this.groupId} has no replica to fail over to`);
    if (targetNodeId !== undefined && !replicas.some((slot) => slot.nodeId === targetNodeId)) {
      throw new Error(`${targetNodeId} is not a replica of group ${this.groupId}`);
    }

    const offsets = await this.catchUp(oldPrimary, replicas);
    // Only a replica that answered can be promoted; nothing has changed yet if none did.
    const candidates = replicas.filter((slot) => (offsets.get(slot) ?? -1) >= 0);
    const target =
      targetNodeId !== undefined
        ? candidates.find((slot) => slot.nodeId === targetNodeId)
        : candidates.reduce<NodeSlot | undefined>(
            (best, slot) => (!best || offsets.get(slot)! > offsets.get(best)! ? slot : best),
            undefined,
          );
    if (!target) throw new Error(`no replica of group ${this.groupId} answers: ${targetNodeId ?? 'cannot'} promote`);
    log(`failover ${oldPrimary.nodeId} -> ${target.nodeId}`);

    // The old primary goes away first, as on ElastiCache: no write lands on it after the
    // promotion. While it is down the primary endpoint refuses connections.
    const oldPort = oldPrimary.process.port;
    const oldPlainPort = oldPrimary.process.plainPort;
    await oldPrimary.process.stop(1000);
    this.primaryProxy.closeConnections();
    this.readerProxy.closeConnections((t) => t.port === oldPort);

    try {
      await target.process.command('REPLICAOF', 'NO', 'ONE');
    } catch (error) {
      // Promotion failed: bring the old primary back as it was, so the group still works.
      log(
        `promoting ${target.nodeId} failed (${(error as Error).message}); restarting ${oldPrimary.nodeId} as primary`,
      );
      oldPrimary.process = await RedisNode.start(
        nodeOptions(this.options, oldPrimary.nodeId, undefined, oldPort, oldPlainPort),
      );
      throw new Error(`failover of group ${this.groupId} to ${target.nodeId} failed: ${(error as Error).message}`);
    }
    oldPrimary.role = 'replica';
    target.role = 'primary';
    const upstream: ProxyTarget = { host: this.options.host, port: target.process.port };
    for (const slot of this.slots) slot.relay.setUpstream(upstream);

    oldPrimary.process = await RedisNode.start(
      nodeOptions(
        this.options,
        oldPrimary.nodeId,
        { host: this.options.host, port: oldPrimary.relay.port },
        oldPort,
        oldPlainPort,
      ),
    );
    if (this.extraPasswords.length > 0) {
      await oldPrimary.process.setPasswords([this.options.authToken!, ...this.extraPasswords]);
    }
    log(`${oldPrimary.nodeId} is back as a replica on port ${oldPort}`);
    return { newPrimary: target.nodeId };
  }

  /** Waits up to CATCH_UP_MS for every replica to reach the primary's offset; returns replica offsets. */
  private async catchUp(primary: NodeSlot, replicas: NodeSlot[]): Promise<Map<NodeSlot, number>> {
    const offsets = new Map<NodeSlot, number>();
    let primaryOffset = Number.POSITIVE_INFINITY;
    try {
      primaryOffset = Number((await primary.process.info('replication')).get('master_repl_offset') ?? Infinity);
    } catch {
      // The primary does not answer: nothing to wait for, rank replicas by what they have.
    }
    const deadline = Date.now() + CATCH_UP_MS;
    for (;;) {
      await Promise.all(
        replicas.map(async (slot) => {
          try {
            const info = await slot.process.info('replication');
            offsets.set(slot, Number(info.get('slave_repl_offset') ?? -1));
          } catch {
            offsets.set(slot, -1);
          }
        }),
      );
      const caughtUp = replicas.every((slot) => (offsets.get(slot) ?? -1) >= primaryOffset);
      if (caughtUp || !Number.isFinite(primaryOffset) || Date.now() >= deadline) return offsets;
      await sleep(20);
    }
  }

  /**
   * ModifyReplicationGroup on the live processes: in-transit encryption (undefined = off)
   * and/or the AUTH token (ROTATE keeps the current one working too), node by node without a
   * restart. Replication links are then re-made (the relays drop them, replicas reconnect
   * with the new settings). Later restarts (failover) use the new settings.
   */
  async reconfigure(change: {
    tls?: { value: Omit<NodeTls, 'plainPort'> | undefined };
    auth?: { strategy: 'ROTATE' | 'SET'; token: string };
  }): Promise<void> {
    if (this.stopping) throw new Error(`group ${this.groupId} is stopped`);
    await this.failingOver?.catch(() => undefined);
    if (change.auth) {
      // ROTATE: the new token and the current one both work; SET: only the new one.
      const current = this.options.authToken;
      const passwords =
        change.auth.strategy === 'ROTATE' && current !== undefined && current !== change.auth.token
          ? [change.auth.token, current]
          : [change.auth.token];
      for (const slot of this.slots) await slot.process.setPasswords(passwords);
      this.options.authToken = passwords[0];
      this.extraPasswords = passwords.slice(1);
    }
    if (change.tls) {
      const next = change.tls.value;
      for (const slot of this.slots) await slot.process.setTls(next ? { ...next } : undefined);
      this.options.tls = next;
    }
    const upstream: ProxyTarget = { host: this.options.host, port: this.primarySlot().process.port };
    for (const slot of this.slots) slot.relay.setUpstream(upstream);
  }

  /** Stops everything; idempotent. All ports are free when it resolves. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      // Wait for an ongoing failover so the node it is restarting is stopped too.
      await this.failingOver?.catch(() => undefined);
      // Endpoints and relays first: with no replica connected, a primary shuts down at
      // once (redis 7 otherwise waits for lagging replicas on SIGTERM).
      await Promise.allSettled([
        this.primaryProxy.close(),
        this.readerProxy.close(),
        ...this.slots.map((s) => s.relay.close()),
      ]);
      await Promise.allSettled(this.slots.map((slot) => slot.process.stop(2000)));
      this.options.log?.(`${this.groupId}: stopped`);
    })();
    return this.stopping;
  }

  private primarySlot(): NodeSlot {
    return this.slots.find((slot) => slot.role === 'primary')!;
  }

  private primaryTarget(): ProxyTarget | undefined {
    const primary = this.primarySlot();
    return primary.process.alive
      ? { host: this.options.host, port: primary.process.port, plainPort: primary.process.plainPort }
      : undefined;
  }

  /** Round robin over live replicas; the primary when there is none. */
  private nextReaderTarget(): ProxyTarget | undefined {
    const replicas = this.slots.filter((slot) => slot.role === 'replica' && slot.process.alive);
    if (replicas.length === 0) return this.primaryTarget();
    const slot = replicas[this.readerCursor++ % replicas.length]!;
    return { host: this.options.host, port: slot.process.port, plainPort: slot.process.plainPort };
  }
}

/** The values of fulfilled results (also recorded in `into`); throws the first failure after recording. */
function settled<T>(results: PromiseSettledResult<T>[], into: T[]): T[] {
  const values: T[] = [];
  let failure: unknown;
  for (const result of results) {
    if (result.status === 'fulfilled') {
      values.push(result.value);
      into.push(result.value);
    } else {
      failure ??= result.reason;
    }
  }
  if (failure !== undefined) throw failure;
  return values;
}

/** Ports of the replicas a primary's INFO replication lists as online (slaveN:ip=…,port=…,state=online,…). */
export function onlineReplicaPorts(info: Map<string, string>): Set<number> {
  const ports = new Set<number>();
  for (const [key, value] of info) {
    if (!/^slave\d+$/.test(key)) continue;
    const fields = new Map(value.split(',').map((pair) => pair.split('=') as [string, string]));
    if (fields.get('state') === 'online') ports.add(Number(fields.get('port')));
  }
  return ports;
}

function nodeOptions(
  options: GroupRuntimeOptions,
  nodeId: string,
  replicaOf: { host: string; port: number } | undefined,
  port?: number,
  plainPort?: number,
) {
  return {
    tls: options.tls ? { ...options.tls, plainPort } : undefined,
    binary: options.engineBinary,
    host: options.host,
    dir: join(options.dataDir, nodeId),
    port,
    password: options.authToken,
    replicaOf,
    log: options.log ? (line: string) => options.log!(`${options.groupId}/${nodeId}: ${line}`) : undefined,
  };
}
