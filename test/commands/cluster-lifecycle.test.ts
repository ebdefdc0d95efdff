/** The UI-free create/delete path (for demo and drills), in process against the emulator. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { DescribeCacheSubnetGroupsCommand } from '@aws-sdk/client-elasticache';
import { startTestEmulator } from '../helpers/emulator.js';
import { createFromPlan, deleteWithNetwork } from '../../src/aws/cluster-lifecycle.js';
import { resolvePlan } from '../../src/plan/cluster-plan.js';
import type { AwsContext } from '../../src/aws/clients.js';

test('createFromPlan then deleteWithNetwork: a 1+1 group comes and goes with its network', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const aws: AwsContext = { elasticache: emulator.elasticache, ec2: emulator.ec2, region: 'us-east-1', local: true };
  const steps: string[] = [];
  const statuses: string[] = [];
  const { plan } = resolvePlan({ id: 'life', replicas: 1, allowFrom: '10.5.0.0/16' });
  const topology = await createFromPlan(aws, plan, { onStep: (r) => steps.push(r.action), onStatus: (s) => statuses.push(s), pollMs: 100 });
  assert.deepEqual(steps, ['CreateCacheSubnetGroup', 'CreateSecurityGroup', 'AuthorizeSecurityGroupIngress', 'CreateReplicationGroup']);
  assert.equal(topology.status, 'available');
  assert.equal(topology.nodes.length, 2);
  assert.equal(statuses.at(-1), 'available');

  const report = await deleteWithNetwork(aws, 'life', { pollMs: 100 });
  assert.equal(report.removed.length, 2, JSON.stringify(report));
  const groups = (await emulator.ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups!.map((g) => g.GroupName);
  assert.deepEqual(groups, ['default']);
  const subnetGroups = (await emulator.elasticache.send(new DescribeCacheSubnetGroupsCommand({}))).CacheSubnetGroups!.map((g) => g.CacheSubnetGroupName);
  assert.ok(!subnetGroups.some((name) => name?.startsWith('elasticache-kit-')));
});
