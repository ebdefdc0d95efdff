/**
 * benchTopology, the in-process bench that demo runs: a short run on a group discovered
 * through the emulator gives a report, its text and one sentence. No timing is measured
 * here (the lag bounds are in bench-emulator.serial.test.ts), so it runs beside the others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { awsContextOf, createAvailableGroup, startTestEmulator } from '../helpers/emulator.js';
import { discoverTopology } from '../../src/aws/topology.js';

test('benchTopology (for demo): a short in-process run on a discovered group gives a report, text and one sentence', async (t) => {
  const emulator = await startTestEmulator({ replicationDelayMs: 1 });
  t.after(() => emulator.close());
  await createAvailableGroup(emulator, {
    ReplicationGroupId: 'bench-api',
    CacheNodeType: 'cache.t4g.micro',
    NumCacheClusters: 3,
  });
  const aws = awsContextOf(emulator);
  const topology = await discoverTopology(aws, 'bench-api');
  const { benchTopology } = await import('../../src/core/bench.js');
  const { report, text, sentence } = await benchTopology(topology, {
    testTime: 1,
    warmup: 0,
    clients: 2,
    keyMaximum: 200,
    // Paced (one thread, 1000 ops/s): the report is tested, not throughput.
    threads: 1,
    rate: 1000,
  });
  assert.equal(report.nodes.length, 3);
  assert.ok(report.nodes.every((n) => n.ops > 0));
  assert.equal(report.replication.length, 2);
  assert.match(text, /^node\s+role/m);
  assert.match(sentence, /stale|kept up/);
  assert.ok(!sentence.includes('\n'));
  assert.equal(report.cleanup.keysLeft, 0);
});
