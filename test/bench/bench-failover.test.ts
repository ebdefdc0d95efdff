/**
 * A failover during a run (the emulator's TestFailover stops the primary, promotes a
 * replica and brings the old primary back as a replica): the run completes, reports the
 * failover, the old primary's unavailability, and checks the acknowledged writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestFailoverCommand } from '@aws-sdk/client-elasticache';
import { spawnCli } from '../helpers/cli.js';
import { awsContextOf, createAvailableGroup, startTestEmulator } from '../helpers/emulator.js';
import { waitForKeys } from '../helpers/redis.js';
import { discoverTopology } from '../../src/aws/topology.js';
import type { BenchReport } from '../../src/bench/report.js';

test('failover mid-run: reported with when, who, and the acknowledged writes checked', async (t) => {
  const emulator = await startTestEmulator({ replicationDelayMs: 2 });
  t.after(() => emulator.close());
  await createAvailableGroup(emulator, {
    ReplicationGroupId: 'bench-failover',
    ReplicationGroupDescription: 'failover drill',
    Engine: 'redis',
    NumCacheClusters: 3,
    AutomaticFailoverEnabled: true,
  });
  const aws = awsContextOf(emulator);
  const bench = spawnCli(
    [
      '--endpoint-url',
      emulator.url,
      '--output',
      'json',
      'bench',
      'bench-failover',
      '--test-time',
      '3',
      '--warmup',
      '0',
      '--clients',
      '4',
      '--key-maximum',
      '1000',
      // Open loop: the failover is what is tested, not throughput (a closed loop takes both cores).
      '--rate',
      '2000',
      '--threads',
      '1',
    ],
    { env: emulator.env, after: (fn) => t.after(fn) },
  );
  // Fail over once the measurement has started and at least 5 lag probe writes are on
  // the primary (events: the CLI's start-up time varies on a busy machine).
  assert.ok(await bench.stderrMatches(/bench measure/), bench.stderr());
  const primary = (await discoverTopology(aws, 'bench-failover')).nodes.find((n) => n.role === 'primary');
  assert.ok(primary);
  await waitForKeys(primary, 'eck:bench:*:lag:*', 5);
  await emulator.elasticache.send(
    new TestFailoverCommand({ ReplicationGroupId: 'bench-failover', NodeGroupId: '0001' }),
  );
  const result = { code: await bench.exited, stdout: bench.stdout(), stderr: bench.stderr() };
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as BenchReport;
  const oldPrimary = report.nodes.find((n) => n.role === 'primary')!;
  assert.ok(report.failover, 'the failover is reported');
  assert.equal(report.failover.from, oldPrimary.id);
  assert.notEqual(report.failover.to, oldPrimary.id);
  assert.ok(
    report.failover.detectedAtS > 0 && report.failover.detectedAtS < 4,
    `failover at ${report.failover.detectedAtS} s`,
  );
  assert.ok(oldPrimary.errors > 0, 'requests to the stopped primary failed');
  assert.ok(oldPrimary.unavailable.length >= 1, 'the old primary was unavailable for a while');
  assert.ok(report.lostWrites && report.lostWrites.checked > 0, 'acknowledged writes were checked on the new primary');
  // Checked: the probe writes acknowledged before the failover was noticed, which the
  // schedule bounds (20 probes/s from the start of the measurement, no warm-up).
  const probesBeforeNotice = Math.ceil(20 * report.failover.detectedAtS) + 2;
  assert.ok(
    report.lostWrites.checked <= probesBeforeNotice,
    `checked ${report.lostWrites.checked} ≤ the ${probesBeforeNotice} probes sent before the failover was noticed`,
  );
  // The emulator lets the replicas catch up before it stops the primary (as ElastiCache
  // does), so the new primary holds nearly all of them: counting on the wrong node or
  // under the wrong prefix would report every one lost.
  assert.ok(
    report.lostWrites.lost < report.lostWrites.checked / 2,
    `lost ${report.lostWrites.lost} of ${report.lostWrites.checked}: most acknowledged writes survived`,
  );
  assert.equal(report.cleanup.keysLeft, 0, 'keys removed on the new primary');
  for (const node of report.nodes.filter((n) => n.id !== oldPrimary.id))
    assert.ok(node.ops > 0, `${node.id} kept serving`);
});
