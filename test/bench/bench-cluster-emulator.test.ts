/**
 * `bench <id>` on a cluster-mode-enabled group of the local emulator (real SDK over HTTP, real
 * Redis Cluster behind it): the Topology names shards and nodes as AWS does, the slot map read
 * from the configuration endpoint routes; TestFailover on one node group mid-run is reported
 * for that shard and costs no errors.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestFailoverCommand } from '@aws-sdk/client-elasticache';
import { benchOnEmulatorArgs, PACED_LOAD, runCli, spawnCli } from '../helpers/cli.js';
import { caCertPath } from '../../src/local/tls-material.js';
import { createAvailableClusterGroup, startTestEmulator } from '../helpers/emulator.js';
import type { BenchReport } from '../../src/bench/report.js';

// Each test has an emulator of its own: side by side.
describe('bench on an emulator cluster group', { concurrency: true }, () => {
  test('bench <cluster group>: shards and nodes named as AWS names them; TestFailover mid-run is a reported failover', async (t) => {
    const emulator = await startTestEmulator();
    t.after(() => emulator.close());
    await createAvailableClusterGroup(emulator, 'shop', { shards: 3, replicas: 1 });

    const running = spawnCli(
      benchOnEmulatorArgs(emulator.url, 'shop', [
        '--test-time',
        '4',
        '--threads',
        '1',
        '--key-maximum',
        '2000',
        // Open loop: the failover is what is tested, not throughput (a closed loop takes both cores).
        '--rate',
        '2000',
      ]),
      { env: emulator.env, after: t.after.bind(t) },
    );
    assert.ok(await running.stderrMatches(/bench measure/), running.stderr());
    await emulator.elasticache.send(new TestFailoverCommand({ ReplicationGroupId: 'shop', NodeGroupId: '0002' }));
    assert.equal(await running.exited, 0, running.stderr());
    const report = JSON.parse(running.stdout()) as BenchReport;

    assert.deepEqual(
      report.shards!.map((s) => [s.id, s.slots, s.nodes]),
      [
        ['0001', '0-5461', ['shop-0001-001', 'shop-0001-002']],
        ['0002', '5462-10922', ['shop-0002-001', 'shop-0002-002']],
        ['0003', '10923-16383', ['shop-0003-001', 'shop-0003-002']],
      ],
    );
    for (const shard of report.shards!) assert.ok(shard.ops > 0, `shard ${shard.id} got load`);
    const failovers = report.shards!.flatMap((s) => s.failovers.map((f) => ({ shard: s.id, ...f })));
    assert.deepEqual(
      failovers.map((f) => [f.shard, f.from, f.to]),
      [['0002', 'shop-0002-001', 'shop-0002-002']],
    );
    assert.ok(
      report.slotMapChanges!.some((c) => c.description === '5461 slots shop-0002-001 → shop-0002-002'),
      JSON.stringify(report.slotMapChanges),
    );
    assert.equal(report.total.errors, 0, JSON.stringify(report.nodes.map((n) => [n.id, n.errors, n.lastError])));
    assert.ok(report.nodes.find((n) => n.id === 'shop-0002-002')!.sets > 0, 'the promoted node took the writes');
    assert.equal(report.cleanup.keysLeft, 0);
  });

  test('bench <cluster group> with TLS and an AUTH token: every node over TLS (tls-port from the slot map), the CA verified', async (t) => {
    const emulator = await startTestEmulator();
    t.after(() => emulator.close());
    const token = 'cluster-bench-token-0123456789';
    await createAvailableClusterGroup(
      emulator,
      'sec',
      { shards: 2, replicas: 1 },
      { TransitEncryptionEnabled: true, AuthToken: token },
    );
    const result = await runCli(
      [
        '--endpoint-url',
        emulator.url,
        '--output',
        'json',
        'bench',
        'sec',
        '--tls',
        '--ca',
        caCertPath(emulator.stateDir),
        '--auth-token-env',
        'SEC_TOKEN',
        '--test-time',
        '1',
        '--warmup',
        '0.2',
        '--clients',
        '2',
        '--key-maximum',
        '1000',
        // Paced: TLS and AUTH on every node are tested, not throughput.
        ...PACED_LOAD,
      ],
      { env: { ...emulator.env, SEC_TOKEN: token } },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stdout.includes(token) && !result.stderr.includes(token), 'the token is never printed');
    const report = JSON.parse(result.stdout) as BenchReport;
    assert.equal(report.config.tls, true);
    assert.deepEqual(
      report.shards!.map((s) => s.nodes),
      [
        ['sec-0001-001', 'sec-0001-002'],
        ['sec-0002-001', 'sec-0002-002'],
      ],
    );
    for (const node of report.nodes)
      assert.ok(node.ops > 0 && node.errors === 0, `${node.id}: ${node.lastError ?? ''}`);
    assert.equal(report.cleanup.keysLeft, 0);
  });
});
