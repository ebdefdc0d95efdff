/**
 * bench against real redis-server replication (no emulator): a short run's report, and
 * a replica killed mid-run. Runs the built CLI as a user would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { runCli } from '../helpers/cli.js';
import { startReplicatedRedis } from '../helpers/redis.js';
import type { BenchReport } from '../../src/bench/report.js';

async function benchKeysOn(port: number): Promise<string[]> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', 'eck:bench:*', 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  } finally {
    redis.disconnect();
  }
}

test('a short run reports every node, lag per replica, and leaves no bench key', async (t) => {
  const group = await startReplicatedRedis(2);
  t.after(() => group.stop());
  const target = [
    '--primary',
    `127.0.0.1:${group.primary.port}`,
    ...group.replicas.flatMap((r) => ['--replica', `127.0.0.1:${r.port}`]),
  ];
  const result = await runCli([
    '--output',
    'json',
    'bench',
    ...target,
    '--test-time',
    '1.5',
    '--warmup',
    '0.2',
    '--clients',
    '4',
    '--key-maximum',
    '2000',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as BenchReport;
  assert.equal(report.nodes.length, 3);
  for (const node of report.nodes) {
    assert.ok(node.ops > 0, `${node.id} ops`);
    assert.ok(node.hits > 0, `${node.id} hits`);
    assert.equal(node.errors, 0, `${node.id} errors`);
    assert.ok(
      node.latencyMs.p50 > 0 && node.latencyMs.p50 <= node.latencyMs.p99 && node.latencyMs.p99 <= node.latencyMs.max,
    );
  }
  const primary = report.nodes.find((n) => n.role === 'primary')!;
  assert.ok(primary.sets > 0 && primary.gets > 0, 'the primary gets the SET:GET mix');
  for (const replica of report.nodes.filter((n) => n.role === 'replica'))
    assert.equal(replica.sets, 0, 'replicas get no SETs');
  assert.equal(report.replication.length, 2);
  for (const r of report.replication) {
    assert.ok(r.seen > 5, `${r.node} lag samples`);
    assert.ok(r.lagMs.p50 >= 0 && r.lagMs.p50 < 1000);
    assert.ok(r.pollRttMs.p50 > 0);
    assert.ok(r.staleReadRatio >= 0 && r.staleReadRatio <= 1);
  }
  assert.ok(report.client.cpuPercent > 0);
  assert.equal(report.cleanup.keysLeft, 0);
  assert.ok(report.cleanup.keysRemoved >= 2000);
  assert.match(report.startedAt, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(await benchKeysOn(group.primary.port), [], 'no bench key left on the primary');
  await sleep(100);
  assert.deepEqual(await benchKeysOn(group.replicas[0]!.port), [], 'nor on a replica');
});

/** Waits until the server has answered at least `count` GETs (INFO commandstats). */
async function waitForGets(port: number, count: number, timeoutMs: number): Promise<void> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const calls = /^cmdstat_get:calls=(\d+)/m.exec(await redis.info('commandstats'));
      if (calls && Number(calls[1]) >= count) return;
      await sleep(50);
    }
  } finally {
    redis.disconnect();
  }
}

test('a replica killed mid-run: the run completes, that node shows errors and unavailability, the others keep going', async (t) => {
  const group = await startReplicatedRedis(2);
  t.after(() => group.stop());
  const [survivor, victim] = group.replicas as [(typeof group.replicas)[0], (typeof group.replicas)[0]];
  const target = [
    '--primary',
    `127.0.0.1:${group.primary.port}`,
    '--replica',
    `127.0.0.1:${survivor.port}`,
    '--replica',
    `127.0.0.1:${victim.port}`,
  ];
  const running = runCli([
    '--output',
    'json',
    'bench',
    ...target,
    '--test-time',
    '3',
    '--warmup',
    '0',
    '--clients',
    '4',
    '--key-maximum',
    '1000',
  ]);
  // Kill it once it is serving the load (startup and prefill take longer on a busy machine
  // than any fixed sleep, and bench threads boot too), then a little into the measurement.
  await waitForGets(victim.port, 200, 20_000);
  await sleep(800);
  await victim.stop();
  const result = await running;
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as BenchReport;
  const dead = report.nodes.find((n) => n.port === victim.port)!;
  const alive = report.nodes.filter((n) => n.port !== victim.port);
  assert.ok(dead.errors > 0, 'the killed replica counts errors');
  assert.ok(dead.ops > 0, 'it served requests before it died');
  assert.equal(dead.unavailable.length, 1);
  assert.equal(dead.unavailable[0]!.ongoing, true);
  assert.ok(
    dead.unavailable[0]!.startS > 0.3 && dead.unavailable[0]!.startS < 3,
    `went down mid-run (${dead.unavailable[0]!.startS})`,
  );
  assert.ok(report.unavailability.some((u) => u.node === dead.id));
  for (const node of alive) {
    assert.equal(node.errors, 0, `${node.id} has no errors`);
    assert.ok(node.ops > dead.ops / 2, `${node.id} kept its throughput`);
    assert.deepEqual(node.unavailable, []);
  }
  const deadLag = report.replication.find((r) => r.node === dead.id)!;
  assert.ok(deadLag.errors > 0, 'lag probes to the dead replica fail');
  assert.ok(report.replication.find((r) => r.node !== dead.id)!.seen > 10);
  assert.equal(report.cleanup.keysLeft, 0);
});
