/**
 * A run stopped before any probe finished (a 1 s run on a busy machine, the probe thread
 * still connecting) still reports one probe per replica: stopping waits for it.
 * Real redis-server replication, no emulator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startReplicatedRedis } from '../helpers/redis.js';
import { LagProber } from '../../src/bench/lag.js';

test('stop() right after the measurement began still leaves one finished probe per replica', async (t) => {
  const group = await startReplicatedRedis(2);
  t.after(() => group.stop());
  const node = (id: string, role: 'primary' | 'replica', port: number) => ({
    id,
    role,
    address: { host: '127.0.0.1', port },
  });
  const replicas = group.replicas.map((r, i) => node(`r${i}`, 'replica', r.port));
  const prober = new LagProber(node('p', 'primary', group.primary.port), replicas, {
    probesPerSecond: 20,
    keyPrefix: 'eck:bench:first:',
    ttlMs: 60_000,
    pollTimeoutMs: 2000,
  });
  prober.start();
  prober.beginMeasuring();
  // Stopped at once: the connections are not even open yet.
  await prober.stop();
  for (const replica of replicas) {
    const stats = prober.stats.get(replica.id);
    assert.ok(stats);
    assert.equal(stats.errors + stats.timeouts, 0, `${replica.id}: the probe neither failed nor timed out`);
    assert.ok(stats.lag.totalCount >= 1, `${replica.id}: one lag sample (${stats.lag.totalCount})`);
    assert.ok(stats.readsAfterWrite >= 1, `${replica.id}: one read after write`);
  }
  assert.ok(prober.acknowledged.length >= 1, 'the probe write was acknowledged');
});

test('a replica that cannot be reached: its failed poll is the finished probe, stop() does not hang', async (t) => {
  const group = await startReplicatedRedis(0);
  t.after(() => group.stop());
  const prober = new LagProber(
    { id: 'p', role: 'primary', address: { host: '127.0.0.1', port: group.primary.port } },
    // Port 1: nothing listens there.
    [{ id: 'gone', role: 'replica', address: { host: '127.0.0.1', port: 1 } }],
    { probesPerSecond: 20, keyPrefix: 'eck:bench:gone:', ttlMs: 60_000, pollTimeoutMs: 500 },
  );
  prober.start();
  prober.beginMeasuring();
  const started = performance.now();
  await prober.stop();
  assert.ok(performance.now() - started < 5000, 'stop() returned');
  const stats = prober.stats.get('gone');
  assert.ok(stats && stats.errors >= 1, 'the failed poll is counted as an error');
});
