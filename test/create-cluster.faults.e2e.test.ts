/**
 * create-cluster under real network faults (test/helpers/faulty-proxy.ts between the CLI and
 * the emulator). A lost CreateReplicationGroup answer makes the SDK retry into
 * ReplicationGroupAlreadyExists: the group is this run's, so the run waits for it and keeps
 * its network. A group that comes up with fewer nodes than planned is not reported as success.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddTagsToResourceCommand,
  DescribeCacheClustersCommand,
  DescribeCacheSubnetGroupsCommand,
  DescribeReplicationGroupsCommand,
} from '@aws-sdk/client-elasticache';
import { runCli } from './helpers/cli.js';
import { runCliInProcess } from './helpers/cli-in-process.js';
import { ACCOUNT_ID } from '../src/local/ec2-network.js';
import { LIFECYCLE_TAG } from '../src/local/replication-groups.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { startFaultyProxy, type Fault } from './helpers/faulty-proxy.js';
import { ec2Sdk } from './helpers/ec2.js';

const { DescribeSecurityGroupsCommand } = ec2Sdk();

let emulator: TestEmulator;

/**
 * create-cluster through a faulty proxy: the built binary for the first case, the same
 * commander program in-process for the others (what is tested is the SDK's retry and the
 * run's answer to it, not the process).
 */
async function createThrough(
  id: string,
  fault: (body: string, action: string) => Fault | undefined,
  extra: string[] = [],
  via: 'binary' | 'in-process' = 'in-process',
) {
  const proxy = await startFaultyProxy(emulator.url, fault);
  try {
    const result = await (via === 'binary' ? runCli : runCliInProcess)(
      [
        '--endpoint-url',
        proxy.url,
        '--output',
        'json',
        'create-cluster',
        id,
        '--replicas',
        '2',
        '--no-transit-encryption',
        '--allow-from',
        '10.0.0.0/16',
        '--yes',
        ...extra,
      ],
      { env: { ...emulator.env, AWS_ENDPOINT_URL: proxy.url } },
    );
    return { ...result, actions: proxy.actions };
  } finally {
    await proxy.close();
  }
}

describe('create-cluster under network faults', () => {
  before(async () => {
    emulator = await startTestEmulator();
  });
  after(async () => {
    await emulator?.close();
  });

  test('the CreateReplicationGroup answer is lost: the retry finds the group this run made, waits for it, keeps its network', async () => {
    let lost = false;
    const result = await createThrough(
      'retried',
      (_body, action) => {
        if (action !== 'CreateReplicationGroup' || lost) return undefined;
        lost = true;
        return { kind: 'lose-answer' };
      },
      [],
      'binary',
    );
    assert.equal(
      result.actions.filter((action) => action === 'CreateReplicationGroup').length,
      2,
      'the SDK retried the create after the lost answer',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /CreateReplicationGroup was retried after its answer was lost/);
    assert.doesNotMatch(result.stderr, /removed what this run had created/);
    const topology = JSON.parse(result.stdout);
    assert.equal(topology.status, 'available');
    assert.equal(topology.nodes.length, 3);

    // The network the group uses is still there.
    const group = (
      await emulator.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'retried' }))
    ).ReplicationGroups![0]!;
    assert.equal(group.Status, 'available');
    const node = (
      await emulator.elasticache.send(new DescribeCacheClustersCommand({ CacheClusterId: group.MemberClusters![0] }))
    ).CacheClusters![0]!;
    const subnetGroup = await emulator.elasticache.send(
      new DescribeCacheSubnetGroupsCommand({ CacheSubnetGroupName: node.CacheSubnetGroupName }),
    );
    assert.equal(subnetGroup.CacheSubnetGroups!.length, 1, 'its subnet group is kept');
    const groupIds = node.SecurityGroups!.map((sg) => sg.SecurityGroupId!);
    const sgs = (await emulator.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds }))).SecurityGroups!;
    assert.equal(sgs.length, groupIds.length, 'its security group is kept');
    assert.match(result.stderr, /creating cache subnet group/, 'this run made the subnet group');
    assert.match(result.stderr, /creating security group/, 'and the security group');
  });

  test('a group that exists but is not this run’s is still a failure, and the run removes only its own network', async () => {
    const first = await createThrough('taken', () => undefined, ['--description', 'someone else']);
    assert.equal(first.code, 0, first.stderr);
    let lost = false;
    // Same id, different description: the retry's AlreadyExists is for a group this run did not make.
    const second = await createThrough(
      'taken',
      (body, action) => {
        if (action === 'DescribeReplicationGroups' && !lost) {
          // Hide the existing group from the idempotency check, as if it appeared in between.
          return { kind: 'rewrite', body: body.replace('ReplicationGroupId=taken', 'ReplicationGroupId=absent') };
        }
        if (action === 'CreateReplicationGroup') lost = true;
        return undefined;
      },
      ['--description', 'mine'],
    );
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stderr, /already exists, but not as this run asked: its settings differ \(--description\)/);
    assert.match(second.stderr, /ReplicationGroupAlreadyExistsFault from elasticache:CreateReplicationGroup/);
    const still = await emulator.elasticache.send(
      new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'taken' }),
    );
    assert.equal(still.ReplicationGroups![0]!.Description, 'someone else', 'the other group is untouched');
  });

  test('the TestFailover answer is lost: the retry meets the group modifying, and the run waits for the new primary', async () => {
    const proxy = await startFaultyProxy(emulator.url, (_body, action) =>
      action === 'TestFailover' && !proxy.actions.slice(0, -1).includes('TestFailover')
        ? { kind: 'lose-answer' }
        : undefined,
    );
    try {
      // The failover (modifying) outlasts the SDK's retry delay, as a real one (minutes) does.
      const arn = `arn:aws:elasticache:us-east-1:${ACCOUNT_ID}:replicationgroup:retried`;
      await emulator.elasticache.send(
        new AddTagsToResourceCommand({ ResourceName: arn, Tags: [{ Key: LIFECYCLE_TAG, Value: '1500' }] }),
      );
      const result = await runCli(['--endpoint-url', proxy.url, '--output', 'json', 'failover', 'retried', '--yes'], {
        env: { ...emulator.env, AWS_ENDPOINT_URL: proxy.url },
      });
      assert.equal(proxy.actions.filter((action) => action === 'TestFailover').length, 2, 'the SDK retried');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /retried failed over to retried-00[23]/);
    } finally {
      await proxy.close();
    }
  });

  test('AWS accepts the request but creates fewer nodes than planned: the topology is printed, the run exits 1 saying so', async () => {
    const result = await createThrough('short', (body, action) =>
      action === 'CreateReplicationGroup'
        ? { kind: 'rewrite', body: body.replace('NumCacheClusters=3', 'NumCacheClusters=2') }
        : undefined,
    );
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /short is available with 2 nodes, not the 3 planned/);
    const topology = JSON.parse(result.stdout);
    assert.equal(topology.nodes.length, 2, 'the real group is still described, as one JSON document');
  });
});
