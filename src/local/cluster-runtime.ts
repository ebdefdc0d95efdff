/**
 * One cluster-mode-enabled replication group, for real: a `redis-server --cluster-enabled yes`
 * per node, shards formed with CLUSTER MEET / ADDSLOTSRANGE / REPLICATE, and one stable
 * configuration endpoint (a TCP proxy to any live node) a cluster client seeds from.
 * CLUSTER SLOTS / SHARDS answer with the nodes' own loopback addresses, which clients
 * reach directly, as they reach the node endpoints of ElastiCache.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';
import { parseInfo } from './resp.js';
import { RedisNode } from './redis-node.js';
import { TcpProxy, type ProxyTarget } from './tcp-proxy.js';

// The slot arithmetic is shared with the CLI's plan (the review's slot split): src/slots.ts.
export { SLOT_COUNT, evenSlotRanges, formatSlotRanges, parseSlotRanges } from '../slots.js';

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
  authToken?: string;
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

interface ClusterMember {
  memberId: string;
  nodeGroupId: string;
  process: RedisNode;
  /** The node's cluster id (CLUSTER MYID). */
  clusterNodeId: string;
  busPort: number;
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
    const started: RedisNode[] = [];
    let proxy: TcpProxy | undefined;
    try {
      const specs = options.shards.flatMap((shard) =>
        shard.memberIds.map((memberId) => ({ memberId, nodeGroupId: shard.nodeGroupId })),
      );
      // Started one after the other: two cores shared by many, and each start is quick.
      const members: ClusterMember[] = [];
      for (const spec of specs) {
        // The cluster bus port is picked free too: port+10000 may be taken or beyond 65535.
        const busPort = await freePort(options.host);
        const node = await RedisNode.start({
          binary: options.engineBinary,
          host: options.host,
          dir: join(options.dataDir, spec.memberId),
          password: options.authToken,
          extraConfig: [
            'cluster-enabled yes',
            `cluster-config-file ${quoteFileName('nodes.conf')}`,
            `cluster-port ${busPort}`,
            'cluster-node-timeout 5000',
            // ElastiCache keeps serving the shards that are up when one shard is down.
            'cluster-require-full-coverage no',
            'cluster-replica-validity-factor 0',
          ],
          readyTimeoutMs: options.readyTimeoutMs,
          log: options.log,
        });
        started.push(node);
        members.push({ ...spec, process: node, busPort, clusterNodeId: String(await node.command('CLUSTER', 'MYID')) });
      }
      const [first, ...others] = members;
      // The bus port must be named: without it MEET assumes port+10000.
      for (const member of others)
        await first!.process.command('CLUSTER', 'MEET', options.host, member.process.port, member.busPort);
      for (const shard of options.shards) {
        const primary = members.find((member) => member.memberId === shard.memberIds[0])!;
        const args = shard.slots.flatMap((range) => [range.start, range.end]);
        await primary.process.command('CLUSTER', 'ADDSLOTSRANGE', ...args);
      }
      const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
      // A replica can only REPLICATE a node it already knows: wait for gossip to spread the meet.
      for (const shard of options.shards) {
        const primary = members.find((member) => member.memberId === shard.memberIds[0])!;
        for (const replicaId of shard.memberIds.slice(1)) {
          const replica = members.find((member) => member.memberId === replicaId)!;
          for (;;) {
            try {
              await replica.process.command('CLUSTER', 'REPLICATE', primary.clusterNodeId);
              break;
            } catch (error) {
              if (Date.now() > deadline)
                throw new Error(`${replicaId} could not replicate ${shard.memberIds[0]}: ${(error as Error).message}`);
              await sleep(100);
            }
          }
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
      await Promise.allSettled(started.map((node) => node.stop(1000)));
      throw error;
    }
  }

  /** cluster_state:ok on every node, and every replica's master link up. */
  async healthy(): Promise<boolean> {
    try {
      for (const member of this.members) {
        const cluster = parseInfo(String(await member.process.command('CLUSTER', 'INFO')));
        if (cluster.get('cluster_state') !== 'ok') return false;
        // Every node knows every other: a manual failover needs the shard's bus links.
        if (Number(cluster.get('cluster_known_nodes')) !== this.members.length) return false;
        const replication = await member.process.info('replication');
        if (replication.get('role') === 'slave' && replication.get('master_link_status') !== 'up') return false;
      }
      return true;
    } catch {
      return false;
    }
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

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.proxy.close().catch(() => undefined);
      await Promise.allSettled(this.members.map((member) => member.process.stop()));
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
    return { host: this.options.host, port: member.process.port };
  }
}

function quoteFileName(name: string): string {
  return `"${name}"`;
}
