/**
 * `bench <id>` on a cluster-mode-enabled group of the local emulator (real SDK over HTTP, real
 * Redis Cluster behind it): the Topology names shards and nodes as AWS does, the slot map read
 * from the configuration endpoint routes; TestFailover on one node group mid-run is reported
 * for that shard and costs no errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestFailoverCommand } from '@aws-sdk/client-elasticache';
import { spawnCli } from '../helpers/cli.js';
import { createAvailableGroup, startTestEmulator } from '../helpers/emulator.js';
import type { BenchReport } from '../../src/bench/report.js';

test('bench <cluster group>: shards and nodes named as AWS names them; TestFailover mid-run is a reported failover', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  await createAvailableGroup(emulator, {
    ReplicationGroupId: 'shop',
    NumCacheClusters: undefined,
    CacheParameterGroupName: 'default.redis7.cluster.on',
    NumNodeGroups: 3,
    ReplicasPerNodeGroup: 1,
    AutomaticFailoverEnabled: true,
  });

  const running = spawnCli(
    [
      '--endpoint-url',
      emulator.url,
      '--output',
      'json',
      'bench',
      'shop',
      '--test-time',
      '4',
      '--warmup',
      '0.2',
      '--clients',
      '2',
      '--threads',
      '1',
      '--key-maximum',
      '2000',
    ],
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
