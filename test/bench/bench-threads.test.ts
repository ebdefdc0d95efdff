/**
 * bench --threads against real redis-server: what the threads report adds up to what the
 * servers counted (INFO commandstats), and the merged histogram is the sum of the per-thread
 * ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../helpers/cli.js';
import { connectTestClient, startReplicatedRedis, startRedisServer } from '../helpers/redis.js';
import { ThreadedWorkload } from '../../src/bench/threaded-load.js';
import { benchValue, type LoadNode } from '../../src/bench/workload.js';
import { HdrHistogram } from '../../src/bench/histogram.js';
import type { BenchReport } from '../../src/bench/report.js';

/** calls per command name, from INFO commandstats. */
async function commandCalls(port: number): Promise<Map<string, number>> {
  const redis = await connectTestClient(port);
  try {
    const calls = new Map<string, number>();
    for (const match of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
      calls.set(match[1]!, Number(match[2]));
    return calls;
  } finally {
    redis.disconnect();
  }
}

test('--threads 2: per-node ops equal what each server counted', async (t) => {
  const group = await startReplicatedRedis(1);
  t.after(() => group.stop());
  const keyMaximum = 1000;
  const requests = 6000;
  const result = await runCli([
    '--output',
    'json',
    'bench',
    '--primary',
    `127.0.0.1:${group.primary.port}`,
    '--replica',
    `127.0.0.1:${group.replicas[0]!.port}`,
    '--threads',
    '2',
    '--clients',
    '3',
    '--pipeline',
    '4',
    '--requests',
    String(requests),
    // No warmup and no lag probes: then every SET/GET the servers saw is prefill or measured load.
    '--warmup',
    '0',
    '--lag-probes',
    '0',
    '--key-maximum',
    String(keyMaximum),
  ]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as BenchReport;
  const primary = report.nodes.find((n) => n.role === 'primary')!;
  const replica = report.nodes.find((n) => n.role === 'replica')!;
  assert.equal(primary.ops + replica.ops, requests, '--requests is shared between the threads exactly');
  assert.ok(primary.ops > 0 && replica.ops > 0);
  assert.equal(report.cleanup.keysLeft, 0);
  const onPrimary = await commandCalls(group.primary.port);
  const onReplica = await commandCalls(group.replicas[0]!.port);
  // The primary's SETs: the prefill (one per key) plus the measured SETs.
  assert.equal(onPrimary.get('set'), keyMaximum + primary.sets, 'primary SETs');
  assert.equal(onPrimary.get('get') ?? 0, primary.gets, 'primary GETs');
  // The replica's SETs arrive by replication; its GETs are only the load's.
  assert.equal(onReplica.get('get') ?? 0, replica.gets, 'replica GETs');
  assert.equal(primary.ops, primary.sets + primary.gets);
});

test("the merged histogram is the sum of the threads' ones and counts every sample", async (t) => {
  const server = await startRedisServer();
  t.after(() => server.stop());
  const node: LoadNode = { id: 'primary', role: 'primary', address: { host: '127.0.0.1', port: server.port } };
  const workload = new ThreadedWorkload(
    [node],
    {
      clients: 4,
      pipeline: 2,
      sets: 1,
      gets: 4,
      dataSize: benchValue(16).length,
      keyMaximum: 500,
      keyPattern: 'R',
      readFrom: 'all',
      // Open loop: the merge is tested, not throughput (a closed loop would take both cores).
      rate: 2000,
      keyPrefix: 'eck:bench:threadstest:',
      ttlMs: 60_000,
      requestTimeoutMs: 5000,
      connectTimeoutMs: 2000,
    },
    2,
  );
  t.after(() => workload.abort());
  await workload.prefill(node);
  // As bench does: the threads load their modules and connect first (on a busy machine that
  // took longer than the whole measured half second, and a thread measured nothing).
  await workload.ready();
  workload.start();
  await sleep(200);
  workload.beginMeasuring();
  await sleep(500);
  // Each thread reports its progress 4 times a second: wait until both have reported measured load.
  const threadsMeasured = () => workload.perThread().every((m) => (m.get('primary')?.ops ?? 0) > 0);
  for (const deadline = Date.now() + 10_000; !threadsMeasured() && Date.now() < deadline; ) await sleep(50);
  await workload.stop();
  const merged = workload.stats.get('primary')!;
  const perThread = workload.perThread().map((m) => m.get('primary')!);
  assert.equal(perThread.length, 2);
  assert.equal(workload.connectionCount, 4, 'the clients are split between the threads');
  assert.ok(
    perThread.every((s) => s.ops > 0),
    'both threads sent load',
  );
  assert.equal(merged.ops, perThread[0]!.ops + perThread[1]!.ops);
  const latency = merged.latency();
  assert.equal(latency.totalCount, merged.ops);
  // The merge adds the threads' bucket counts, so every merged percentile is one of all the
  // samples (a percentile of the threads' percentiles would not be). Compared bucket for
  // bucket: a merged p99 need not lie between the threads' p99s, since each percentile's rank
  // is rounded to a whole sample (HdrHistogram's rule) over a different count.
  const summed = new HdrHistogram();
  for (const s of perThread) summed.add(s.latency());
  assert.deepEqual(latency.snapshot(), summed.snapshot());
  for (const p of [50, 90, 99, 99.9]) assert.equal(latency.valueAtPercentile(p), summed.valueAtPercentile(p), `p${p}`);
  assert.equal(latency.max, Math.max(...perThread.map((s) => s.latency().max)));
});
