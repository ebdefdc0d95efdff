/**
 * The emulator end to end with the real SDK and real processes: a 1+2 group becomes
 * available through the SDK's own waiter, replicates for real, fails over and is deleted
 * without leaving a process or a port behind.
 */
import { test, describe as suite } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateReplicationGroupCommand,
  DeleteReplicationGroupCommand,
  DescribeCacheClustersCommand,
  DescribeReplicationGroupsCommand,
  ListTagsForResourceCommand,
  TestFailoverCommand,
  waitUntilReplicationGroupAvailable,
  waitUntilReplicationGroupDeleted,
  type ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import { Redis } from 'ioredis';
import { startTestEmulator } from '../helpers/emulator.js';
import { portIsFree } from '../helpers/ports.js';

const WAIT = { minDelay: 0.1, maxDelay: 0.25, maxWaitTime: 60 };

function connect(port: number, options: { password?: string } = {}): Redis {
  return new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    ...options,
  });
}

async function withClient<T>(
  port: number,
  use: (client: Redis) => Promise<T>,
  options: { password?: string } = {},
): Promise<T> {
  const client = connect(port, options);
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function describe(
  emulator: Awaited<ReturnType<typeof startTestEmulator>>,
  id: string,
): Promise<ReplicationGroup> {
  const result = await emulator.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }));
  return result.ReplicationGroups![0]!;
}

// Each test has its own emulator and group, and mostly waits on them: run together.
suite('emulator-replication', { concurrency: true }, () => {
  test('a 1+2 group: create, wait, replicate, fail over, delete', async (t) => {
    const emulator = await startTestEmulator();
    t.after(() => emulator.close());
    const client = emulator.elasticache;

    const created = await client.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'Orders-Cache',
        ReplicationGroupDescription: 'orders',
        Engine: 'redis',
        CacheNodeType: 'cache.t4g.micro',
        NumCacheClusters: 3,
        AutomaticFailoverEnabled: true,
        MultiAZEnabled: true,
        Tags: [{ Key: 'created-by', Value: 'elasticache-kit' }],
      }),
    );
    const group = created.ReplicationGroup!;
    assert.equal(group.ReplicationGroupId, 'orders-cache', 'ids are stored lower-case');
    assert.equal(group.Status, 'creating');
    assert.deepEqual(group.MemberClusters, ['orders-cache-001', 'orders-cache-002', 'orders-cache-003']);
    assert.equal(group.AutomaticFailover, 'enabled');
    assert.equal(group.MultiAZ, 'enabled');
    assert.equal(group.ARN, 'arn:aws:elasticache:us-east-1:000000000000:replicationgroup:orders-cache');

    const tags = await client.send(new ListTagsForResourceCommand({ ResourceName: group.ARN }));
    assert.deepEqual(tags.TagList, [{ Key: 'created-by', Value: 'elasticache-kit' }]);

    const waited = await waitUntilReplicationGroupAvailable(
      { client, ...WAIT },
      { ReplicationGroupId: 'orders-cache' },
    );
    assert.equal(waited.state, 'SUCCESS');

    const available = await describe(emulator, 'orders-cache');
    assert.equal(available.Status, 'available');
    const nodeGroup = available.NodeGroups![0]!;
    assert.equal(nodeGroup.NodeGroupId, '0001');
    const primaryEndpoint = nodeGroup.PrimaryEndpoint!;
    const readerEndpoint = nodeGroup.ReaderEndpoint!;
    assert.equal(primaryEndpoint.Address, '127.0.0.1');
    assert.notEqual(primaryEndpoint.Port, readerEndpoint.Port);
    const members = nodeGroup.NodeGroupMembers!;
    assert.deepEqual(
      members.map((m) => m.CurrentRole),
      ['primary', 'replica', 'replica'],
    );
    assert.deepEqual(
      members.map((m) => m.PreferredAvailabilityZone),
      ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    );
    const memberPorts = members.map((m) => m.ReadEndpoint!.Port!);
    assert.equal(
      new Set([...memberPorts, primaryEndpoint.Port, readerEndpoint.Port]).size,
      5,
      'every node and endpoint has its own port',
    );

    const clusters = await client.send(new DescribeCacheClustersCommand({ ShowCacheNodeInfo: true }));
    assert.equal(clusters.CacheClusters!.length, 3);
    for (const [index, cluster] of clusters.CacheClusters!.entries()) {
      assert.equal(cluster.ReplicationGroupId, 'orders-cache');
      assert.equal(cluster.Engine, 'redis');
      assert.match(cluster.EngineVersion!, /^\d+\.\d+\.\d+$/);
      assert.equal(cluster.CacheNodeType, 'cache.t4g.micro');
      assert.equal(cluster.CacheNodes![0]!.Endpoint!.Port, memberPorts[index]);
    }

    // A write through the primary endpoint reaches every replica and the reader endpoint.
    await withClient(primaryEndpoint.Port!, (redis) => redis.set('greeting', 'hello'));
    for (const port of memberPorts.slice(1)) {
      await eventually(() => withClient(port, async (redis) => (await redis.get('greeting')) === 'hello'));
      const role = await withClient(port, (redis) => redis.call('ROLE') as Promise<unknown[]>);
      assert.equal(role[0], 'slave');
    }
    assert.equal(await withClient(readerEndpoint.Port!, (redis) => redis.get('greeting')), 'hello');

    // TestFailover: modifying, then available with another primary that keeps the data.
    const failover = await client.send(
      new TestFailoverCommand({ ReplicationGroupId: 'orders-cache', NodeGroupId: '0001' }),
    );
    assert.equal(failover.ReplicationGroup!.Status, 'modifying');
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'orders-cache' });
    const after = await describe(emulator, 'orders-cache');
    const newPrimary = after.NodeGroups![0]!.NodeGroupMembers!.find((m) => m.CurrentRole === 'primary')!;
    assert.notEqual(newPrimary.CacheClusterId, 'orders-cache-001');
    assert.equal(after.NodeGroups![0]!.PrimaryEndpoint!.Port, primaryEndpoint.Port, 'the primary endpoint is stable');
    await withClient(primaryEndpoint.Port!, async (redis) => {
      assert.equal(await redis.get('greeting'), 'hello', 'data written before the failover is still there');
      await redis.set('after-failover', 'yes');
      const role = (await redis.call('ROLE')) as unknown[];
      assert.equal(role[0], 'master');
    });
    assert.equal(
      await withClient(newPrimary.ReadEndpoint!.Port!, (redis) => redis.get('after-failover')),
      'yes',
      'the write landed on the promoted node',
    );

    // Delete: deleting, then gone; no process alive and every port free.
    const { readState } = await import('../../src/local/state.js');
    const pids = readState(emulator.stateDir).groups.find((g) => g.id === 'orders-cache')!.pids;
    assert.equal(pids.length, 3);
    const deleted = await client.send(new DeleteReplicationGroupCommand({ ReplicationGroupId: 'orders-cache' }));
    assert.equal(deleted.ReplicationGroup!.Status, 'deleting');
    const gone = await waitUntilReplicationGroupDeleted({ client, ...WAIT }, { ReplicationGroupId: 'orders-cache' });
    assert.equal(gone.state, 'SUCCESS');
    for (const pid of pids) assert.equal(alive(pid), false, `pid ${pid} is gone`);
    for (const port of [...memberPorts, primaryEndpoint.Port!, readerEndpoint.Port!]) {
      assert.equal(await portIsFree(port), true, `port ${port} is free`);
    }
  });

  test('replicationDelayMs delays what replicas see', async (t) => {
    const emulator = await startTestEmulator({ replicationDelayMs: 300 });
    t.after(() => emulator.close());
    const client = emulator.elasticache;
    await client.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'slow',
        ReplicationGroupDescription: 'lag',
        NumCacheClusters: 2,
      }),
    );
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'slow' });
    const group = await describe(emulator, 'slow');
    const primaryPort = group.NodeGroups![0]!.PrimaryEndpoint!.Port!;
    const replicaPort = group.NodeGroups![0]!.NodeGroupMembers![1]!.ReadEndpoint!.Port!;
    const replica = connect(replicaPort);
    t.after(() => replica.disconnect());
    await replica.connect();
    await withClient(primaryPort, (redis) => redis.set('lagged', '1'));
    const written = Date.now();
    await eventually(async () => (await replica.get('lagged')) === '1');
    const elapsed = Date.now() - written;
    // Generous bound on a shared machine: at least half the configured delay.
    assert.ok(elapsed >= 150, `the replica saw the write after ${elapsed} ms`);
  });

  test('a group tagged with its own replication delay gets that delay, on an emulator with none', async (t) => {
    const { REPLICATION_DELAY_TAG } = await import('../../src/local/replication-groups.js');
    const emulator = await startTestEmulator({ replicationDelayMs: 0 });
    t.after(() => emulator.close());
    const client = emulator.elasticache;
    await client.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'far',
        ReplicationGroupDescription: 'cross-region',
        NumCacheClusters: 2,
        Tags: [{ Key: REPLICATION_DELAY_TAG, Value: '300' }],
      }),
    );
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'far' });
    const group = await describe(emulator, 'far');
    const primaryPort = group.NodeGroups![0]!.PrimaryEndpoint!.Port!;
    const replicaPort = group.NodeGroups![0]!.NodeGroupMembers!.find((m) => m.CurrentRole === 'replica')!.ReadEndpoint!
      .Port!;
    const replica = connect(replicaPort);
    t.after(() => replica.disconnect());
    await replica.connect();
    await withClient(primaryPort, (redis) => redis.set('far-key', '1'));
    const written = Date.now();
    await eventually(async () => (await replica.get('far-key')) === '1');
    assert.ok(Date.now() - written >= 150, 'the tag, not the server default of 0, set the delay');
  });
});
