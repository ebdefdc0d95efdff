/**
 * One cluster-mode-enabled replication group, for real: a `redis-server --cluster-enabled yes`
 * per node, shards formed with CLUSTER MEET / ADDSLOTSRANGE / REPLICATE, and one stable
 * configuration endpoint (a TCP proxy to any live node) a cluster client seeds from.
 * CLUSTER SLOTS / SHARDS answer with the nodes' own loopback addresses, which clients
 * reach directly, as they reach the node endpoints of ElastiCache.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseInfo, type RespConnection, type RespValue } from './resp.js';
import type { SlotMove, SlotRange } from '../plan/slots.js';
import { RedisNode, type NodeTls } from './redis-node.js';
import { TcpProxy, type ProxyTarget } from './tcp-proxy.js';

// The slot math is pure and shared with `scale`; re-exported for the emulator's callers.
export { evenSlotRanges, formatSlotRanges, parseSlotRanges, SLOT_COUNT } from '../plan/slots.js';

export interface ClusterShardSpec {
  /** "0001" */
  nodeGroupId: string;
  /** memberIds[0] is the shard's initial primary, e.g. ['demo-0001-001', 'demo-0001-002']. */
  memberIds: string[];
  slots: { start: number; end: number }[];
}

export interface ClusterRuntimeOptions {
  groupId: string;
  shards: ClusterShardSpec[];
  engineBinary: string;
  host: string;
  dataDir: string;
  /** requirepass + masterauth on every node (replicas authenticate to their primary). */
  authToken?: string;
  /**
   * TLS on every node: client port, replication (tls-replication) and the cluster bus
   * (tls-cluster). `preferred` nodes also keep a plain port, which CLUSTER SLOTS / SHARDS
   * name to plain clients while TLS clients get the TLS ports.
   */
  tls?: Omit<NodeTls, 'plainPort'>;
  /**
   * Extra one-way latency of every primary→replica stream (0 or omitted: none). Nodes
   * announce a second loopback address (127.0.0.2) to each other, where a delay relay per
   * node listens on the node's own port; clients get the real address through the
   * announced hostname (cluster-preferred-endpoint-type hostname), so only replication
   * (and not client traffic, nor the bus, relayed without delay) is slowed.
   */
  replicationDelayMs?: number;
  readyTimeoutMs?: number;
  /**
   * cluster-node-timeout of every node (default CLUSTER_NODE_TIMEOUT_MS). Besides failure
   * detection it sets how often nodes gossip: each pings every other at least every half
   * of it, and what the emulator waits for (a replica's offset in everyone's CLUSTER SLOTS,
   * a failover seen by all) travels by those pings.
   */
  nodeTimeoutMs?: number;
  log?: (line: string) => void;
}

/**
 * cluster-node-timeout of the emulator's nodes. Gossip, and so every wait for the cluster to
 * converge (creation, failover, a joining node), runs at half of it; a node is suspected
 * only after it has not answered a ping for that long. 2 s: convergence in about a second
 * instead of up to 2.5 s with the previous 5 s, and still far above any pause of a local
 * redis-server (the suite's nodes answer pings within milliseconds even on a loaded
 * 2-core machine). Nothing relies on slower failure detection: the emulator's failovers
 * are manual (CLUSTER FAILOVER), and a dead node without replica leaves its shard down
 * either way (cluster-require-full-coverage no).
 */
export const CLUSTER_NODE_TIMEOUT_MS = 2000;

/**
 * Slots per migration round (each command of a round pipelined on one connection). Small
 * rounds keep a node from being busy with one long pipeline while clients wait: with 32
 * instead of 256, a writer during a 5461-slot move sees p50 0.6 ms / p99 35 ms instead of
 * 5.9 / 172 ms, for the same total time (bench/reshard.ts).
 */
const MIGRATION_BATCH = 32;
/** Keys per MIGRATE. */
const MIGRATE_KEYS = 100;

interface ClusterMember {
  memberId: string;
  nodeGroupId: string;
  process: RedisNode;
  /** The node's cluster id (CLUSTER MYID). */
  clusterNodeId: string;
  busPort: number;
  /** With a replication delay: the node's relays on the announced address (client port, bus port). */
  relays: TcpProxy[];
}

export interface ClusterMemberView {
  memberId: string;
  nodeGroupId: string;
  port: number;
  pid: number;
  role: 'primary' | 'replica';
}

export class ClusterRuntime {
  readonly groupId: string;
  readonly configurationEndpoint: { address: string; port: number };
  private roles = new Map<string, 'primary' | 'replica'>();
  private stopping: Promise<void> | undefined;
  private cancelled = false;

  private constructor(
    private readonly options: ClusterRuntimeOptions,
    private readonly members: ClusterMember[],
    private readonly proxy: TcpProxy,
  ) {
    this.groupId = options.groupId;
    this.configurationEndpoint = proxy.address;
    for (const shard of options.shards) {
      for (const [index, id] of shard.memberIds.entries()) this.roles.set(id, index === 0 ? 'primary' : 'replica');
    }
  }

  /** Starts every node, forms the cluster, and resolves once it is healthy; stops all on failure. */
  static async start(options: ClusterRuntimeOptions): Promise<ClusterRuntime> {
    const log = (line: string) => options.log?.(`${options.groupId}: ${line}`);
    const started: ClusterMember[] = [];
    let proxy: TcpProxy | undefined;
    try {
      const specs = options.shards.flatMap((shard) =>
        shard.memberIds.map((memberId) => ({ memberId, nodeGroupId: shard.nodeGroupId })),
      );
      // Started one after the other (each picks a free port that the next must not pick
      // too), primaries first: a primary serves only 2 s after its start
      // (CLUSTER_WRITABLE_DELAY), which then runs while the replicas start and link.
      const byMemberId = new Map<string, ClusterMember>();
      for (const spec of [...specs].sort((a, b) => Number(isReplica(options, a)) - Number(isReplica(options, b)))) {
        const member = await startMember(options, spec);
        started.push(member);
        byMemberId.set(spec.memberId, member);
      }
      const members = specs.map((spec) => byMemberId.get(spec.memberId)!);
      // Every pair meets directly instead of all meeting the first node and waiting for
      // gossip to introduce the others (a replica can only REPLICATE a node it knows, and
      // the cluster is whole only once every node knows every other).
      await Promise.all(members.map((member, index) => meetAll(options, member, members.slice(index + 1))));
      for (const shard of options.shards) {
        const primary = members.find((member) => member.memberId === shard.memberIds[0])!;
        const args = shard.slots.flatMap((range) => [range.start, range.end]);
        await primary.process.command('CLUSTER', 'ADDSLOTSRANGE', ...args);
      }
      const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
      // A replica can only REPLICATE a node it already knows: wait for the meet's handshake.
      for (const shard of options.shards) {
        const primary = members.find((member) => member.memberId === shard.memberIds[0])!;
        for (const replicaId of shard.memberIds.slice(1)) {
          const replica = members.find((member) => member.memberId === replicaId)!;
          await replicate(replica, primary, deadline);
        }
      }
      let runtime: ClusterRuntime | undefined;
      proxy = await TcpProxy.listen({
        host: options.host,
        pickTarget: () => runtime?.anyLiveTarget(),
        name: 'configuration endpoint',
        log,
      });
      runtime = new ClusterRuntime(options, members, proxy);
      while (!(await runtime.healthy())) {
        if (Date.now() > deadline)
          throw new Error('the cluster did not reach cluster_state:ok with every replica linked in time');
        await sleep(100);
      }
      log(
        `running: configuration endpoint ${options.host}:${proxy.port}, ${members.map((m) => `${m.memberId}=${m.process.port}`).join(' ')}`,
      );
      return runtime;
    } catch (error) {
      await proxy?.close().catch(() => undefined);
      await Promise.allSettled(started.map((member) => stopMember(member, 1000)));
      throw error;
    }
  }

  /** cluster_state:ok on every node, and every replica's master link up. */
  async healthy(): Promise<boolean> {
    return clusterHealthy(this.members.map((member) => member.process));
  }

  /** Members with their current role, as the nodes themselves report it. */
  async view(): Promise<ClusterMemberView[]> {
    await this.refreshRoles();
    return this.members.map((member) => ({
      memberId: member.memberId,
      nodeGroupId: member.nodeGroupId,
      port: member.process.port,
      pid: member.process.pid,
      role: this.roles.get(member.memberId)!,
    }));
  }

  /** GroupRuntime's surface for ReplicationGroups: members with their last seen role (no I/O). */
  nodes(): { nodeId: string; port: number; pid: number; role: 'primary' | 'replica' }[] {
    return this.members.map((member) => ({
      nodeId: member.memberId,
      port: member.process.port,
      pid: member.process.pid,
      role: this.roles.get(member.memberId)!,
    }));
  }

  /** Healthy, with roles refreshed. */
  async inSync(): Promise<boolean> {
    await this.refreshRoles();
    return this.healthy();
  }

  /** The last roles seen (no I/O); call view() to refresh. */
  cachedRoles(): Map<string, 'primary' | 'replica'> {
    return new Map(this.roles);
  }

  pids(): number[] {
    return this.members.map((member) => member.process.pid);
  }

  ports(): number[] {
    return this.members.map((member) => member.process.port);
  }

  /**
   * Promotes a replica of the shard (CLUSTER FAILOVER on it, the coordinated manual
   * failover) and waits until the shard's new primary is seen by the whole cluster.
   */
  async failover(nodeGroupId: string, timeoutMs = 30_000): Promise<{ newPrimary: string }> {
    await this.refreshRoles();
    const shard = this.members.filter((member) => member.nodeGroupId === nodeGroupId);
    if (shard.length === 0) throw new Error(`no node group ${nodeGroupId}`);
    const replica = shard.find((member) => this.roles.get(member.memberId) === 'replica' && member.process.alive);
    if (!replica) throw new Error(`node group ${nodeGroupId} has no live replica to promote`);
    await replica.process.command('CLUSTER', 'FAILOVER');
    const deadline = Date.now() + timeoutMs;
    // A manual failover the primary cannot complete within 5 s is silently abandoned
    // (CLUSTER_MF_TIMEOUT) on a loaded machine: ask again after that long.
    let retryAt = Date.now() + 5500;
    for (;;) {
      await this.refreshRoles();
      if (this.roles.get(replica.memberId) !== 'primary' && Date.now() > retryAt) {
        await replica.process.command('CLUSTER', 'FAILOVER').catch(() => undefined);
        retryAt = Date.now() + 5500;
      }
      // Converged: the promoted node is the shard's only primary (the old one learns of its
      // demotion by gossip, a moment after the promotion) and the cluster is healthy.
      const onePrimary = shard.every(
        (member) => (member === replica) === (this.roles.get(member.memberId) === 'primary') || !member.process.alive,
      );
      if (this.roles.get(replica.memberId) === 'primary' && onePrimary && (await this.healthy()))
        return { newPrimary: replica.memberId };
      if (Date.now() > deadline) throw new Error(`failover of node group ${nodeGroupId} did not converge in time`);
      await sleep(100);
    }
  }

  /**
   * IncreaseReplicaCount / a new shard's replicas: starts the node, meets it into the
   * cluster and makes it replicate the shard's current primary. Resolves once it is
   * replicating (its first sync may still run: poll inSync()).
   */
  async addReplica(nodeGroupId: string, memberId: string, timeoutMs = 60_000): Promise<void> {
    await this.refreshRoles();
    const primary = this.members.find(
      (member) => member.nodeGroupId === nodeGroupId && this.roles.get(member.memberId) === 'primary',
    );
    if (!primary) throw new Error(`node group ${nodeGroupId} has no primary`);
    const member = await this.join({ memberId, nodeGroupId }, 'replica');
    await replicate(member, primary, Date.now() + timeoutMs);
  }

  /**
   * ModifyReplicationGroupShardConfiguration, scale out: a new shard's nodes join the
   * cluster owning no slot yet (migrateSlots gives them some).
   */
  async addShard(shard: Omit<ClusterShardSpec, 'slots'>, timeoutMs = 60_000): Promise<void> {
    const [primaryId, ...replicaIds] = shard.memberIds;
    const primary = await this.join({ memberId: primaryId!, nodeGroupId: shard.nodeGroupId }, 'primary');
    for (const replicaId of replicaIds) {
      const replica = await this.join({ memberId: replicaId, nodeGroupId: shard.nodeGroupId }, 'replica');
      await replicate(replica, primary, Date.now() + timeoutMs);
    }
  }

  /**
   * Removes nodes for good: stops them and has every other node FORGET them (within the
   * 60 s FORGET ban, so gossip does not bring them back). A shard's primary goes only
   * with its whole shard, once it owns no slot.
   */
  async removeMembers(memberIds: string[]): Promise<void> {
    const leaving = this.members.filter((member) => memberIds.includes(member.memberId));
    if (leaving.length !== memberIds.length) throw new Error(`not all of ${memberIds.join(', ')} are members`);
    for (const member of leaving) this.members.splice(this.members.indexOf(member), 1);
    this.proxy.closeConnections((target) => leaving.some((member) => member.process.port === target.port));
    await Promise.allSettled(leaving.map((member) => stopMember(member, 1000)));
    for (const stayer of this.members) {
      for (const member of leaving) {
        await stayer.process.command('CLUSTER', 'FORGET', member.clusterNodeId).catch((error: Error) => {
          // "Unknown node": it never heard of it, which is what FORGET wants anyway.
          if (!/unknown node/i.test(error.message)) throw error;
        });
      }
    }
    for (const member of leaving) this.roles.delete(member.memberId);
    this.options.log?.(`${this.groupId}: removed ${memberIds.join(', ')}`);
  }

  /**
   * Moves slots between shards online with their keys, as `redis-cli --cluster reshard`
   * does: the recipient marks each slot IMPORTING, the donor MIGRATING, keys go over with
   * MIGRATE in batches, then SETSLOT NODE on both and on every other primary. Clients see
   * MOVED / ASK redirections, never errors. Slots go in batches on pipelined connections.
   */
  async migrateSlots(moves: SlotMove[], onProgress?: (movedSlots: number, totalSlots: number) => void): Promise<void> {
    await this.refreshRoles();
    const total = moves.reduce((sum, move) => sum + move.slots.length, 0);
    let done = 0;
    const primaryOf = (nodeGroupId: string) => {
      const primary = this.members.find(
        (member) => member.nodeGroupId === nodeGroupId && this.roles.get(member.memberId) === 'primary',
      );
      if (!primary) throw new Error(`node group ${nodeGroupId} has no primary`);
      return primary;
    };
    const connections = new Map<ClusterMember, RespConnection>();
    const connection = async (member: ClusterMember) => {
      let open = connections.get(member);
      if (!open) {
        open = await member.process.connect();
        connections.set(member, open);
      }
      return open;
    };
    try {
      for (const move of moves) {
        const source = primaryOf(move.from);
        const target = primaryOf(move.to);
        const from = await connection(source);
        const to = await connection(target);
        for (let index = 0; index < move.slots.length; index += MIGRATION_BATCH) {
          if (this.cancelled) throw new Error(`group ${this.groupId} is stopping: slot migration cancelled`);
          const batch = move.slots.slice(index, index + MIGRATION_BATCH);
          await Promise.all(
            batch.map((slot) => to.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.clusterNodeId)),
          );
          await Promise.all(
            batch.map((slot) => from.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.clusterNodeId)),
          );
          await this.moveKeys(from, target, batch);
          // The recipient first: once the donor lets go, the slot must already be owned.
          await Promise.all(batch.map((slot) => to.call('CLUSTER', 'SETSLOT', slot, 'NODE', target.clusterNodeId)));
          await Promise.all(batch.map((slot) => from.call('CLUSTER', 'SETSLOT', slot, 'NODE', target.clusterNodeId)));
          for (const other of this.members) {
            if (other === source || other === target || this.roles.get(other.memberId) !== 'primary') continue;
            const peer = await connection(other);
            await Promise.all(batch.map((slot) => peer.call('CLUSTER', 'SETSLOT', slot, 'NODE', target.clusterNodeId)));
          }
          done += batch.length;
          onProgress?.(done, total);
        }
      }
    } finally {
      for (const open of connections.values()) open.close();
    }
  }

  /** MIGRATEs every key of the slots from the donor to `target`, until the donor has none left. */
  private async moveKeys(from: RespConnection, target: ClusterMember, slots: number[]): Promise<void> {
    const auth = this.options.authToken !== undefined ? ['AUTH', this.options.authToken] : [];
    let pending = slots;
    while (pending.length > 0) {
      const keys = await Promise.all(
        pending.map((slot) => from.call('CLUSTER', 'GETKEYSINSLOT', slot, MIGRATE_KEYS) as Promise<string[]>),
      );
      const busy = pending.filter((_, index) => keys[index]!.length > 0);
      await Promise.all(
        busy.map((slot) => {
          const batch = keys[pending.indexOf(slot)]!;
          return from.call('MIGRATE', this.options.host, target.process.port, '', 0, 10_000, ...auth, 'KEYS', ...batch);
        }),
      );
      pending = busy;
    }
  }

  /** The slots each shard's primary owns now (CLUSTER SLOTS of a live primary). */
  async slotOwners(): Promise<Map<string, SlotRange[]>> {
    await this.refreshRoles();
    const byNodeId = new Map(this.members.map((member) => [member.clusterNodeId, member.nodeGroupId]));
    const live = this.members.find((member) => member.process.alive && this.roles.get(member.memberId) === 'primary');
    if (!live) throw new Error(`group ${this.groupId} has no live primary`);
    const reply = await live.process.command('CLUSTER', 'SLOTS');
    const owners = new Map<string, SlotRange[]>();
    for (const range of Array.isArray(reply) ? reply : []) {
      if (!Array.isArray(range) || !Array.isArray(range[2])) continue;
      const shard = byNodeId.get(String(range[2][2]));
      if (shard === undefined) continue;
      owners.set(shard, [...(owners.get(shard) ?? []), { start: Number(range[0]), end: Number(range[1]) }]);
    }
    for (const ranges of owners.values()) ranges.sort((a, b) => a.start - b.start);
    return owners;
  }

  /** Starts a member and meets it into the cluster; resolves once it knows every node. */
  private async join(
    spec: { memberId: string; nodeGroupId: string },
    role: 'primary' | 'replica',
  ): Promise<ClusterMember> {
    if (this.stopping) throw new Error(`group ${this.groupId} is stopped`);
    if (this.members.some((member) => member.memberId === spec.memberId))
      throw new Error(`${spec.memberId} is already a member of ${this.groupId}`);
    const member = await startMember(this.options, spec);
    const live = this.members.filter((existing) => existing.process.alive);
    try {
      if (live.length === 0) throw new Error(`group ${this.groupId} has no live node to meet`);
      // It meets every live node itself: each learns of it by its own handshake, not by gossip.
      await meetAll(this.options, member, live);
      this.members.push(member);
      this.roles.set(member.memberId, role);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const info = parseInfo(String(await member.process.command('CLUSTER', 'INFO')));
        // A primary also cluster_state:ok: a new primary says CLUSTERDOWN (to MIGRATE as well)
        // for its first 2 s. Not a replica-to-be: that delay is a primary's only, and it ends
        // once the node replicates (the cluster's health, waited for after, includes its state).
        const ready = role === 'replica' || info.get('cluster_state') === 'ok';
        if (Number(info.get('cluster_known_nodes')) >= this.members.length && ready) break;
        if (Date.now() > deadline) throw new Error(`${spec.memberId} did not learn of every node in time`);
        await sleep(100);
      }
      // And every other node knows it: SETSLOT NODE names it on every primary during a
      // migration, and a node that has not heard of it yet answers "Unknown node".
      for (const other of this.members) {
        if (other === member || !other.process.alive) continue;
        while (!String(await other.process.command('CLUSTER', 'NODES')).includes(member.clusterNodeId)) {
          if (Date.now() > deadline) throw new Error(`${other.memberId} did not learn of ${spec.memberId} in time`);
          await sleep(100);
        }
      }
    } catch (error) {
      const index = this.members.indexOf(member);
      if (index >= 0) this.members.splice(index, 1);
      this.roles.delete(member.memberId);
      await stopMember(member, 1000);
      throw error;
    }
    this.options.log?.(`${this.groupId}: ${spec.memberId} joined as ${role} on port ${member.process.port}`);
    return member;
  }

  /** Makes a slot migration in flight stop at its next round (the emulator is shutting down). */
  cancel(): void {
    this.cancelled = true;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.proxy.close().catch(() => undefined);
      await Promise.allSettled(this.members.map((member) => stopMember(member, 2000)));
    })();
    return this.stopping;
  }

  private async refreshRoles(): Promise<void> {
    await Promise.all(
      this.members.map(async (member) => {
        try {
          const replication = await member.process.info('replication');
          this.roles.set(member.memberId, replication.get('role') === 'master' ? 'primary' : 'replica');
        } catch {
          // a dead node keeps its last known role
        }
      }),
    );
  }

  private anyLiveTarget(): ProxyTarget | undefined {
    const live = this.members.filter((member) => member.process.alive);
    if (live.length === 0) return undefined;
    const member = live[Math.floor(Math.random() * live.length)]!;
    return { host: this.options.host, port: member.process.port, plainPort: member.process.plainPort };
  }
}

/** Starts one cluster-enabled node (not yet met) and learns its cluster id. */
async function startMember(
  options: ClusterRuntimeOptions,
  spec: { memberId: string; nodeGroupId: string },
): Promise<ClusterMember> {
  const delayMs = options.replicationDelayMs ?? 0;
  const relayHost = delayMs > 0 ? replicationAddress(options.host) : undefined;
  const node = await RedisNode.start({
    binary: options.engineBinary,
    host: options.host,
    dir: join(options.dataDir, spec.memberId),
    password: options.authToken,
    tls: options.tls,
    clusterBus: true,
    extraConfig: [
      'cluster-enabled yes',
      `cluster-config-file ${quoteFileName('nodes.conf')}`,
      `cluster-node-timeout ${options.nodeTimeoutMs ?? CLUSTER_NODE_TIMEOUT_MS}`,
      // ElastiCache keeps serving the shards that are up when one shard is down.
      'cluster-require-full-coverage no',
      'cluster-replica-validity-factor 0',
      // Shards keep their replicas (as on ElastiCache): no replica wanders to another shard,
      // and a primary whose slots were all moved away stays a primary until it is removed.
      'cluster-allow-replica-migration no',
      // A replica's offset moves (and gossip makes it visible in CLUSTER SLOTS) within a
      // second of linking, instead of at the first 10 s replication ping of an idle shard.
      'repl-ping-replica-period 1',
      // The bus speaks TLS too (redis-node's TLS config already covers client port and replication).
      ...(options.tls ? ['tls-cluster yes'] : []),
      ...(relayHost
        ? [
            `cluster-announce-ip ${relayHost}`,
            `cluster-announce-hostname ${options.host}`,
            'cluster-preferred-endpoint-type hostname',
          ]
        : []),
    ],
    readyTimeoutMs: options.readyTimeoutMs,
    log: options.log,
  });
  const busPort = node.busPort!;
  const relays: TcpProxy[] = [];
  try {
    if (relayHost) {
      const relay = (port: number, responseDelayMs: number, name: string) =>
        TcpProxy.listen({
          host: relayHost,
          port,
          pickTarget: () => ({ host: options.host, port }),
          responseDelayMs,
          name: `${spec.memberId} ${name}`,
          log: options.log,
        });
      relays.push(await relay(node.port, delayMs, 'replication relay'));
      relays.push(await relay(busPort, 0, 'bus relay'));
    }
    return { ...spec, process: node, busPort, relays, clusterNodeId: String(await node.command('CLUSTER', 'MYID')) };
  } catch (error) {
    await Promise.allSettled(relays.map((relay) => relay.close()));
    await node.stop(1000);
    throw error;
  }
}

function isReplica(options: Pick<ClusterRuntimeOptions, 'shards'>, spec: { memberId: string }): boolean {
  return !options.shards.some((shard) => shard.memberIds[0] === spec.memberId);
}

/** `member` sends CLUSTER MEET to each of `others` (the bus port named: without it MEET assumes port+10000). */
async function meetAll(
  options: Pick<ClusterRuntimeOptions, 'host'>,
  member: ClusterMember,
  others: ClusterMember[],
): Promise<void> {
  for (const other of others)
    await member.process.command('CLUSTER', 'MEET', options.host, other.process.port, other.busPort);
}

async function stopMember(member: ClusterMember, graceMs: number): Promise<void> {
  await Promise.allSettled(member.relays.map((relay) => relay.close()));
  await member.process.stop(graceMs);
}

/**
 * The loopback address nodes announce to each other when replication is delayed: the
 * next one after the emulator's (127.0.0.1 → 127.0.0.2). Linux routes all of 127/8 to lo.
 */
export function replicationAddress(host: string): string {
  const match = /^127\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (!match || Number(match[3]) >= 254)
    throw new Error(
      `a replication delay on cluster mode enabled groups needs the emulator on a 127.x.y.z address (it is on ${host})`,
    );
  return `127.${match[1]}.${match[2]}.${Number(match[3]) + 1}`;
}

/** CLUSTER REPLICATE, retried until the replica has heard of the primary by gossip (or the deadline). */
async function replicate(replica: ClusterMember, primary: ClusterMember, deadline: number): Promise<void> {
  for (;;) {
    try {
      await replica.process.command('CLUSTER', 'REPLICATE', primary.clusterNodeId);
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`${replica.memberId} could not replicate ${primary.memberId}: ${(error as Error).message}`);
      await sleep(100);
    }
  }
}

/** The distinct node ids a CLUSTER SLOTS reply names (every range: start, end, then nodes). */
/**
 * Every node sees the cluster whole: cluster_state:ok, every node known (a manual failover
 * needs the shard's bus links), every replica's link up, and CLUSTER SLOTS naming every
 * node (it leaves out a replica until gossip brings a non-zero replication offset for it;
 * a client reading from replicas would not find them before that). Shared by
 * ClusterRuntime and ServerlessRuntime.
 */
export async function clusterHealthy(nodes: RedisNode[]): Promise<boolean> {
  try {
    for (const node of nodes) {
      const cluster = parseInfo(String(await node.command('CLUSTER', 'INFO')));
      if (cluster.get('cluster_state') !== 'ok') return false;
      if (Number(cluster.get('cluster_known_nodes')) !== nodes.length) return false;
      const replication = await node.info('replication');
      if (replication.get('role') === 'slave' && replication.get('master_link_status') !== 'up') return false;
      if (slotsNodeIds(await node.command('CLUSTER', 'SLOTS')).size !== nodes.length) return false;
    }
    return true;
  } catch {
    return false;
  }
}

export function slotsNodeIds(reply: RespValue): Set<string> {
  const ids = new Set<string>();
  if (!Array.isArray(reply)) return ids;
  for (const range of reply) {
    if (!Array.isArray(range)) continue;
    for (const node of range.slice(2)) if (Array.isArray(node) && typeof node[2] === 'string') ids.add(node[2]);
  }
  return ids;
}

function quoteFileName(name: string): string {
  return `"${name}"`;
}
