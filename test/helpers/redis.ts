/**
 * Real redis-server processes for tests: a free port, a temp dir, stop() kills the
 * process and removes the dir. No emulator involved (plain `replicaof`).
 *
 *   const redis = await startRedisServer();
 *   t.after(() => redis.stop());
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisNode } from '../../src/local/redis-node.js';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';

export interface TestRedis {
  host: string;
  port: number;
  pid: number;
  /** The node's temp dir (redis.conf, redis.log). */
  dir: string;
  /** Kills the process and removes its temp dir; safe to call twice. */
  stop(): Promise<void>;
}

export interface StartRedisOptions {
  /** Extra redis-server arguments, e.g. ['--maxmemory', '10mb']. */
  args?: string[];
  replicaOf?: { host: string; port: number };
  /** requirepass + masterauth (written to a 0600 config file, not argv). */
  password?: string;
}

export async function startRedisServer(options: StartRedisOptions = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'eck-redis-'));
  let node: RedisNode;
  try {
    node = await RedisNode.start({
      binary: REDIS_SERVER,
      host: '127.0.0.1',
      dir,
      password: options.password,
      replicaOf: options.replicaOf,
      extraArgs: options.args,
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port: node.port,
    pid: node.pid,
    dir,
    stop: () => (stopped ??= node.stop(1000).finally(() => rmSync(dir, { recursive: true, force: true }))),
  };
}

export interface TestReplicatedRedis {
  primary: TestRedis;
  replicas: TestRedis[];
  /** Stops every process (replicas first) and removes the dirs. */
  stop(): Promise<void>;
}

/**
 * A primary and `replicas` replicas with plain `replicaof`; resolves once every
 * replica reports master_link_status:up (or rejects after stopping everything).
 */
export async function startReplicatedRedis(
  replicas: number,
  options: { password?: string } = {},
): Promise<TestReplicatedRedis> {
  const primary = await startRedisServer({ password: options.password });
  const started: TestRedis[] = [];
  const stop = async () => {
    await Promise.all(started.map((replica) => replica.stop()));
    await primary.stop();
  };
  try {
    for (let i = 0; i < replicas; i++) {
      started.push(
        await startRedisServer({ password: options.password, replicaOf: { host: '127.0.0.1', port: primary.port } }),
      );
    }
    await waitForLinks(started, options.password);
  } catch (error) {
    await stop();
    throw error;
  }
  return { primary, replicas: started, stop };
}

async function waitForLinks(replicas: TestRedis[], password: string | undefined, timeoutMs = 15_000): Promise<void> {
  const { parseInfo, respCommand } = await import('../../src/local/resp.js');
  const deadline = Date.now() + timeoutMs;
  for (const replica of replicas) {
    for (;;) {
      const info = parseInfo(
        String(await respCommand({ host: replica.host, port: replica.port, password }, 'INFO', 'replication')),
      );
      if (info.get('master_link_status') === 'up') break;
      if (Date.now() > deadline) throw new Error(`replica on port ${replica.port} did not sync within ${timeoutMs} ms`);
      await sleep(50);
    }
  }
}

/** Calls per command name on a node, from INFO commandstats (what the server counted). */
export async function commandCalls(port: number, host = '127.0.0.1'): Promise<Map<string, number>> {
  const { Redis } = await import('ioredis');
  const redis = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    const calls = new Map<string, number>();
    for (const match of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
      calls.set(match[1]!, Number(match[2]));
    return calls;
  } finally {
    redis.disconnect();
  }
}
