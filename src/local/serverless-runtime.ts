/**
 * The processes behind one serverless cache: a one-shard Redis Cluster (a primary and a
 * replica, `cluster-enabled`, TLS only, also on the cluster bus and replication link)
 * behind two endpoints on one host, as AWS presents serverless: the Endpoint (writes and
 * consistent reads, the primary) and the ReaderEndpoint (reads from the replica after
 * READONLY).
 *
 * Each node announces its endpoint as its address (cluster-announce-ip / -tls-port), so
 * CLUSTER SLOTS / SHARDS / NODES and MOVED name the Endpoint for the primary and the
 * ReaderEndpoint for the replica: a cluster client seeded from the Endpoint never learns a
 * node's own port. (The replica's replication link therefore also goes through the
 * Endpoint, which relays it as bytes.)
 *
 * A node that dies is replaced, as the service heals: a dead primary's replica takes over
 * and announces the Endpoint, and a new replica joins; clients see a reconnect.
 *
 * The emulator reaches the nodes as an internal ACL user with a random password that
 * lives only in this process and in the nodes' 0600 config files; the cache's users are
 * applied with ACL SETUSER on every node.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { aclSetUserArgs, OPEN_DEFAULT_USER, type AclUser } from './acl.js';
import { EcpuLimiter } from './ecpu-limiter.js';
import { clusterHealthy } from './cluster-runtime.js';
import { RedisNode } from './redis-node.js';
import { ServerlessEndpoint } from './serverless-endpoint.js';
import type { CacheUsageLimits } from './state.js';
import type { TlsMaterial } from './tls-material.js';

const GIB = 1024 ** 3;

/** The emulator's own ACL user on serverless nodes (never one of the cache's users). */
export const ADMIN_USER = 'elasticache-kit-admin';

export interface ServerlessRuntimeOptions {
  name: string;
  engineBinary: string;
  /** Where the endpoints and nodes listen; a host name is resolved for the cluster's own addresses. */
  host: string;
  dataDir: string;
  tls: TlsMaterial;
  /** The cache's users; undefined: no user group (the default user, no AUTH). */
  users?: AclUser[];
  limits?: CacheUsageLimits;
  readyTimeoutMs?: number;
  /** A node died or was replaced: its record's nodes and pids should be read again. */
  onNodesChanged?: () => void;
  log?: (line: string) => void;
}

interface Member {
  nodeId: string;
  role: 'primary' | 'replica';
  process: RedisNode;
  busPort: number;
  /** The node's cluster id (CLUSTER MYID). */
  clusterId: string;
}

export class ServerlessRuntime {
  private limiter: EcpuLimiter | undefined;
  private limits: CacheUsageLimits | undefined;
  private users: AclUser[] | undefined;
  private readonly members: Member[] = [];
  private nextNodeNumber = 1;
  /** Replacing a node that died, one at a time. */
  private healing: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly options: ServerlessRuntimeOptions,
    /** The host as an IP address: CLUSTER MEET and cluster-announce-ip take nothing else. */
    private readonly hostIp: string,
    private readonly adminPassword: string,
    private readonly writer: ServerlessEndpoint,
    private readonly reader: ServerlessEndpoint,
  ) {}

  get endpoint(): { address: string; port: number } {
    return { ...this.writer.address };
  }

  get readerEndpoint(): { address: string; port: number } {
    return { ...this.reader.address };
  }

  /** Requests answered with the throttling error so far, both endpoints. */
  get throttledCount(): number {
    return this.writer.throttledCount + this.reader.throttledCount;
  }

  static async start(options: ServerlessRuntimeOptions): Promise<ServerlessRuntime> {
    const log = (line: string) => options.log?.(`${options.name}: ${line}`);
    const tls = {
      cert: readFileSync(options.tls.certFile),
      key: readFileSync(options.tls.keyFile),
      ca: readFileSync(options.tls.caCertFile),
    };
    const endpoints: ServerlessEndpoint[] = [];
    let runtime: ServerlessRuntime | undefined;
    try {
      // The endpoints first: their ports are what the nodes announce. They look the
      // members up per connection (the replica connects through the Endpoint while forming).
      const target = (role: 'primary' | 'replica') => () => runtime?.target(role);
      const limiter = () => runtime?.limiter;
      const writer = await ServerlessEndpoint.listen({
        host: options.host,
        tls,
        target: target('primary'),
        limiter,
        name: `${options.name} endpoint`,
        log,
      });
      endpoints.push(writer);
      const reader = await ServerlessEndpoint.listen({
        host: options.host,
        tls,
        // The replica, or the primary while no replica is up (reads keep working).
        target: () => target('replica')() ?? target('primary')(),
        limiter,
        name: `${options.name} reader endpoint`,
        log,
      });
      endpoints.push(reader);
      const hostIp = isIP(options.host) ? options.host : (await lookup(options.host)).address;
      runtime = new ServerlessRuntime(options, hostIp, randomBytes(24).toString('hex'), writer, reader);
      const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
      const primary = await runtime.startNode('primary');
      await primary.process.command('CLUSTER', 'ADDSLOTSRANGE', 0, 16383);
      await runtime.addReplica(primary, deadline);
      await runtime.applyLimits(options.limits);
      await runtime.applyUsers(options.users);
      for (const member of runtime.members) runtime.watch(member);
      log(
        `running: endpoint ${options.host}:${writer.port}, reader endpoint ${options.host}:${reader.port}, ${runtime.members.map((m) => `${m.nodeId}=${m.process.port}`).join(' ')}`,
      );
      return runtime;
    } catch (error) {
      if (runtime) await runtime.stop();
      else await Promise.allSettled(endpoints.map((endpoint) => endpoint.close()));
      throw error;
    }
  }

  private target(role: 'primary' | 'replica'): { host: string; port: number } | undefined {
    const member = this.members.find((m) => m.role === role && m.process.alive);
    return member ? { host: this.options.host, port: member.process.port } : undefined;
  }

  /** Starts one cluster node announcing the endpoint of its role, and adds it to the members. */
  private async startNode(role: 'primary' | 'replica'): Promise<Member> {
    const nodeId = `${this.options.name}-0001-${String(this.nextNodeNumber++).padStart(3, '0')}`;
    const { certFile, keyFile, caCertFile } = this.options.tls;
    const process = await RedisNode.start({
      binary: this.options.engineBinary,
      host: this.options.host,
      dir: join(this.options.dataDir, nodeId),
      username: ADMIN_USER,
      password: this.adminPassword,
      tls: { mode: 'required', certFile, keyFile, caCertFile },
      clusterBus: true,
      extraConfig: [
        'cluster-enabled yes',
        'cluster-config-file "nodes.conf"',
        'cluster-node-timeout 5000',
        'tls-cluster yes',
        `cluster-announce-ip ${this.hostIp}`,
        `cluster-announce-tls-port ${role === 'primary' ? this.writer.port : this.reader.port}`,
        'cluster-replica-validity-factor 0',
        // CLUSTER SLOTS lists a replica only once its replication offset is non-zero, and
        // an idle primary moves it only with its replication PING (default every 10 s).
        'repl-ping-replica-period 1',
      ],
      readyTimeoutMs: this.options.readyTimeoutMs,
      log: this.options.log,
    });
    const member: Member = {
      nodeId,
      role,
      process,
      busPort: process.busPort!,
      clusterId: String(await process.command('CLUSTER', 'MYID')),
    };
    this.members.push(member);
    // Stopped while starting: this node must not outlive the runtime.
    if (this.stopping) await process.stop();
    return member;
  }

  /** A new replica of `primary`, met, replicating, with the cache's users and limits; resolves once healthy. */
  private async addReplica(primary: Member, deadline: number): Promise<Member> {
    const replica = await this.startNode('replica');
    // The bus port must be named: without it MEET assumes port+10000.
    await primary.process.command('CLUSTER', 'MEET', this.hostIp, replica.process.port, replica.busPort);
    // REPLICATE needs the primary known to the replica: gossip spreads the MEET.
    for (;;) {
      try {
        await replica.process.command('CLUSTER', 'REPLICATE', primary.clusterId);
        break;
      } catch (error) {
        if (Date.now() > deadline || this.stopping)
          throw new Error(`the replica could not replicate: ${(error as Error).message}`);
        await sleep(100);
      }
    }
    while (!(await this.healthy())) {
      if (Date.now() > deadline || this.stopping)
        throw new Error('the cluster did not reach cluster_state:ok with its replica linked');
      await sleep(100);
    }
    return replica;
  }

  /** When a node dies, the cache heals as the service does: clients only see a reconnect. */
  private watch(member: Member): void {
    void member.process.exited.then(() => {
      if (this.stopping) return;
      this.healing = this.healing
        .then(() => this.replace(member))
        .catch((error) => {
          this.options.log?.(`${this.options.name}: could not replace ${member.nodeId}: ${(error as Error).message}`);
        });
    });
  }

  /**
   * Replaces a dead node. A dead primary's replica takes over (CLUSTER FAILOVER TAKEOVER:
   * there is no other primary to vote) and announces the Endpoint from then on; the dead
   * node is forgotten and a new replica, announcing the ReaderEndpoint, joins.
   */
  private async replace(dead: Member): Promise<void> {
    if (this.stopping) return;
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 30_000);
    const index = this.members.indexOf(dead);
    if (index >= 0) this.members.splice(index, 1);
    const survivor = this.members.find((member) => member.process.alive);
    if (!survivor) throw new Error('no node is left to take over');
    this.options.log?.(`${this.options.name}: ${dead.nodeId} (${dead.role}) died; replacing it`);
    if (dead.role === 'primary') {
      await survivor.process.command('CLUSTER', 'FAILOVER', 'TAKEOVER');
      while ((await survivor.process.info('replication')).get('role') !== 'master') {
        if (Date.now() > deadline) throw new Error(`${survivor.nodeId} did not take over`);
        await sleep(50);
      }
      await survivor.process.command('CONFIG', 'SET', 'cluster-announce-tls-port', this.writer.port);
      survivor.role = 'primary';
    }
    await survivor.process.command('CLUSTER', 'FORGET', dead.clusterId).catch(() => undefined);
    this.options.onNodesChanged?.();
    const replica = await this.addReplica(survivor, deadline);
    await this.applyLimits(this.limits);
    await this.applyUsers(this.users);
    this.watch(replica);
    this.options.onNodesChanged?.();
    this.options.log?.(`${this.options.name}: ${replica.nodeId} replaces ${dead.nodeId}`);
  }

  /**
   * CacheUsageLimits as the service applies them: ECPUPerSecond.Maximum caps the
   * endpoints (a new, full bucket per change; none without a maximum), and
   * DataStorage.Maximum becomes each node's maxmemory with keys that have a TTL evicted
   * LRU first (writes get OOM errors once nothing is evictable), as AWS documents.
   */
  async applyLimits(limits: CacheUsageLimits | undefined): Promise<void> {
    this.limits = limits;
    const ecpuMaximum = limits?.ecpuPerSecond?.maximum;
    if (ecpuMaximum !== this.limiter?.perSecond)
      this.limiter = ecpuMaximum === undefined ? undefined : new EcpuLimiter(ecpuMaximum);
    const storageMaximum = limits?.dataStorage?.maximum;
    const maxmemory = storageMaximum === undefined ? 0 : storageMaximum * GIB;
    for (const member of this.members) {
      if (!member.process.alive) continue;
      await member.process.command('CONFIG', 'SET', 'maxmemory', maxmemory, 'maxmemory-policy', 'volatile-lru');
    }
  }

  /**
   * Makes every node's users exactly these (undefined: the open default user only); users
   * no longer in the group are deleted, which also closes their connections.
   */
  async applyUsers(users: AclUser[] | undefined): Promise<void> {
    this.users = users;
    const wanted = users ?? [OPEN_DEFAULT_USER];
    for (const member of this.members) {
      if (!member.process.alive) continue;
      const existing = (await member.process.command('ACL', 'USERS')) as string[];
      for (const user of wanted) await member.process.command(...aclSetUserArgs(user));
      const keep = new Set([ADMIN_USER, ...wanted.map((user) => user.userName)]);
      for (const name of existing) if (!keep.has(name)) await member.process.command('ACL', 'DELUSER', name);
    }
  }

  /** cluster_state:ok on both nodes, the replica's link up, CLUSTER SLOTS naming both. */
  healthy(): Promise<boolean> {
    return clusterHealthy(this.members.map((member) => member.process));
  }

  nodes(): { nodeId: string; role: 'primary' | 'replica'; port: number; pid: number }[] {
    return this.members.map((member) => ({
      nodeId: member.nodeId,
      role: member.role,
      port: member.process.port,
      pid: member.process.pid,
    }));
  }

  pids(): number[] {
    return this.members.map((member) => member.process.pid);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.allSettled([this.writer.close(), this.reader.close()]);
      await Promise.allSettled(this.members.map((member) => member.process.stop()));
      // A replacement in flight sees `stopping` and stops what it started.
      await this.healing;
      await Promise.allSettled(this.members.map((member) => member.process.stop()));
    })();
    return this.stopping;
  }
}
