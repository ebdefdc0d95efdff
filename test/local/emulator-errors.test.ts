/**
 * Errors reach the real SDK as its typed exceptions (the `name` is the model's error
 * shape), with the service's HTTP status; nothing is created by a rejected request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateCacheSubnetGroupCommand,
  CreateReplicationGroupCommand,
  DeleteCacheSubnetGroupCommand,
  DeleteReplicationGroupCommand,
  DescribeCacheClustersCommand,
  DescribeCacheSubnetGroupsCommand,
  DescribeReplicationGroupsCommand,
  ListTagsForResourceCommand,
  TestFailoverCommand,
  waitUntilReplicationGroupAvailable,
  type CreateReplicationGroupCommandInput,
} from '@aws-sdk/client-elasticache';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { ec2Sdk } from '../helpers/ec2.js';

const { DescribeSubnetsCommand } = ec2Sdk();

async function rejects(promise: Promise<unknown>, name: string, status?: number, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, name, `error name (message: ${error.message})`);
    if (status !== undefined) assert.equal(error.$metadata?.httpStatusCode, status);
    if (message) assert.match(error.message, message);
    return true;
  });
}

function create(emulator: TestEmulator, input: Partial<CreateReplicationGroupCommandInput>) {
  return emulator.elasticache.send(
    new CreateReplicationGroupCommand({ ReplicationGroupId: 'bad', ReplicationGroupDescription: 'test', ...input }),
  );
}

test('validation errors are typed SDK exceptions and create nothing', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());

  await rejects(
    create(emulator, { NumCacheClusters: 1, AutomaticFailoverEnabled: true }),
    'InvalidParameterCombinationException',
    400,
    /replica/,
  );
  await rejects(
    create(emulator, { NumCacheClusters: 2, MultiAZEnabled: true }),
    'InvalidParameterCombinationException',
    400,
    /AutomaticFailover/,
  );
  await rejects(create(emulator, { NumCacheClusters: 7 }), 'InvalidParameterValueException', 400, /NumCacheClusters/);
  await rejects(create(emulator, { ReplicasPerNodeGroup: 6 }), 'InvalidParameterValueException', 400);
  await rejects(
    create(emulator, { NumCacheClusters: 2, ReplicasPerNodeGroup: 2 }),
    'InvalidParameterCombinationException',
  );
  for (const id of ['1abc', 'a--b', 'abc-', 'a_b', 'x'.repeat(41)]) {
    await rejects(create(emulator, { ReplicationGroupId: id }), 'InvalidParameterValueException', 400);
  }
  await rejects(create(emulator, { Engine: 'memcached' }), 'InvalidParameterValueException', 400, /redis, valkey/);
  await rejects(
    create(emulator, { EngineVersion: '2.8' }),
    'InvalidParameterCombinationException',
    400,
    /Cannot find version 2.8/,
  );
  await rejects(create(emulator, { CacheSubnetGroupName: 'nope' }), 'CacheSubnetGroupNotFoundFault', 400);
  await rejects(
    create(emulator, { SecurityGroupIds: ['sg-0000000000000000'] }),
    'InvalidParameterValueException',
    400,
    /sg-0000000000000000/,
  );
  await rejects(
    create(emulator, { TransitEncryptionMode: 'required' }),
    'InvalidParameterCombinationException',
    400,
    /TransitEncryptionEnabled/,
  );
  await rejects(
    create(emulator, { TransitEncryptionEnabled: true, TransitEncryptionMode: 'optional' as 'required' }),
    'InvalidParameterValueException',
    400,
    /preferred, required/,
  );
  // AWS: an AUTH token needs in-transit encryption.
  await rejects(
    create(emulator, { AuthToken: 'a-valid-length-token' }),
    'InvalidParameterCombinationException',
    400,
    /TransitEncryptionEnabled/,
  );
  await rejects(
    create(emulator, { PreferredCacheClusterAZs: ['us-east-1a', 'us-east-1b'], NumCacheClusters: 3 }),
    'InvalidParameterCombinationException',
  );
  await rejects(create(emulator, { PreferredCacheClusterAZs: ['eu-west-1a'] }), 'InvalidParameterValueException');
  const secret = 'short@token';
  await assert.rejects(create(emulator, { AuthToken: secret, TransitEncryptionEnabled: true }), (error: Error) => {
    assert.equal(error.name, 'InvalidParameterValueException');
    assert.ok(!error.message.includes(secret), 'the token is never echoed');
    return true;
  });
  await rejects(
    create(emulator, { AuthToken: 'a-valid-length-token/with-slash', TransitEncryptionEnabled: true }),
    'InvalidParameterValueException',
  );
  await rejects(
    create(emulator, { AuthToken: 'a-valid-length-token_underscore', TransitEncryptionEnabled: true }),
    'InvalidParameterValueException',
    400,
    /! & # \$ \^ < > -/,
  );

  const none = await emulator.elasticache.send(new DescribeReplicationGroupsCommand({}));
  assert.deepEqual(none.ReplicationGroups, []);

  await rejects(
    emulator.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'missing' })),
    'ReplicationGroupNotFoundFault',
    404,
  );
  await rejects(
    emulator.elasticache.send(new DeleteReplicationGroupCommand({ ReplicationGroupId: 'missing' })),
    'ReplicationGroupNotFoundFault',
    404,
  );
  await rejects(
    emulator.elasticache.send(new TestFailoverCommand({ ReplicationGroupId: 'missing', NodeGroupId: '0001' })),
    'ReplicationGroupNotFoundFault',
    404,
  );
  await rejects(
    emulator.elasticache.send(new DescribeCacheClustersCommand({ CacheClusterId: 'missing-001' })),
    'CacheClusterNotFoundFault',
    404,
  );
  await rejects(
    emulator.elasticache.send(new DescribeReplicationGroupsCommand({ MaxRecords: 5 })),
    'InvalidParameterValueException',
    400,
    /MaxRecords/,
  );
  await rejects(
    emulator.elasticache.send(new ListTagsForResourceCommand({ ResourceName: 'not-an-arn' })),
    'InvalidARNFault',
    400,
  );
});

test('duplicates, wrong states and subnet groups', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const client = emulator.elasticache;

  const subnets = (await emulator.ec2.send(new DescribeSubnetsCommand({}))).Subnets!;
  assert.equal(subnets.length, 3);
  await rejects(
    client.send(
      new CreateCacheSubnetGroupCommand({
        CacheSubnetGroupName: 'sn',
        CacheSubnetGroupDescription: 'd',
        SubnetIds: ['subnet-nope'],
      }),
    ),
    'InvalidSubnet',
    400,
  );
  const subnetGroup = await client.send(
    new CreateCacheSubnetGroupCommand({
      CacheSubnetGroupName: 'App-Subnets',
      CacheSubnetGroupDescription: 'app',
      SubnetIds: subnets.map((s) => s.SubnetId!),
    }),
  );
  assert.equal(subnetGroup.CacheSubnetGroup!.CacheSubnetGroupName, 'app-subnets');
  assert.equal(subnetGroup.CacheSubnetGroup!.VpcId, subnets[0]!.VpcId);
  assert.deepEqual(
    subnetGroup.CacheSubnetGroup!.Subnets!.map((s) => s.SubnetAvailabilityZone!.Name),
    ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  );
  await rejects(
    client.send(
      new CreateCacheSubnetGroupCommand({
        CacheSubnetGroupName: 'app-subnets',
        CacheSubnetGroupDescription: 'app',
        SubnetIds: [subnets[0]!.SubnetId!],
      }),
    ),
    'CacheSubnetGroupAlreadyExistsFault',
  );
  await rejects(
    client.send(new DescribeCacheSubnetGroupsCommand({ CacheSubnetGroupName: 'other' })),
    'CacheSubnetGroupNotFoundFault',
  );

  const input = {
    ReplicationGroupId: 'dup',
    ReplicationGroupDescription: 'one node',
    CacheSubnetGroupName: 'app-subnets',
  };
  const created = await client.send(new CreateReplicationGroupCommand(input));
  assert.equal(created.ReplicationGroup!.Status, 'creating');
  await rejects(
    client.send(new CreateReplicationGroupCommand(input)),
    'ReplicationGroupAlreadyExistsFault',
    400,
    /already exists/,
  );
  await rejects(
    client.send(new CreateReplicationGroupCommand({ ...input, ReplicationGroupId: 'DUP' })),
    'ReplicationGroupAlreadyExistsFault',
  );
  await rejects(
    client.send(new DeleteCacheSubnetGroupCommand({ CacheSubnetGroupName: 'app-subnets' })),
    'CacheSubnetGroupInUse',
  );

  await waitUntilReplicationGroupAvailable(
    { client, minDelay: 1, maxDelay: 1, maxWaitTime: 30 },
    { ReplicationGroupId: 'dup' },
  );
  await rejects(
    client.send(new TestFailoverCommand({ ReplicationGroupId: 'dup', NodeGroupId: '0001' })),
    'InvalidReplicationGroupStateFault',
    400,
    /automatic failover/,
  );
  await rejects(
    client.send(new TestFailoverCommand({ ReplicationGroupId: 'dup', NodeGroupId: '0002' })),
    'NodeGroupNotFoundFault',
    404,
  );
  await client.send(new DeleteReplicationGroupCommand({ ReplicationGroupId: 'dup' }));
  await rejects(
    client.send(new DeleteReplicationGroupCommand({ ReplicationGroupId: 'dup' })),
    'InvalidReplicationGroupStateFault',
    400,
    /deleting/,
  );
});
