/**
 * Two pipelines creating groups in one VPC at the same moment: each create-cluster looks,
 * finds no tool-made subnet group or security group, and creates them; the slower one's
 * CreateCacheSubnetGroup / CreateSecurityGroup then meet the other's. Each run must use what
 * the other made (same name: same VPC, subnets, source and port) instead of failing, and the
 * VPC ends with one of each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeCacheSubnetGroupsCommand } from '@aws-sdk/client-elasticache';
import { runCli } from './helpers/cli.js';
import { runCliInProcess } from './helpers/cli-in-process.js';
import { awsContextOf, startTestEmulator } from './helpers/emulator.js';
import { resolvePlan } from '../src/plan/cluster-plan.js';
import { CREATED_SECURITY_GROUP_ID, planToRequests } from '../src/plan/requests.js';
import { resolveNetwork } from '../src/aws/network.js';
import { launch } from '../src/aws/launch.js';
import type { AwsContext } from '../src/aws/clients.js';
import { ec2Sdk } from './helpers/ec2.js';

const { DescribeSecurityGroupsCommand } = ec2Sdk();

/** The requests create-cluster would send for a group with no replica, opened to `allowFrom`. */
async function requestsOf(aws: AwsContext, id: string, allowFrom: string) {
  const { plan } = resolvePlan({ id, replicas: 0, allowFrom, transitEncryption: false });
  return planToRequests(plan, await resolveNetwork(aws, plan));
}

test('the race, step by step: B looked before A created the network; B then launches onto what A made', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const aws = awsContextOf(emulator);
  // Both runs plan (Describe: no tool subnet group, no tool security group) before either launches.
  const [a, b] = [await requestsOf(aws, 'step-a', '10.8.0.0/16'), await requestsOf(aws, 'step-b', '10.8.0.0/16')];
  for (const requests of [a, b]) {
    assert.deepEqual(
      requests.map((r) => r.action),
      ['CreateCacheSubnetGroup', 'CreateSecurityGroup', 'AuthorizeSecurityGroupIngress', 'CreateReplicationGroup'],
    );
  }
  const made = await launch(aws, a);
  assert.deepEqual(
    made.created.map((c) => c.kind),
    ['subnet-group', 'security-group'],
  );
  // B: the subnet group, the security group and its rule exist now; B uses them and records
  // nothing as its own (it must never delete what A made when it undoes a failure).
  const second = await launch(aws, b);
  assert.deepEqual(second.created, []);
  const { SecurityGroups } = await emulator.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [{ Name: 'group-name', Values: ['elasticache-kit-6379-from-10.8.0.0/16'] }],
    }),
  );
  assert.equal(SecurityGroups?.length, 1);
  assert.equal(SecurityGroups![0]!.IpPermissions?.length, 1);
});

test('the other way round: B adopts the security group A just made and opens the port before A does; A goes on', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const aws = awsContextOf(emulator);
  const [a, b] = [await requestsOf(aws, 'turn-a', '10.7.0.0/16'), await requestsOf(aws, 'turn-b', '10.7.0.0/16')];
  // A gets as far as its security group...
  const madeByA = await launch(aws, a.slice(0, 2));
  const groupOfA = madeByA.created.find((c) => c.kind === 'security-group');
  assert.ok(groupOfA && groupOfA.kind === 'security-group');
  // ...B runs whole, adopting that group and adding its rule...
  assert.deepEqual((await launch(aws, b)).created, []);
  // ...and A's own AuthorizeSecurityGroupIngress meets the rule B added: A goes on, its group made.
  const rest = JSON.parse(JSON.stringify(a.slice(2)).split(CREATED_SECURITY_GROUP_ID).join(groupOfA.groupId));
  await launch(aws, rest, { created: madeByA.created });
  assert.deepEqual(
    madeByA.created.map((c) => c.kind),
    ['subnet-group', 'security-group'],
  );
  const { SecurityGroups } = await emulator.ec2.send(
    new DescribeSecurityGroupsCommand({ GroupIds: [groupOfA.groupId] }),
  );
  assert.equal(SecurityGroups![0]!.IpPermissions?.length, 1);
});

test('create-cluster runs started together share the network one of them made: all exit 0, one subnet group, one security group', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const ids = ['race-a', 'race-b', 'race-c', 'race-d'];
  const results = await Promise.all(
    ids.map((id) =>
      runCli(
        [
          '--endpoint-url',
          emulator.url,
          'create-cluster',
          id,
          '--replicas',
          '0',
          '--no-transit-encryption',
          '--allow-from',
          '10.9.0.0/16',
          '--no-wait',
          '--yes',
        ],
        { env: emulator.env },
      ),
    ),
  );
  for (const [i, result] of results.entries()) assert.equal(result.code, 0, `${ids[i]}: ${result.stderr}`);

  const { CacheSubnetGroups } = await emulator.elasticache.send(new DescribeCacheSubnetGroupsCommand({}));
  const toolSubnetGroups = (CacheSubnetGroups ?? []).filter((g) =>
    g.CacheSubnetGroupName?.startsWith('elasticache-kit-'),
  );
  assert.equal(toolSubnetGroups.length, 1, JSON.stringify(toolSubnetGroups.map((g) => g.CacheSubnetGroupName)));
  const { SecurityGroups } = await emulator.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [{ Name: 'group-name', Values: ['elasticache-kit-6379-from-10.9.0.0/16'] }],
    }),
  );
  assert.equal(SecurityGroups?.length, 1);
  assert.equal(SecurityGroups![0]!.IpPermissions?.length, 1, 'its one rule, added once');

  // Every group is deletable, and the shared network goes with the last one. One after the
  // other, so in-process (the race above needed separate processes); the last through the binary.
  for (const id of ids) {
    const args = ['--endpoint-url', emulator.url, 'delete-cluster', id, '--yes'];
    const deleted =
      id === ids.at(-1)
        ? await runCli(args, { env: emulator.env })
        : await runCliInProcess(args, { env: emulator.env });
    assert.equal(deleted.code, 0, `${id}: ${deleted.stderr}`);
  }
  const after = await emulator.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [{ Name: 'group-name', Values: ['elasticache-kit-6379-from-10.9.0.0/16'] }],
    }),
  );
  assert.equal(after.SecurityGroups?.length ?? 0, 0, 'the tool-made security group is gone with the last group');
});
