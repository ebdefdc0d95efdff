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
 * The emulator reaches the nodes as an internal ACL user with a random password that
 * lives only in this process and in the nodes' 0600 config files; the cache's users are
 * applied with ACL SETUSER on every node.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { aclSetUserArgs, OPEN_DEFAULT_USER, type AclUser } from './acl.js';
import { EcpuLimiter } from './ecpu-limiter.js';
import { freePort } from './free-port.js';
import { RedisNode } from './redis-node.js';
import { parseInfo } from './resp.js';
import { ServerlessEndpoint } from './serverless-endpoint.js';
import type { TlsMaterial } from './tls-material.js';

/** The emulator's own ACL user on serverless nodes (never one of the cache's users). */
export const ADMIN_USER = 'elasticache-kit-admin';

export interface ServerlessRuntimeOptions {
  name: string;
  engineBinary: string;
  /** An IP address: the nodes announce it as their cluster address. */
  host: string;
  dataDir: string;
  tls: TlsMaterial;
  /** The cache's users; undefined: no user group (the default user, no AUTH). */
  users?: AclUser[];
  ecpuPerSecondMaximum?: number;
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

interface Member {
  nodeId: string;
  role: 'primary' | 'replica';
  process: RedisNode;
}

export class ServerlessRuntime {
  private limiter: EcpuLimiter | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    options: ServerlessRuntimeOptions,
    private readonly members: Member[],
    private readonly writer: ServerlessEndpoint,
    private readonly reader: ServerlessEndpoint,
  ) {
    this.setEcpuLimit(options.ecpuPerSecondMaximum);
  }

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
    const started: RedisNode[] = [];
    const endpoints: ServerlessEndpoint[] = [];
    let runtime: ServerlessRuntime | undefined;
    try {
      // The endpoints first: their ports are what the nodes announce. They look the
      // members up per connection (the replica connects through the Endpoint while forming).
      const members: Member[] = [];
      const target = (role: 'primary' | 'replica') => () => {
        const member = members.find((m) => m.role === role && m.process.alive);
        return member ? { host: options.host, port: member.process.port } : undefined;
      };
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

      const adminPassword = randomBytes(24).toString('hex');
      const specs = [
        { nodeId: `${options.name}-0001-001`, role: 'primary' as const, announcePort: writer.port },
        { nodeId: `${options.name}-0001-002`, role: 'replica' as const, announcePort: reader.port },
      ];
      const busPorts: number[] = [];
      for (const spec of specs) {
        const busPort = await freePort(options.host);
        const node = await RedisNode.start({
          binary: options.engineBinary,
          host: options.host,
          dir: join(options.dataDir, spec.nodeId),
          username: ADMIN_USER,
          password: adminPassword,
          tls: {
            mode: 'required',
            certFile: options.tls.certFile,
            keyFile: options.tls.keyFile,
            caCertFile: options.tls.caCertFile,
          },
          extraConfig: [
            'cluster-enabled yes',
            'cluster-config-file "nodes.conf"',
            `cluster-port ${busPort}`,
            'cluster-node-timeout 5000',
            'tls-cluster yes',
            `cluster-announce-ip ${options.host}`,
            `cluster-announce-tls-port ${spec.announcePort}`,
            'cluster-replica-validity-factor 0',
          ],
          readyTimeoutMs: options.readyTimeoutMs,
          log: options.log,
        });
        started.push(node);
        members.push({ nodeId: spec.nodeId, role: spec.role, process: node });
        busPorts.push(busPort);
      }
      const [primary, replica] = members as [Member, Member];
      await primary.process.command('CLUSTER', 'ADDSLOTSRANGE', 0, 16383);
      await primary.process.command('CLUSTER', 'MEET', options.host, replica.process.port, busPorts[1]!);
      const primaryId = String(await primary.process.command('CLUSTER', 'MYID'));
      const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
      // REPLICATE needs the primary known to the replica: gossip spreads the MEET.
      for (;;) {
        try {
          await replica.process.command('CLUSTER', 'REPLICATE', primaryId);
          break;
        } catch (error) {
          if (Date.now() > deadline) throw new Error(`the replica could not replicate: ${(error as Error).message}`);
          await sleep(100);
        }
      }
      runtime = new ServerlessRuntime(options, members, writer, reader);
      while (!(await runtime.healthy())) {
        if (Date.now() > deadline)
          throw new Error('the cluster did not reach cluster_state:ok with its replica linked');
        await sleep(100);
      }
      await runtime.applyUsers(options.users);
      log(
        `running: endpoint ${options.host}:${writer.port}, reader endpoint ${options.host}:${reader.port}, ${members.map((m) => `${m.nodeId}=${m.process.port}`).join(' ')}`,
      );
      return runtime;
    } catch (error) {
      await Promise.allSettled(endpoints.map((endpoint) => endpoint.close()));
      await Promise.allSettled(started.map((node) => node.stop(1000)));
      throw error;
    }
  }

  /** ECPUPerSecond.Maximum: a new bucket (full) per change; undefined lifts the limit. */
  setEcpuLimit(maximum: number | undefined): void {
    if (maximum === this.limiter?.perSecond) return;
    this.limiter = maximum === undefined ? undefined : new EcpuLimiter(maximum);
  }

  /**
   * Makes every node's users exactly these (undefined: the open default user only), and
   * drops the connections already authenticated, as a changed user group does on AWS.
   */
  async applyUsers(users: AclUser[] | undefined): Promise<void> {
    const wanted = users ?? [OPEN_DEFAULT_USER];
    for (const member of this.members) {
      if (!member.process.alive) continue;
      const existing = (await member.process.command('ACL', 'USERS')) as string[];
      for (const user of wanted) await member.process.command(...aclSetUserArgs(user));
      const keep = new Set([ADMIN_USER, ...wanted.map((user) => user.userName)]);
      for (const name of existing) if (!keep.has(name)) await member.process.command('ACL', 'DELUSER', name);
    }
  }

  /** cluster_state:ok on both nodes and the replica's link up. */
  async healthy(): Promise<boolean> {
    try {
      for (const member of this.members) {
        const cluster = parseInfo(String(await member.process.command('CLUSTER', 'INFO')));
        if (cluster.get('cluster_state') !== 'ok') return false;
        if (Number(cluster.get('cluster_known_nodes')) !== this.members.length) return false;
        const replication = await member.process.info('replication');
        if (replication.get('role') === 'slave' && replication.get('master_link_status') !== 'up') return false;
        // Every node's CLUSTER SLOTS names the replica too (gossip has spread the REPLICATE).
        const slots = (await member.process.command('CLUSTER', 'SLOTS')) as unknown[][];
        if (slots.length !== 1 || slots[0]!.length !== 2 + this.members.length) return false;
      }
      return true;
    } catch {
      return false;
    }
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
    })();
    return this.stopping;
  }
}
