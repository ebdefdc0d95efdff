/**
 * Counting lost writes: of the acknowledged probe writes (before the failover was
 * noticed), those absent on the new primary. Checked against a real redis-server that
 * holds only some of them, as a promoted replica would after a lossy failover.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectTestClient, startRedisServer } from '../helpers/redis.js';
import { LagProber, countLostWrites } from '../../src/bench/lag.js';

test('acknowledged probe writes missing on the new primary are counted as lost', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const client = await connectTestClient(redis.port);
  t.after(() => client.disconnect());
  // Never started: its connections stay unopened; only its bookkeeping is used.
  const node = (id: string, role: 'primary' | 'replica') => ({
    id,
    role,
    address: { host: '127.0.0.1', port: redis.port },
  });
  const prober = new LagProber(node('p', 'primary'), [node('r', 'replica')], {
    probesPerSecond: 10,
    keyPrefix: 'eck:bench:lost:',
    ttlMs: 60_000,
    pollTimeoutMs: 1000,
  });
  for (let seq = 1; seq <= 1200; seq++) prober.acknowledged.push({ seq, at: seq });
  // The new primary received writes 1..1000 except every 100th; 1001.. were never replicated.
  const pipeline = client.pipeline();
  for (let seq = 1; seq <= 1000; seq++) if (seq % 100 !== 0) pipeline.set(prober.keyOf(seq), String(seq), 'PX', 60_000);
  await pipeline.exec();

  assert.deepEqual(await countLostWrites(client, prober.acknowledged, 'eck:bench:lost:'), { checked: 1200, lost: 210 });
  // Only writes acknowledged before the failover was noticed count.
  assert.deepEqual(await countLostWrites(client, prober.acknowledged, 'eck:bench:lost:', 1000), {
    checked: 1000,
    lost: 10,
  });
  await prober.stop();
});
