/**
 * Cluster mode enabled through the emulator with the real SDK: a 3x1 group becomes
 * available, Describe has AWS's cluster shape, an ioredis Cluster seeded from the
 * configuration endpoint reaches every shard, TestFailover promotes a shard's replica,
 * and delete frees every port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateReplicationGroupCommand,
  DeleteReplicationGroupCommand,
  DescribeCacheClustersCommand,
  DescribeReplicationGroupsCommand,
  TestFailoverCommand,
  waitUntilReplicationGroupAvailable,
  waitUntilReplicationGroupDeleted,
  type ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import { Cluster } from 'ioredis';
import { startTestEmulator } from '../helpers/emulator.js';
import { portIsFree } from '../helpers/ports.js';

const WAIT = { minDelay: 1, maxDelay: 1, maxWaitTime: 90 };

test('cluster mode enabled: 3 shards x 1 replica via the SDK and ioredis Cluster', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const client = emulator.elasticache;
  const describe = async (): Promise<ReplicationGroup> =>
    (await client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'shop' }))).ReplicationGroups![0]!;

  await client.send(
    new CreateReplicationGroupCommand({
      ReplicationGroupId: 'shop',
      ReplicationGroupDescription: 'sharded',
      Engine: 'redis',
      CacheParameterGroupName: 'default.redis7.cluster.on',
      NumNodeGroups: 3,
      ReplicasPerNodeGroup: 1,
      AutomaticFailoverEnabled: true,
    }),
  );
  await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'shop' });
  const group = await describe();
  assert.equal(group.ClusterEnabled, true);
  assert.equal(group.ClusterMode, 'enabled');
  assert.deepEqual(group.MemberClusters, [
    'shop-0001-001',
    'shop-0001-002',
    'shop-0002-001',
    'shop-0002-002',
    'shop-0003-001',
    'shop-0003-002',
  ]);
  assert.deepEqual(
    group.NodeGroups!.map((shard) => [shard.NodeGroupId, shard.Slots]),
    [
      ['0001', '0-5461'],
      ['0002', '5462-10922'],
      ['0003', '10923-16383'],
    ],
  );
  const shard = group.NodeGroups![1]!;
  assert.equal(shard.PrimaryEndpoint, undefined);
  assert.equal(shard.ReaderEndpoint, undefined);
  assert.equal(shard.NodeGroupMembers![0]!.CacheClusterId, 'shop-0002-001');
  assert.equal(shard.NodeGroupMembers![0]!.CurrentRole, undefined);
  const endpoint = group.ConfigurationEndpoint!;
  assert.equal(endpoint.Address, '127.0.0.1');
  assert.ok(endpoint.Port! > 0);

  const member = (
    await client.send(new DescribeCacheClustersCommand({ CacheClusterId: 'shop-0003-002', ShowCacheNodeInfo: true }))
  ).CacheClusters![0]!;
  assert.equal(member.ReplicationGroupId, 'shop');
  assert.equal(member.CacheNodes![0]!.Endpoint!.Address, '127.0.0.1');
  assert.ok(member.CacheNodes![0]!.Endpoint!.Port! > 0);

  const redis = new Cluster([{ host: endpoint.Address!, port: endpoint.Port! }]);
  t.after(() => redis.disconnect());
  for (let index = 0; index < 300; index++) await redis.set(`k${index}`, `v${index}`);
  assert.equal(await redis.get('k123'), 'v123');
  const sizes = await Promise.all(redis.nodes('master').map((node) => node.dbsize()));
  assert.equal(sizes.length, 3);
  assert.ok(
    sizes.every((size) => size > 0),
    `every shard holds keys: ${sizes.join(',')}`,
  );

  const before = await redis.cluster('SLOTS');
  const shard2Primary = before.find((range) => range[0] === 5462)![2]![1];
  await client.send(new TestFailoverCommand({ ReplicationGroupId: 'shop', NodeGroupId: '0002' }));
  await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'shop' });
  const after = await redis.cluster('SLOTS');
  assert.notEqual(after.find((range) => range[0] === 5462)![2]![1], shard2Primary, 'shard 0002 has a new primary');
  assert.equal(await redis.get('k7'), 'v7');
  redis.disconnect();

  const ports = [
    endpoint.Port!,
    ...before.flatMap((range) => range.slice(2).map((node) => (node as [string, number, ...unknown[]])[1])),
  ];
  await client.send(new DeleteReplicationGroupCommand({ ReplicationGroupId: 'shop' }));
  await waitUntilReplicationGroupDeleted({ client, ...WAIT }, { ReplicationGroupId: 'shop' });
  for (const port of ports) assert.ok(await portIsFree(port), `port ${port} freed`);
});
