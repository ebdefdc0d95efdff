/**
 * ioredis connections for everything but the hot path: prefill checks, lag probes,
 * INFO sampling, cleanup. A node that goes away is retried without end (the run goes
 * on), and commands fail fast while it is down instead of queueing, so probes count
 * errors instead of stalling.
 */
import { Redis } from 'ioredis';
import type { NodeAddress } from './load-connection.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { isThrottled, throttledRetryPause } from './stats.js';

/**
 * `readOnly`: READONLY at every connect, so a cluster replica answers reads of its slots.
 *
 * A serverless cache at its ECPU/s limit throttles any command, those a connection sends
 * as it connects too. So there is no INFO ready check (a throttled one fails the connect,
 * and ioredis then reconnects without end, even after the caller has given up on it), and
 * READONLY is not ioredis's `readOnly` handshake (which ignores a refusal, leaving a
 * replica connection that gets MOVED for every read): it is sent on 'ready', ahead of
 * anything the caller sends after connect(), and again while throttled (readOnlySet()).
 */
export function openControl(address: NodeAddress, name: string, readOnly = false): Redis {
  const redis = new Redis({
    host: address.host,
    port: address.port,
    ...(address.tls ? { tls: address.tls } : {}),
    ...(address.username ? { username: address.username } : {}),
    ...(address.password !== undefined ? { password: address.password } : {}),
    // RESP2: replies as plain strings; no HELLO, no CLIENT SETINFO on managed servers.
    protocol: 2,
    disableClientInfo: true,
    connectionName: name,
    lazyConnect: true,
    enableReadyCheck: false,
    enableAutoPipelining: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    commandTimeout: 5000,
    // disconnect() waits this long for a socket that is already gone (default 2 s).
    disconnectTimeout: 100,
    retryStrategy: (times: number) => Math.min(1000, 50 * 2 ** Math.min(times, 5)),
  });
  // Errors surface on the commands; the 'error' event would otherwise crash the process.
  redis.on('error', () => undefined);
  if (readOnly) {
    redis.on('ready', () => {
      const sent = whileThrottled(() => redis.readonly()).then(
        () => undefined,
        // Refused (a reader endpoint that is no cluster node): it reads anyway.
        () => undefined,
      );
      readOnlySent.set(redis, sent);
    });
  }
  return redis;
}

const readOnlySent = new WeakMap<Redis, Promise<void>>();

/** Resolves once the READONLY of the current connection is answered (at once without one). */
export function readOnlySet(redis: Redis): Promise<void> {
  return readOnlySent.get(redis) ?? Promise.resolve();
}

/**
 * Disconnects once. (A second disconnect() on a closed ioredis connection leaves a 2 s
 * timer behind that keeps the process alive.)
 */
export function closeControl(redis: Redis | undefined): void {
  if (!redis || redis.status === 'end') return;
  redis.disconnect();
}

/**
 * Connects, or throws the connection error (first contact: wrong port, TLS, AUTH). A
 * throttled connect (AUTH refused for the cache's ECPU/s limit) is tried again on a new
 * connection, as whileThrottled does with a command.
 */
export function connectControl(address: NodeAddress, name: string, readOnly = false): Promise<Redis> {
  return whileThrottled(() => connectOnce(address, name, readOnly));
}

async function connectOnce(address: NodeAddress, name: string, readOnly: boolean): Promise<Redis> {
  const redis = openControl(address, name, readOnly);
  // ioredis reports why a connection failed (WRONGPASS, ECONNREFUSED, a TLS error) on its
  // 'error' event and rejects connect() only with "Connection is closed": keep the cause.
  let cause: Error | undefined;
  const remember = (error: Error) => (cause ??= error);
  redis.on('error', remember);
  try {
    await redis.connect();
    await whileThrottled(() => redis.ping());
    await readOnlySet(redis);
    return redis;
  } catch (error) {
    closeControl(redis);
    throw cause ?? error;
  } finally {
    redis.off('error', remember);
  }
}

/** `INFO <section>` as a key → value map. */
export function parseInfo(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) map.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return map;
}

/** Escapes glob characters so SCAN MATCH takes the prefix literally. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => '\\' + c);
}

/**
 * Removes every key under `prefix` with SCAN MATCH + UNLINK (never KEYS or FLUSH*).
 * Returns how many keys were removed.
 */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  const match = escapeGlob(prefix) + '*';
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await whileThrottled(() => redis.scan(cursor, 'MATCH', match, 'COUNT', 1000));
    cursor = next;
    // SCAN may return a key twice; UNLINK of a missing key is harmless.
    const mine = keys.filter((key) => key.startsWith(prefix));
    if (mine.length === 0) continue;
    // One key per UNLINK: a cluster node refuses a multi-key UNLINK across slots (CROSSSLOT).
    const pipeline = redis.pipeline();
    for (const key of mine) pipeline.unlink(key);
    const results = (await pipeline.exec()) ?? [];
    for (const [i, [error, count]] of results.entries()) {
      if (error && /^(MOVED|ASK) /.test(error.message)) {
        removed += await unlinkInMigratingSlot(redis, mine[i]!);
        continue;
      }
      if (error && !isThrottled(error.message)) throw error;
      // Throttled (a serverless cache at its ECPU/s limit): that one again, after a pause.
      removed += Number(error ? await whileThrottled(() => redis.unlink(mine[i]!)) : count);
    }
  } while (cursor !== '0');
  return removed;
}

/**
 * A key in a slot that is moving (a shard added or resharded while bench ran): the importing
 * node answers MOVED until the move ends, but takes the UNLINK after ASKING; the source
 * answers ASK once the key has moved on, and the key is then removed on the node it moved to.
 */
async function unlinkInMigratingSlot(redis: Redis, key: string): Promise<number> {
  const [, [error, count] = [null, 0]] = (await redis.pipeline().asking().unlink(key).exec()) ?? [];
  if (error && !/^(MOVED|ASK) /.test(error.message)) throw error;
  return error ? 0 : Number(count);
}

/**
 * Runs a command again while a serverless cache throttles it (its ECPU/s limit refills
 * within a second), backing off up to 1 s a try, for about 15 s in all; anything else throws.
 */
export async function whileThrottled<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const pause = error instanceof Error && isThrottled(error.message) ? throttledRetryPause(attempt) : undefined;
      if (pause === undefined) throw error;
      await sleep(pause);
    }
  }
}
