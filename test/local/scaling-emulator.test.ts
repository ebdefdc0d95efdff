/**
 * IncreaseReplicaCount, DecreaseReplicaCount and ModifyReplicationGroupShardConfiguration
 * through the emulator with the real SDK: real replicas come and go (their data in sync),
 * shards are added and removed with slots migrated online, and an ioredis Cluster keeps
 * writing without an error while that happens. AWS's validation errors come first.
 */
import { test, describe as suite } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateReplicationGroupCommand,
  DecreaseReplicaCountCommand,
  DescribeReplicationGroupsCommand,
  IncreaseReplicaCountCommand,
  ModifyReplicationGroupShardConfigurationCommand,
  waitUntilReplicationGroupAvailable,
  type ElastiCacheClient,
  type ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import { Cluster, Redis } from 'ioredis';
import { startTestEmulator } from '../helpers/emulator.js';
import { startWriter } from '../helpers/cluster-writer.js';
import { SLOT_COUNT, parseSlotRanges } from '../../src/plan/slots.js';

const WAIT = { minDelay: 0.1, maxDelay: 0.25, maxWaitTime: 120 };

async function describe(client: ElastiCacheClient, id: string): Promise<ReplicationGroup> {
  return (await client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }))).ReplicationGroups![0]!;
}

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.equal(error.name, code, error.message);
    return true;
  });
}

// Each test has its own emulator and groups, and mostly waits on them: run together.
suite('scaling-emulator', { concurrency: true }, () => {
  test('cluster mode disabled: replicas added and removed for real, with AWS errors for bad requests', async (t) => {
    const emulator = await startTestEmulator();
    t.after(() => emulator.close());
    const client = emulator.elasticache;
    const id = 'rg';
    await client.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: id,
        ReplicationGroupDescription: 'scale',
        NumCacheClusters: 2,
        AutomaticFailoverEnabled: true,
      }),
    );
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: id });

    await rejects(
      client.send(
        new IncreaseReplicaCountCommand({ ReplicationGroupId: id, NewReplicaCount: 3, ApplyImmediately: false }),
      ),
      'InvalidParameterValueException',
    );
    await rejects(
      client.send(
        new IncreaseReplicaCountCommand({ ReplicationGroupId: id, NewReplicaCount: 6, ApplyImmediately: true }),
      ),
      'InvalidParameterValueException',
    );
    await rejects(
      client.send(
        new IncreaseReplicaCountCommand({ ReplicationGroupId: id, NewReplicaCount: 1, ApplyImmediately: true }),
      ),
      'NoOperationFault',
    );
    await rejects(
      client.send(
        new DecreaseReplicaCountCommand({ ReplicationGroupId: id, NewReplicaCount: 0, ApplyImmediately: true }),
      ),
      'InvalidParameterCombinationException',
    );
    await rejects(
      client.send(
        new ModifyReplicationGroupShardConfigurationCommand({
          ReplicationGroupId: id,
          NodeGroupCount: 2,
          ApplyImmediately: true,
        }),
      ),
      'InvalidParameterValueException',
    );
    await rejects(
      client.send(
        new IncreaseReplicaCountCommand({
          ReplicationGroupId: id,
          ReplicaConfiguration: [{ NodeGroupId: '0002', NewReplicaCount: 2 }],
          ApplyImmediately: true,
        }),
      ),
      'NodeGroupNotFoundFault',
    );

    const increased = await client.send(
      new IncreaseReplicaCountCommand({ ReplicationGroupId: id, NewReplicaCount: 3, ApplyImmediately: true }),
    );
    assert.equal(increased.ReplicationGroup!.Status, 'modifying');
    assert.deepEqual(increased.ReplicationGroup!.MemberClusters, ['rg-001', 'rg-002', 'rg-003', 'rg-004']);
    await rejects(
      client.send(
        new DecreaseReplicaCountCommand({ ReplicationGroupId: id, NewReplicaCount: 1, ApplyImmediately: true }),
      ),
      'InvalidReplicationGroupStateFault',
    );
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: id });
    const grown = await describe(client, id);
    const primary = grown.NodeGroups![0]!.PrimaryEndpoint!;
    assert.equal(grown.NodeGroups![0]!.NodeGroupMembers!.length, 4);
    assert.ok(grown.NodeGroups![0]!.NodeGroupMembers!.every((member) => member.ReadEndpoint?.Port));
    const redis = new Redis({ host: primary.Address!, port: primary.Port!, lazyConnect: true });
    t.after(() => redis.disconnect());
    await redis.connect();
    await redis.set('k', 'v');
    assert.equal(await redis.call('WAIT', '3', '5000'), 3, 'three replicas acknowledge the write');

    await client.send(
      new DecreaseReplicaCountCommand({ ReplicationGroupId: id, ReplicasToRemove: ['rg-002'], ApplyImmediately: true }),
    );
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: id });
    assert.deepEqual((await describe(client, id)).MemberClusters, ['rg-001', 'rg-003', 'rg-004']);
    await rejects(
      client.send(
        new DecreaseReplicaCountCommand({
          ReplicationGroupId: id,
          ReplicasToRemove: ['rg-001'],
          ApplyImmediately: true,
        }),
      ),
      'InvalidParameterValueException',
    );

    await client.send(
      new DecreaseReplicaCountCommand({ ReplicationGroupId: id, NewReplicaCount: 1, ApplyImmediately: true }),
    );
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: id });
    assert.deepEqual((await describe(client, id)).MemberClusters, ['rg-001', 'rg-003']);
    await redis.set('k2', 'v2');
    assert.equal(await redis.call('WAIT', '1', '5000'), 1);
    const info = String(await redis.info('replication'));
    assert.match(info, /connected_slaves:1/, 'the removed replicas are gone from the primary');
  });

  test('cluster mode enabled: add a shard while a client writes, change replicas per shard, remove a shard', async (t) => {
    const emulator = await startTestEmulator();
    t.after(() => emulator.close());
    const client = emulator.elasticache;
    const id = 'cl';
    await client.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: id,
        ReplicationGroupDescription: 'scale',
        ClusterMode: 'enabled',
        NumNodeGroups: 2,
        ReplicasPerNodeGroup: 1,
        AutomaticFailoverEnabled: true,
      }),
    );
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: id });
    const endpoint = (await describe(client, id)).ConfigurationEndpoint!;
    const redis = new Cluster([{ host: endpoint.Address!, port: endpoint.Port! }]);
    t.after(() => redis.disconnect());
    await Promise.all(Array.from({ length: 1000 }, (_, index) => redis.set(`before:${index}`, String(index))));

    await rejects(
      client.send(
        new ModifyReplicationGroupShardConfigurationCommand({
          ReplicationGroupId: id,
          NodeGroupCount: 1,
          ApplyImmediately: true,
        }),
      ),
      'InvalidParameterValueException',
    );
    await rejects(
      client.send(
        new ModifyReplicationGroupShardConfigurationCommand({
          ReplicationGroupId: id,
          NodeGroupCount: 501,
          ApplyImmediately: true,
        }),
      ),
      'NodeGroupsPerReplicationGroupQuotaExceededFault',
    );

    const writer = startWriter(redis, 'during:');
    const resharding = await client.send(
      new ModifyReplicationGroupShardConfigurationCommand({
        ReplicationGroupId: id,
        NodeGroupCount: 3,
        ApplyImmediately: true,
      }),
    );
    assert.equal(resharding.ReplicationGroup!.Status, 'modifying');
    assert.equal(resharding.ReplicationGroup!.PendingModifiedValues!.Resharding!.SlotMigration!.ProgressPercentage, 0);
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: id });
    const { written, errors } = await writer.stop();
    assert.deepEqual(errors, [], 'no client error during the reshard');
    const three = await describe(client, id);
    assert.deepEqual(
      three.NodeGroups!.map((shard) => shard.NodeGroupId),
      ['0001', '0002', '0003'],
    );
    assert.deepEqual(
      three.NodeGroups!.find((shard) => shard.NodeGroupId === '0003')!.NodeGroupMembers!.map((m) => m.CacheClusterId),
      ['cl-0003-001', 'cl-0003-002'],
    );
    const slotCounts = three.NodeGroups!.map((shard) =>
      parseSlotRanges(shard.Slots!).reduce((sum, range) => sum + range.end - range.start + 1, 0),
    );
    assert.deepEqual(slotCounts, [5462, 5461, 5461], 'an even split after the rebalance');
    assert.equal(three.PendingModifiedValues?.Resharding, undefined);

    await client.send(
      new IncreaseReplicaCountCommand({
        ReplicationGroupId: id,
        ReplicaConfiguration: [{ NodeGroupId: '0003', NewReplicaCount: 2 }],
        ApplyImmediately: true,
      }),
    );
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: id });
    assert.equal((await describe(client, id)).MemberClusters!.length, 7);
    await client.send(
      new DecreaseReplicaCountCommand({ ReplicationGroupId: id, NewReplicaCount: 1, ApplyImmediately: true }),
    );
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: id });
    assert.deepEqual((await describe(client, id)).MemberClusters, [
      'cl-0001-001',
      'cl-0001-002',
      'cl-0002-001',
      'cl-0002-002',
      'cl-0003-001',
      'cl-0003-002',
    ]);

    await client.send(
      new ModifyReplicationGroupShardConfigurationCommand({
        ReplicationGroupId: id,
        NodeGroupCount: 2,
        NodeGroupsToRetain: ['0002', '0003'],
        ApplyImmediately: true,
      }),
    );
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: id });
    const two = await describe(client, id);
    assert.deepEqual(
      two.NodeGroups!.map((shard) => shard.NodeGroupId),
      ['0002', '0003'],
    );
    const covered = two.NodeGroups!.flatMap((shard) => parseSlotRanges(shard.Slots!));
    assert.equal(
      covered.reduce((sum, range) => sum + range.end - range.start + 1, 0),
      SLOT_COUNT,
    );
    for (let index = 0; index < 1000; index += 11) assert.equal(await redis.get(`before:${index}`), String(index));
    for (let index = 0; index < written; index += 11) assert.equal(await redis.get(`during:${index}`), String(index));
    assert.equal(redis.nodes('master').length >= 2, true);
  });

  test('stopping the emulator mid-reshard cancels the slot migration at its next round', async () => {
    const emulator = await startTestEmulator();
    let closed = false;
    try {
      const client = emulator.elasticache;
      await client.send(
        new CreateReplicationGroupCommand({
          ReplicationGroupId: 'big',
          ReplicationGroupDescription: 'scale',
          ClusterMode: 'enabled',
          NumNodeGroups: 1,
          ReplicasPerNodeGroup: 0,
        }),
      );
      await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'big' });
      await client.send(
        new ModifyReplicationGroupShardConfigurationCommand({
          ReplicationGroupId: 'big',
          NodeGroupCount: 4,
          ApplyImmediately: true,
        }),
      );
      // Until slots are really moving (the new shards have joined).
      for (;;) {
        const progress = (await describe(client, 'big')).PendingModifiedValues?.Resharding?.SlotMigration
          ?.ProgressPercentage;
        if (progress !== undefined && progress > 0) {
          assert.ok(progress < 50, `caught the migration early enough to measure (${progress}%)`);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const started = performance.now();
      await emulator.close();
      closed = true;
      const seconds = (performance.now() - started) / 1000;
      assert.ok(seconds < 5, `closed in ${seconds.toFixed(1)} s, not after the whole 12288-slot move`);
    } finally {
      if (!closed) await emulator.close();
    }
  });
});
