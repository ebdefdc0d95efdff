/**
 * bench against real redis-server replication (no emulator): a short run's report, and
 * a replica killed mid-run. The run killed mid-way is the built CLI as a user runs it; the
 * short run, whose report is read afterwards, is the same commander program in this process.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PACED_LOAD, spawnCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import {
  commandCalls,
  keysMatching,
  startReplicatedRedis,
  waitForCommandCalls,
  waitForReplicaCatchUp,
} from '../helpers/redis.js';
import type { BenchReport } from '../../src/bench/report.js';

const benchKeysOn = (port: number) => keysMatching(port, 'eck:bench:*');

// Each with a replication group of its own: side by side.
describe('bench against real redis-server replication', { concurrency: true }, () => {
  test('a short run reports every node, lag per replica, and leaves no bench key', async (t) => {
    const group = await startReplicatedRedis(2);
    t.after(() => group.stop());
    const target = [
      '--primary',
      `127.0.0.1:${group.primary.port}`,
      ...group.replicas.flatMap((r) => ['--replica', `127.0.0.1:${r.port}`]),
    ];
    const result = await runCliInProcess([
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
      // Paced: the report's contents are tested, not throughput.
      ...PACED_LOAD,
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
      assert.ok(r.seen > 5, `${r.node} lag samples: ${JSON.stringify(r)}`);
      // Every lag sample includes at least the poll that saw the write, and none is longer
      // than the poll timeout (such a probe counts as a timeout instead).
      assert.ok(r.lagMs.p50 > 0, `${r.node}: lag p50 ${r.lagMs.p50} ms is more than nothing`);
      assert.ok(
        r.lagMs.p50 <= r.lagMs.p90 && r.lagMs.p90 <= r.lagMs.p99 && r.lagMs.p99 <= r.lagMs.max,
        `${r.node}: lag percentiles in order ${JSON.stringify(r.lagMs)}`,
      );
      assert.ok(r.lagMs.max < 5000, `${r.node}: no sample beyond the 5 s poll timeout (${r.lagMs.max})`);
      assert.ok(r.pollRttMs.p50 > 0 && r.pollRttMs.p50 <= r.pollRttMs.p99);
      // Healthy replicas: every probe's first read is a read after a write, and every probe
      // ends either seen (a lag sample) or timed out; the ratio is stale / reads.
      assert.equal(r.errors, 0, `${r.node}: no failed poll`);
      assert.equal(r.readsAfterWrite, r.probes, `${r.node}: one read after write per probe`);
      assert.equal(r.seen + r.timeouts, r.probes, `${r.node}: every probe seen or timed out`);
      assert.ok(r.staleReads <= r.readsAfterWrite);
      assert.equal(r.staleReadRatio, Math.round((r.staleReads / r.readsAfterWrite) * 10_000) / 10_000);
    }
    assert.ok(report.client.cpuPercent > 0);
    assert.equal(report.cleanup.keysLeft, 0);
    assert.ok(report.cleanup.keysRemoved >= 2000);
    assert.match(report.startedAt, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(await benchKeysOn(group.primary.port), [], 'no bench key left on the primary');
    // The removals reach the replicas by replication: wait for that, then look.
    for (const replica of group.replicas) {
      await waitForReplicaCatchUp(group.primary, replica);
      assert.deepEqual(await benchKeysOn(replica.port), [], `nor on the replica on port ${replica.port}`);
    }
  });

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
    const running = spawnCli(
      [
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
        // Paced: what is tested is a node dying, not throughput.
        ...PACED_LOAD,
      ],
      { after: (fn) => t.after(fn) },
    );
    // Kill it once the measurement is under way and it has served measured load: the events,
    // not a guess at how long start-up and prefill take on a busy machine.
    assert.ok(await running.stderrMatches(/bench measure/), running.stderr());
    await waitForCommandCalls(victim, 'GET', (await commandCalls(victim, 'GET')) + 200);
    await victim.stop();
    const result = { code: await running.exited, stdout: running.stdout(), stderr: running.stderr() };
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as BenchReport;
    const dead = report.nodes.find((n) => n.port === victim.port)!;
    const alive = report.nodes.filter((n) => n.port !== victim.port);
    assert.ok(dead.errors > 0, 'the killed replica counts errors');
    assert.ok(dead.ops > 0, 'it served requests before it died');
    assert.equal(dead.unavailable.length, 1);
    assert.equal(dead.unavailable[0]!.ongoing, true);
    assert.ok(
      dead.unavailable[0]!.startS > 0 && dead.unavailable[0]!.startS < 3,
      `went down mid-run (${dead.unavailable[0]!.startS})`,
    );
    // The server ran 200 GETs after the measurement began (a few are probes or in flight at the kill).
    assert.ok(dead.gets > 100, `it served measured GETs before it died (${dead.gets})`);
    assert.ok(
      report.unavailability.some((u) => u.node === dead.id),
      `the report's unavailability names ${dead.id}: ${JSON.stringify(report.unavailability)}`,
    );
    for (const node of alive) {
      // lastError says why, should this ever fail (once in 23 runs: 28 errors on the survivor, cause not found).
      assert.equal(node.errors, 0, `${node.id} has no errors (last: ${node.lastError})`);
      assert.ok(node.ops > dead.ops / 2, `${node.id} kept its throughput`);
      assert.deepEqual(node.unavailable, []);
    }
    const deadLag = report.replication.find((r) => r.node === dead.id)!;
    assert.ok(deadLag.errors > 0, 'lag probes to the dead replica fail');
    const survivorLag = report.replication.find((r) => r.node !== dead.id)!;
    assert.ok(survivorLag.seen > 10, `the surviving replica's lag samples: ${JSON.stringify(survivorLag)}`);
    assert.equal(report.cleanup.keysLeft, 0);
  });
});
