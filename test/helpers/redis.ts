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
import { Redis } from 'ioredis';
import { RedisNode } from '../../src/local/redis-node.js';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';

export interface TestRedis {
  host: string;
  port: number;
  pid: number;
  /** The node's temp dir (redis.conf, redis.log). */
  dir: string;
  /** The last lines of its log (RedisNode.logTail), for error messages. */
  logTail(lines?: number): string;
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
    logTail: (lines) => node.logTail(lines),
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
    await waitForLinks(primary, started, options.password);
  } catch (error) {
    await stop();
    throw error;
  }
  return { primary, replicas: started, stop };
}

async function waitForLinks(
  primary: TestRedis,
  replicas: TestRedis[],
  password: string | undefined,
  timeoutMs = 15_000,
): Promise<void> {
  const { parseInfo, respCommand } = await import('../../src/local/resp.js');
  const deadline = Date.now() + timeoutMs;
  for (const replica of replicas) {
    for (;;) {
      const info = parseInfo(
        String(await respCommand({ host: replica.host, port: replica.port, password }, 'INFO', 'replication')),
      );
      if (info.get('master_link_status') === 'up') break;
      if (Date.now() > deadline) {
        // What the replica says of its link, and the end of both logs: why it did not sync.
        const state = ['master_host', 'master_port', 'master_link_status', 'master_sync_in_progress']
          .map((key) => `${key}:${info.get(key)}`)
          .join(' ');
        throw new Error(
          `replica on port ${replica.port} did not sync within ${timeoutMs} ms (${state})\n` +
            `replica log: ${replica.logTail(20)}\nprimary log: ${primary.logTail(20)}`,
        );
      }
      await sleep(50);
    }
  }
}

/** How many times the server has run `command` (INFO commandstats), 0 before the first. */
export async function commandCalls(node: { host: string; port: number }, command: string): Promise<number> {
  const { respCommand } = await import('../../src/local/resp.js');
  const stats = String(await respCommand({ host: node.host, port: node.port }, 'INFO', 'commandstats'));
  const calls = new RegExp(`^cmdstat_${command.toLowerCase()}:calls=(\\d+)`, 'm').exec(stats);
  return calls ? Number(calls[1]) : 0;
}

/** Polls `done` every `intervalMs` until it holds; after `timeoutMs`, throws what `failure` says. */
export async function pollUntil(
  done: () => Promise<boolean>,
  timeoutMs: number,
  failure: () => string,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(failure());
    await sleep(intervalMs);
  }
}

/**
 * Resolves once the server has run `command` at least `count` times: the event "it is
 * serving this load", instead of a sleep that guesses how long start-up takes.
 */
export async function waitForCommandCalls(
  node: { host: string; port: number },
  command: string,
  count: number,
  timeoutMs = 20_000,
): Promise<void> {
  await pollUntil(
    async () => (await commandCalls(node, command)) >= count,
    timeoutMs,
    () => `port ${node.port} did not run ${command} ${count} times in ${timeoutMs} ms`,
  );
}

/**
 * Resolves once `replica` has applied everything `primary` had written when this was
 * called (its replication offset reached the primary's): after it, a read on the replica
 * sees those writes.
 */
export async function waitForReplicaCatchUp(
  primary: { host: string; port: number },
  replica: { host: string; port: number },
  timeoutMs = 15_000,
): Promise<void> {
  const { parseInfo, respCommand } = await import('../../src/local/resp.js');
  const offset = async (node: { host: string; port: number }, field: string) =>
    Number(
      parseInfo(String(await respCommand({ host: node.host, port: node.port }, 'INFO', 'replication'))).get(field),
    );
  const target = await offset(primary, 'master_repl_offset');
  await pollUntil(
    async () => (await offset(replica, 'slave_repl_offset')) >= target,
    timeoutMs,
    () => `replica on port ${replica.port} did not catch up within ${timeoutMs} ms`,
    10,
  );
}

/** Resolves once at least `count` keys match `pattern` on the node. */
export async function waitForKeys(
  node: { address: string; port: number },
  pattern: string,
  count: number,
  timeoutMs = 20_000,
): Promise<void> {
  let found = 0;
  await pollUntil(
    async () => {
      found = (await keysMatching(node.port, pattern, node.address)).length;
      return found >= count;
    },
    timeoutMs,
    () => `port ${node.port}: ${found} keys match ${pattern}, not ${count}, after ${timeoutMs} ms`,
  );
}

/**
 * An ioredis client for a test to look at a node with: connected before it resolves, one
 * attempt per command, no reconnecting (a test sees a failure instead of a retry loop);
 * `secure` adds TLS (trusting `ca`) and the AUTH token.
 * Disconnect it in t.after.
 */
export async function connectTestClient(
  port: number,
  host = '127.0.0.1',
  secure: { ca?: Buffer; password?: string } = {},
): Promise<Redis> {
  const redis = new Redis({
    host,
    port,
    ...(secure.ca ? { tls: { ca: secure.ca } } : {}),
    ...(secure.password !== undefined ? { password: secure.password } : {}),
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  return redis;
}

/** Every key matching `pattern` on the node (SCAN, no KEYS), through a connection of its own. */
export async function keysMatching(port: number, pattern: string, host = '127.0.0.1'): Promise<string[]> {
  const redis = await connectTestClient(port, host);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  } finally {
    redis.disconnect();
  }
}
