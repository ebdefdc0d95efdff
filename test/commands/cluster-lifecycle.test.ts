/** The create and delete cores without any UI (as demo and drills call them), in process against the emulator. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeCacheSubnetGroupsCommand } from '@aws-sdk/client-elasticache';
import { startTestEmulator } from '../helpers/emulator.js';
import { createCluster } from '../../src/core/create-cluster.js';
import { deleteCluster } from '../../src/core/delete-cluster.js';
import { headlessEvents } from '../../src/core/events.js';
import { resolvePlan } from '../../src/plan/cluster-plan.js';
import type { AwsContext } from '../../src/aws/clients.js';
import { ec2Sdk } from '../helpers/ec2.js';

const { DescribeSecurityGroupsCommand } = ec2Sdk();

test('core createCluster then deleteCluster: a 1+1 group comes and goes with its network', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const aws: AwsContext = { elasticache: emulator.elasticache, ec2: emulator.ec2, region: 'us-east-1', local: true };
  const lines: string[] = [];
  const events = headlessEvents({ onLine: (line) => lines.push(line), pollMs: 100 });
  const { plan } = resolvePlan({ id: 'life', replicas: 1, allowFrom: '10.5.0.0/16' });
  const result = await createCluster(aws, { plan, dryRun: false, wait: true }, events);
  if (result.kind !== 'created') assert.fail(`expected a created group, got ${result.kind}`);
  assert.deepEqual(
    lines.filter((l) => /^(creating|opening|requesting)/.test(l)).map((l) => l.split(' ').slice(0, 2).join(' ')),
    ['creating cache', 'creating security', 'opening the', 'requesting replication'],
  );
  assert.ok(lines.includes('requesting replication group life (2 nodes)'), lines.join('\n'));
  assert.equal(result.topology.status, 'available');
  assert.equal(result.topology.nodes.length, 2);
  assert.equal(lines.filter((l) => l.startsWith('life: ')).at(-1), 'life: available');

  // The same plan again: the group exists with these settings, nothing is created.
  const again = await createCluster(aws, { plan, dryRun: true, wait: false }, events);
  assert.deepEqual(again, { kind: 'dry-run', requests: [] });

  const report = await deleteCluster(
    aws,
    { replicationGroupId: 'life', yes: true, keepNetwork: false, wait: true, timeoutMinutes: 5 },
    events,
  );
  assert.equal(report.status, 'deleted');
  assert.equal(report.removed.length, 2, JSON.stringify(report));
  const groups = (await emulator.ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups!.map(
    (g) => g.GroupName,
  );
  assert.deepEqual(groups, ['default']);
  const subnetGroups = (
    await emulator.elasticache.send(new DescribeCacheSubnetGroupsCommand({}))
  ).CacheSubnetGroups!.map((g) => g.CacheSubnetGroupName);
  assert.ok(!subnetGroups.some((name) => name?.startsWith('elasticache-kit-')));
});
