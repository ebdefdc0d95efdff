/**
 * --replication-delay-ms on a cluster-mode-enabled group: every shard's replica lags its
 * primary by about the delay, while client traffic (on the nodes' real addresses) is not
 * slowed. Real redis-server cluster, real ioredis, the replica read directly (READONLY).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateReplicationGroupCommand,
  DescribeReplicationGroupsCommand,
  waitUntilReplicationGroupAvailable,
} from '@aws-sdk/client-elasticache';
import { Cluster, Redis } from 'ioredis';
import { startTestEmulator } from '../helpers/emulator.js';

const DELAY_MS = 400;

test('cluster mode: each replica lags its primary by about --replication-delay-ms; clients are not delayed', async (t) => {
  const emulator = await startTestEmulator({ replicationDelayMs: DELAY_MS });
  t.after(() => emulator.close());
  const client = emulator.elasticache;
  await client.send(
    new CreateReplicationGroupCommand({
      ReplicationGroupId: 'far',
      ReplicationGroupDescription: 'delayed',
      ClusterMode: 'enabled',
      NumNodeGroups: 2,
      ReplicasPerNodeGroup: 1,
      AutomaticFailoverEnabled: true,
    }),
  );
  await waitUntilReplicationGroupAvailable(
    { client, minDelay: 0.1, maxDelay: 0.25, maxWaitTime: 90 },
    { ReplicationGroupId: 'far' },
  );
  const endpoint = (await client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'far' })))
    .ReplicationGroups![0]!.ConfigurationEndpoint!;
  const redis = new Cluster([{ host: endpoint.Address!, port: endpoint.Port! }]);
  t.after(() => redis.disconnect());

  const slots = await redis.cluster('SLOTS');
  assert.equal(slots.length, 2);
  for (const [index, range] of slots.entries()) {
    const [, , primary, replica] = range as unknown as [number, number, [string, number], [string, number]];
    assert.equal(primary[0], '127.0.0.1', 'clients are sent to the real address');
    // A key of this shard: find one by its slot.
    let key = '';
    for (let n = 0; ; n++) {
      const slot = Number(await redis.cluster('KEYSLOT', `lag:${n}`));
      if (slot >= Number(range[0]) && slot <= Number(range[1])) {
        key = `lag:${n}`;
        break;
      }
    }
    const reader = new Redis({ host: replica[0], port: replica[1], lazyConnect: true });
    t.after(() => reader.disconnect());
    await reader.connect();
    await reader.call('READONLY');

    const started = performance.now();
    await redis.set(key, `v${index}`);
    const writeMs = performance.now() - started;
    let seenAfter = 0;
    for (;;) {
      if ((await reader.get(key)) === `v${index}`) {
        seenAfter = performance.now() - started;
        break;
      }
      assert.ok(performance.now() - started < 5000, 'the replica got the write within 5 s');
    }
    t.diagnostic(
      `shard ${index + 1}: write ${writeMs.toFixed(1)} ms, visible on the replica after ${seenAfter.toFixed(0)} ms`,
    );
    assert.ok(writeMs < DELAY_MS / 2, `the client's write is not delayed (${writeMs.toFixed(1)} ms)`);
    assert.ok(seenAfter >= DELAY_MS * 0.9, `the replica lags by about the delay (${seenAfter.toFixed(0)} ms)`);
    assert.ok(seenAfter < DELAY_MS + 1500, `but not much more (${seenAfter.toFixed(0)} ms)`);
  }
});
