/**
 * A serverless cache heals like the service: when its primary process dies, the replica
 * takes over behind the same Endpoint (data kept) and a new replica joins behind the same
 * ReaderEndpoint; when the replica dies, a new one joins. The cache stays `available`,
 * CLUSTER SLOTS keeps naming only the two endpoints, and the state file follows the pids.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DescribeServerlessCachesCommand, CreateServerlessCacheCommand } from '@aws-sdk/client-elasticache';
import { Redis } from 'ioredis';
import { startTestEmulator } from '../helpers/emulator.js';
import { waitForServerlessCache } from '../helpers/serverless.js';
import { caCertPath } from '../../src/local/tls-material.js';
import { processAlive, readState } from '../../src/local/state.js';

async function eventually<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`${what} did not happen in time (${String(lastError)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a dead primary or replica is replaced behind the same endpoints', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const client = emulator.elasticache;
  await client.send(new CreateServerlessCacheCommand({ ServerlessCacheName: 'heal', Engine: 'redis' }));
  const cache = await waitForServerlessCache(client, 'heal', 'available');
  const ca = readFileSync(caCertPath(emulator.stateDir));
  const endpoint = { host: cache.Endpoint!.Address!, port: cache.Endpoint!.Port! };
  const reader = { host: cache.ReaderEndpoint!.Address!, port: cache.ReaderEndpoint!.Port! };

  /** One command on a fresh connection (a client reconnecting after the blip). */
  const once = async <T>(to: { host: string; port: number }, run: (redis: Redis) => Promise<T>): Promise<T> => {
    const redis = new Redis({
      ...to,
      tls: { ca },
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return await run(redis);
    } finally {
      redis.disconnect();
    }
  };
  const roleBehind = (to: { host: string; port: number }) =>
    once(to, async (redis) => /role:(\w+)/.exec(String(await redis.info('replication')))![1]);
  const slotNodes = () =>
    once(endpoint, async (redis) =>
      ((await redis.cluster('SLOTS')) as unknown as [number, number, ...[string, number][]][])[0]!
        .slice(2)
        .map((node) => (node as [string, number])[1]),
    );
  const record = () => readState(emulator.stateDir).serverlessCaches!.find((c) => c.name === 'heal')!;

  await once(endpoint, (redis) => redis.set('kept', 'yes'));
  await eventually('the write reaching the replica', () =>
    once(reader, async (redis) => {
      await redis.call('READONLY');
      return (await redis.get('kept')) ?? undefined;
    }),
  );

  // The primary dies.
  const primary = record().nodes.find((node) => node.role === 'primary')!;
  process.kill(primary.pid!, 'SIGKILL');
  await eventually('a primary behind the Endpoint again', async () =>
    (await roleBehind(endpoint)) === 'master' && (await once(endpoint, (redis) => redis.set('after', '1'))) === 'OK'
      ? true
      : undefined,
  );
  assert.equal(await once(endpoint, (redis) => redis.get('kept')), 'yes', 'the replica that took over had the data');
  await eventually('a new replica behind the ReaderEndpoint, in the state file', async () =>
    (await roleBehind(reader)) === 'slave' && (await slotNodes()).length === 2 && record().nodes.length === 2
      ? true
      : undefined,
  );
  assert.deepEqual(await slotNodes(), [endpoint.port, reader.port], 'CLUSTER SLOTS still names only the endpoints');
  let nodes = record().nodes;
  assert.equal(nodes.length, 2);
  assert.ok(!nodes.some((node) => node.pid === primary.pid), 'the dead pid left the state file');
  assert.ok(nodes.every((node) => processAlive(node.pid!)));

  // The replica dies.
  const replica = nodes.find((node) => node.role === 'replica')!;
  process.kill(replica.pid!, 'SIGKILL');
  await eventually('another replica', async () => {
    const now = record().nodes.find((node) => node.role === 'replica');
    return now && now.pid !== replica.pid && (await roleBehind(reader)) === 'slave' && (await slotNodes()).length === 2
      ? true
      : undefined;
  });
  nodes = record().nodes;
  assert.ok(nodes.every((node) => processAlive(node.pid!)));
  const described = await client.send(new DescribeServerlessCachesCommand({ ServerlessCacheName: 'heal' }));
  assert.equal(described.ServerlessCaches![0]!.Status, 'available', 'the cache stayed available');
});
