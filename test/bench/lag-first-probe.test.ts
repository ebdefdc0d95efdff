/**
 * A run stopped before any probe finished (a 1 s run on a busy machine, the probe thread
 * still connecting) still reports one probe per replica: stopping waits for it. A probe that
 * the end of the run cuts short is not a timeout. Real redis-server replication, no emulator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectTestClient, pollUntil, startReplicatedRedis } from '../helpers/redis.js';
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

test('a probe the end of the run cuts short is neither a timeout nor a finished probe', async (t) => {
  const group = await startReplicatedRedis(1);
  t.after(() => group.stop());
  const replicaPort = group.replicas[0]!.port;
  const prober = new LagProber(
    { id: 'p', role: 'primary', address: { host: '127.0.0.1', port: group.primary.port } },
    [{ id: 'r0', role: 'replica', address: { host: '127.0.0.1', port: replicaPort } }],
    // A timeout far beyond the test: only stop() can end the probe left in flight.
    { probesPerSecond: 20, keyPrefix: 'eck:bench:cut:', ttlMs: 60_000, pollTimeoutMs: 60_000 },
  );
  await prober.start();
  prober.beginMeasuring();
  const stats = prober.stats.get('r0')!;
  await pollUntil(
    async () => stats.lag.totalCount >= 1,
    10_000,
    () => 'no probe was seen on the replica',
  );

  const replica = await connectTestClient(replicaPort);
  t.after(() => replica.disconnect());
  await replica.replicaof('NO', 'ONE');
  // The replica's keys are frozen from here: a probe whose key it lacks is never seen, and
  // the prober (one probe at a time) polls it until stop().
  await pollUntil(
    async () => (await replica.exists(prober.keyOf(prober.acknowledged.at(-1)!.seq))) === 0,
    10_000,
    () => 'no probe was written after the replica stopped replicating',
  );
  const stopping = performance.now();
  await prober.stop();
  assert.ok(performance.now() - stopping < 10_000, 'stop() ended the probe in flight');
  assert.equal(stats.timeouts, 0, 'the probe cut short is not a timeout');
  assert.equal(stats.errors, 0);
  assert.equal(stats.probes, stats.lag.totalCount, 'every finished probe was seen');
  assert.equal(stats.readsAfterWrite, stats.probes + 1, "the cut-short probe's first read still counts");
});
