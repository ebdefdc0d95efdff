/** The EC2 side through the real EC2Client: default network, security groups, rules, tags. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateReplicationGroupCommand,
  DeleteReplicationGroupCommand,
  waitUntilReplicationGroupAvailable,
  waitUntilReplicationGroupDeleted,
} from '@aws-sdk/client-elasticache';
import { startTestEmulator } from '../helpers/emulator.js';
import { ec2Sdk } from '../helpers/ec2.js';

const {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
} = ec2Sdk();

async function rejects(promise: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.equal(error.name, name, `error name (message: ${error.message})`);
    if (message) assert.match(error.message, message);
    return true;
  });
}

test('EC2: default VPC and subnets, security groups with rules, tags, dependencies', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const ec2 = emulator.ec2;

  const vpcs = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'isDefault', Values: ['true'] }] }))).Vpcs!;
  assert.equal(vpcs.length, 1);
  const vpc = vpcs[0]!;
  assert.match(vpc.VpcId!, /^vpc-[0-9a-f]{17}$/);
  assert.equal(vpc.CidrBlock, '172.31.0.0/16');
  assert.equal(vpc.IsDefault, true);
  assert.deepEqual(
    (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'isDefault', Values: ['false'] }] }))).Vpcs,
    [],
  );

  const subnets = (
    await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpc.VpcId!] },
          { Name: 'default-for-az', Values: ['true'] },
        ],
      }),
    )
  ).Subnets!;
  assert.deepEqual(
    subnets.map((s) => s.AvailabilityZone),
    ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  );
  assert.ok(subnets.every((s) => s.VpcId === vpc.VpcId && s.DefaultForAz === true && /^172\.31\./.test(s.CidrBlock!)));
  const inZone = (
    await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'availability-zone', Values: ['us-east-1b'] }] }))
  ).Subnets!;
  assert.deepEqual(
    inZone.map((s) => s.SubnetId),
    [subnets[1]!.SubnetId],
  );
  await rejects(
    ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] })),
    'InvalidParameterValue',
    /no-such-filter/,
  );
  await rejects(ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0000'] })), 'InvalidSubnetID.NotFound');

  // Regions are separate networks.
  const { EC2Client } = ec2Sdk();
  const west = new EC2Client({
    region: 'eu-west-1',
    endpoint: emulator.url,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
  });
  t.after(() => west.destroy());
  const westSubnets = (await west.send(new DescribeSubnetsCommand({}))).Subnets!;
  assert.deepEqual(
    westSubnets.map((s) => s.AvailabilityZone),
    ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  );

  const defaults = (
    await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'group-name', Values: ['default'] },
          { Name: 'vpc-id', Values: [vpc.VpcId!] },
        ],
      }),
    )
  ).SecurityGroups!;
  assert.equal(defaults.length, 1);
  await rejects(ec2.send(new DeleteSecurityGroupCommand({ GroupId: defaults[0]!.GroupId })), 'CannotDelete');

  const created = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: 'orders-cache',
      Description: 'cache access',
      VpcId: vpc.VpcId,
      TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'created-by', Value: 'elasticache-kit' }] }],
    }),
  );
  const groupId = created.GroupId!;
  assert.match(groupId, /^sg-[0-9a-f]{17}$/);
  await rejects(
    ec2.send(new CreateSecurityGroupCommand({ GroupName: 'orders-cache', Description: 'again', VpcId: vpc.VpcId })),
    'InvalidGroup.Duplicate',
    /orders-cache/,
  );

  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 6379,
          ToPort: 6379,
          IpRanges: [{ CidrIp: '10.0.0.0/16', Description: 'app' }],
          UserIdGroupPairs: [{ GroupId: defaults[0]!.GroupId }],
        },
      ],
    }),
  );
  await rejects(
    ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 6379, ToPort: 6379, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }],
      }),
    ),
    'InvalidPermission.Duplicate',
  );
  await rejects(
    ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 6379, ToPort: 6379, IpRanges: [{ CidrIp: '10.0.0/16' }] }],
      }),
    ),
    'InvalidParameterValue',
  );
  await rejects(
    ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: 'sg-00000000', IpPermissions: [] })),
    'InvalidGroup.NotFound',
  );

  await ec2.send(new CreateTagsCommand({ Resources: [groupId, vpc.VpcId!], Tags: [{ Key: 'Name', Value: 'orders' }] }));
  const byTag = (
    await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:created-by', Values: ['elasticache-kit'] }] }),
    )
  ).SecurityGroups!;
  assert.equal(byTag.length, 1);
  const described = byTag[0]!;
  assert.equal(described.GroupId, groupId);
  assert.equal(described.Description, 'cache access');
  assert.deepEqual(described.Tags?.map((tag) => tag.Key).sort(), ['Name', 'created-by']);
  const permission = described.IpPermissions![0]!;
  assert.equal(permission.IpProtocol, 'tcp');
  assert.equal(permission.FromPort, 6379);
  assert.deepEqual(permission.IpRanges, [{ CidrIp: '10.0.0.0/16', Description: 'app' }]);
  assert.equal(permission.UserIdGroupPairs![0]!.GroupId, defaults[0]!.GroupId);
  assert.equal(
    (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['ord*'] }] }))).Vpcs!.length,
    1,
  );
  await rejects(
    ec2.send(new CreateTagsCommand({ Resources: ['sg-00000000'], Tags: [{ Key: 'a', Value: 'b' }] })),
    'InvalidGroup.NotFound',
  );

  // A security group used by a replication group cannot be deleted until the group is gone.
  const client = emulator.elasticache;
  await client.send(
    new CreateReplicationGroupCommand({
      ReplicationGroupId: 'uses-sg',
      ReplicationGroupDescription: 'd',
      SecurityGroupIds: [groupId],
    }),
  );
  await rejects(ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })), 'DependencyViolation');
  await waitUntilReplicationGroupAvailable(
    { client, minDelay: 1, maxDelay: 1, maxWaitTime: 30 },
    { ReplicationGroupId: 'uses-sg' },
  );
  await client.send(new DeleteReplicationGroupCommand({ ReplicationGroupId: 'uses-sg' }));
  await waitUntilReplicationGroupDeleted(
    { client, minDelay: 1, maxDelay: 1, maxWaitTime: 30 },
    { ReplicationGroupId: 'uses-sg' },
  );
  await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
  await rejects(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })), 'InvalidGroup.NotFound');
  await rejects(ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })), 'InvalidGroup.NotFound');
});
