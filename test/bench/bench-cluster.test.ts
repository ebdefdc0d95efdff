/**
 * bench on a real Redis Cluster (3 shards × 1 replica, redis-server --cluster-enabled formed by
 * the emulator's ClusterRuntime; no emulator HTTP): every shard gets load, what bench counts
 * per node and per shard equals what each server counted (INFO commandstats), a shard failover
 * mid-run is reported as such and not as errors. The runs acted on while they run (a failover,
 * a node killed, Ctrl-C) are the built CLI as a user runs it; the two that are only read
 * afterwards run the same commander program in this process (bench-cluster-emulator and
 * bench-cluster-new-shard run a cluster bench through the binary too).
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli, type RunningCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { commandCalls, connectTestClient, keysMatching } from '../helpers/redis.js';
import { hashSlot } from '../../src/bench/hash-slot.js';
import type { BenchReport } from '../../src/bench/report.js';
import { renderReport } from '../../src/bench/render.js';
import { renderReportHtml } from '../../src/bench/report-html.js';
import { DEFAULT_KEYS, FORMATS } from '../../src/config/formats/index.js';
import { endpointValues } from '../../src/config/values.js';
import type { Topology } from '../../src/topology.js';

/** bench on the cluster (2 clients per node, 500 ops/s, JSON), running; resolves once it measures. */
async function benchUntilMeasuring(t: TestContext, cluster: TestCluster, extra: string[]): Promise<RunningCli> {
  const running = spawnCli(
    [
      '--output',
      'json',
      'bench',
      '--primary',
      `${cluster.seed.host}:${cluster.seed.port}`,
      '--clients',
      '2',
      '--warmup',
      '0.2',
      // Open loop: these runs test what bench reports when the cluster changes, not throughput,
      // and a closed loop would spend both cores of a CI machine on load.
      '--rate',
      '500',
      ...extra,
    ],
    { after: t.after.bind(t) },
  );
  assert.ok(await running.stderrMatches(/bench measure/), running.stderr());
  return running;
}

// Each test has a cluster of its own: two at a time (more would crowd a 2-core machine).
describe('bench on a real Redis Cluster', { concurrency: 2 }, () => {
  test('3 shards x 1 replica: every shard gets load, and each node counted what bench counted', async (t) => {
    const cluster = await startCluster(3, 1);
    t.after(() => cluster.stop());
    const members = await cluster.runtime.view();
    // The slots bench computes are the server's (CLUSTER KEYSLOT).
    const probe = await connectTestClient(members[0]!.port);
    for (const key of ['eck:bench:0a1b2c3d:k:0042', '{user1000}.following', 'foo'])
      assert.equal(Number(await probe.call('CLUSTER', 'KEYSLOT', key)), hashSlot(key), key);
    probe.disconnect();

    const keyMaximum = 3000;
    const requests = 10_000;
    const result = await runCliInProcess([
      '--output',
      'json',
      'bench',
      '--primary',
      `${cluster.seed.host}:${cluster.seed.port}`,
      '--threads',
      '2',
      '--clients',
      '2',
      '--pipeline',
      '8',
      '--requests',
      String(requests),
      // No warmup and no lag probes: every SET/GET the servers saw is prefill or measured load.
      '--warmup',
      '0',
      '--lag-probes',
      '0',
      '--key-maximum',
      String(keyMaximum),
    ]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as BenchReport;
    assert.equal(report.shards?.length, 3);
    assert.deepEqual(
      report.shards!.map((s) => s.slots),
      ['0-5461', '5462-10922', '10923-16383'],
    );
    assert.equal(report.nodes.length, 6);
    assert.equal(report.total.ops, requests, '--requests counts over every shard');
    assert.equal(report.total.errors, 0);
    assert.equal(report.cleanup.keysLeft, 0);
    assert.ok(report.cleanup.keysRemoved >= keyMaximum);
    const html = renderReportHtml(report);
    const shardTable = /<table id="table-shards">.*?<\/table>/s.exec(html)?.[0] ?? '';
    assert.equal(shardTable.match(/<tr>/g)?.length, 4, 'the HTML report has a row per shard');
    assert.match(renderReport(report), /^shard +slots +nodes +ops\/s/m);

    for (const shard of report.shards!) {
      assert.ok(shard.ops > 0 && shard.sets > 0 && shard.gets > 0, `shard ${shard.id} got load`);
      assert.equal(shard.moved + shard.ask, 0, 'a stable cluster redirects nothing');
      const [primaryId, replicaId] = shard.nodes as [string, string];
      const primary = report.nodes.find((n) => n.id === primaryId)!;
      const replica = report.nodes.find((n) => n.id === replicaId)!;
      assert.equal(primary.role, 'primary');
      assert.equal(replica.shard, shard.id);
      assert.equal(replica.sets, 0, 'replicas get no SETs');
      assert.ok(replica.gets > 0, `replica of ${shard.id} serves reads after READONLY`);
      assert.equal(replica.misses, 0, 'the replica holds the prefilled keys of its shard');
      const calls = (node: { address: string; port: number }, command: string) =>
        commandCalls({ host: node.address, port: node.port }, command);
      // The primary's SETs: its share of the prefill (one per key of its slots) plus the measured SETs.
      const prefilled = Array.from({ length: keyMaximum }, (_, n) =>
        hashSlot(`${report.keyPrefix}k:${String(n).padStart(4, '0')}`),
      ).filter((slot) => {
        const [start, end] = shard.slots.split('-').map(Number) as [number, number];
        return slot >= start && slot <= end;
      }).length;
      assert.equal(await calls(primary, 'set'), prefilled + primary.sets, `${shard.id} primary SETs`);
      assert.equal(await calls(primary, 'get'), primary.gets, `${shard.id} primary GETs`);
      assert.equal(await calls(replica, 'get'), replica.gets, `${shard.id} replica GETs`);
      // One READONLY per load connection (2 clients) and one for the check that the prefill arrived.
      assert.equal(await calls(replica, 'readonly'), 3, 'READONLY on every replica connection');
      assert.deepEqual(
        await keysMatching(primary.port, `${report.keyPrefix}*`),
        [],
        `no bench key left on ${primaryId}`,
      );
    }
  });

  test('a shard failover mid-run: reported as a slot map change and a failover, not as errors', async (t) => {
    const cluster = await startCluster(3, 1);
    t.after(() => cluster.stop());
    const running = await benchUntilMeasuring(t, cluster, [
      '--test-time',
      '4',
      '--threads',
      '2',
      '--key-maximum',
      '2000',
    ]);
    const { newPrimary } = await cluster.runtime.failover('0002');
    // With no Topology to name them, bench names nodes by address.
    const promotedId = `127.0.0.1:${(await cluster.runtime.view()).find((m) => m.memberId === newPrimary)!.port}`;
    assert.equal(await running.exited, 0, running.stderr());
    const report = JSON.parse(running.stdout()) as BenchReport;
    const shard = report.shards!.find((s) => s.id === '0002')!;
    assert.ok(
      (report.slotMapChanges ?? []).some((c) => c.description === `5461 slots ${shard.nodes[0]} → ${promotedId}`),
      `slot map change reported: ${JSON.stringify(report.slotMapChanges)}`,
    );
    assert.equal(shard.failovers.length, 1, JSON.stringify(shard));
    assert.equal(shard.failovers[0]!.to, promotedId);
    assert.equal(report.total.errors, 0, JSON.stringify(report.nodes.map((n) => [n.id, n.errors, n.lastError])));
    // The load followed the new primary: it served SETs after the failover.
    const promoted = report.nodes.find((n) => n.id === promotedId)!;
    assert.ok(promoted.sets > 0, 'the promoted replica took the writes');
    for (const other of report.shards!.filter((s) => s.id !== '0002')) assert.equal(other.failovers.length, 0);
    // The per-second timeline (the HTML report's throughput chart) follows the threads' figures live.
    const perSecond = (report.timeline ?? []).map((p) => Object.values(p.opsPerSec).reduce((a, b) => a + b, 0));
    assert.ok(
      perSecond.length >= 3 && perSecond.every((ops) => ops > 0),
      `timeline: ${(report.timeline ?? []).map((p, i) => `t=${p.tS}s ${perSecond[i]}/s`).join(', ')}; slot map changes: ${JSON.stringify(report.slotMapChanges)}; failovers: ${JSON.stringify(shard.failovers)}; duration ${report.durationS} s`,
    );
    // The table text and the HTML report say it in words.
    const change = report.slotMapChanges![0]!;
    assert.ok(renderReport(report).includes(`slot map changed at t=${change.atS}s: ${change.description}`));
    assert.match(renderReportHtml(report), /<p class="slot-map-change">slot map changed at t=/);
    assert.equal(report.cleanup.keysLeft, 0);
  });

  test('--from-config with a cluster-mode file: the configuration endpoint seeds discovery; --read-from primary leaves replicas idle', async (t) => {
    const cluster = await startCluster(2, 1);
    t.after(() => cluster.stop());
    const dir = mkdtempSync(join(tmpdir(), 'eck-bench-cluster-config-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const topology: Topology = {
      kind: 'cluster',
      replicationGroupId: 'sharded',
      status: 'available',
      engine: 'redis',
      engineVersion: '7.0.15',
      port: cluster.seed.port,
      tls: false,
      authRequired: false,
      clusterMode: true,
      configurationEndpoint: { address: cluster.seed.host, port: cluster.seed.port },
      nodes: [],
      shards: [],
    };
    const dotenv = await FORMATS.dotenv.load();
    const file = join(dir, '.env');
    writeFileSync(file, dotenv.render({ topology, values: endpointValues(topology, {}), keys: DEFAULT_KEYS }));
    const result = await runCliInProcess([
      '--output',
      'json',
      'bench',
      '--from-config',
      file,
      '--read-from',
      'primary',
      '--requests',
      '4000',
      '--warmup',
      '0',
      '--threads',
      '1',
      '--clients',
      '2',
      '--key-maximum',
      '500',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as BenchReport;
    assert.equal(report.shards?.length, 2);
    assert.equal(report.total.ops, 4000);
    for (const node of report.nodes) {
      if (node.role === 'primary') assert.ok(node.gets > 0 && node.sets > 0, `${node.id} served the mix`);
      else assert.equal(node.ops, 0, `${node.id} (a replica) got nothing with --read-from primary`);
    }
    assert.equal(report.cleanup.keysLeft, 0);
  });

  test('a shard whose only node dies mid-run: that shard is unavailable from then on, the others keep serving', async (t) => {
    const cluster = await startCluster(3, 0);
    t.after(() => cluster.stop());
    const victim = (await cluster.runtime.view()).find((m) => m.nodeGroupId === '0003')!;
    const running = await benchUntilMeasuring(t, cluster, [
      '--test-time',
      '3',
      '--threads',
      '1',
      '--key-maximum',
      '1000',
      '--request-timeout',
      '1000',
    ]);
    process.kill(victim.pid, 'SIGKILL');
    assert.equal(await running.exited, 0, running.stderr());
    const report = JSON.parse(running.stdout()) as BenchReport;
    const down = report.shards!.find((s) => s.id === '0003')!;
    assert.equal(down.unavailable.length, 1, JSON.stringify(down));
    assert.equal(down.unavailable[0]!.node, `127.0.0.1:${victim.port}`);
    assert.ok(down.unavailable[0]!.ongoing, 'still down at the end');
    assert.ok(down.errors > 0, 'requests to the dead shard fail');
    for (const shard of report.shards!.filter((s) => s.id !== '0003')) {
      assert.equal(shard.errors, 0, `shard ${shard.id} is unaffected`);
      assert.equal(shard.unavailable.length, 0);
      assert.ok(shard.ops > 0);
    }
    assert.match(renderReport(report), new RegExp(`127\\.0\\.0\\.1:${victim.port} unreachable from [\\d.]+ s`));
  });

  test('Ctrl-C mid-run on a cluster: exit 130, and no bench key is left on any shard', async (t) => {
    const cluster = await startCluster(3, 0);
    t.after(() => cluster.stop());
    const running = await benchUntilMeasuring(t, cluster, [
      '--test-time',
      '30',
      '--threads',
      '1',
      '--key-maximum',
      '3000',
    ]);
    running.child.kill('SIGINT');
    assert.equal(await running.exited, 130, running.stderr());
    for (const member of await cluster.runtime.view())
      assert.deepEqual(await keysMatching(member.port, 'eck:bench:*'), [], `no bench key left on ${member.memberId}`);
  });
});
