/** Cluster mode in the plan: --shards / --cluster-mode, AWS's combination rules, the request, the differences. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkNodeQuota, describeShape, resolvePlan, resolveSharding } from '../../src/plan/cluster-plan.js';
import { checkVersionFeatures, clusterParameterGroup } from '../../src/plan/engine-versions.js';
import { planToRequests, type ResolvedNetwork } from '../../src/plan/requests.js';
import { differences, type ExistingGroup } from '../../src/plan/differences.js';
import { describeSlots } from '../../src/commands/create-cluster.review.js';
import { evenSlotSplit } from '../../src/plan/slots.js';
import { UsageError } from '../../src/errors.js';

const usage = (pattern: RegExp) => (error: unknown) => error instanceof UsageError && pattern.test(error.message);
const base = { id: 'shop', allowFrom: '10.0.0.0/16' };

const NETWORK: ResolvedNetwork = {
  vpcId: 'vpc-0a1b2c3d',
  vpcIsDefault: true,
  subnetGroup: { action: 'reuse', name: 'sg-name', vpcId: 'vpc-0a1b2c3d', subnetIds: ['subnet-00000001'] },
  securityGroups: [{ action: 'reuse', groupId: 'sg-0000000a', vpcId: 'vpc-0a1b2c3d', createdByTool: true }],
};

test('sharding: more than one shard means cluster mode enabled; --cluster-mode enabled alone gets 3 shards', () => {
  assert.deepEqual(resolveSharding({}), { clusterMode: 'disabled', shards: 1 });
  assert.deepEqual(resolveSharding({ shards: '1' }), { clusterMode: 'disabled', shards: 1 });
  assert.deepEqual(resolveSharding({ shards: '3' }), { clusterMode: 'enabled', shards: 3 });
  assert.deepEqual(resolveSharding({ clusterMode: 'enabled', shards: '1' }), { clusterMode: 'enabled', shards: 1 });
  assert.deepEqual(resolveSharding({ clusterMode: 'Enabled' }), { clusterMode: 'enabled', shards: 3 });
  assert.deepEqual(resolveSharding({ clusterMode: 'compatible' }), { clusterMode: 'compatible', shards: 1 });
  assert.deepEqual(resolveSharding({ shards: '500' }), { clusterMode: 'enabled', shards: 500 });
});

test('sharding: bad values and combinations are one line naming the flag, exit 2', () => {
  assert.throws(() => resolvePlan({ ...base, shards: '0' }), usage(/^--shards must be an integer 1-500 \(got 0\)$/));
  assert.throws(
    () => resolvePlan({ ...base, shards: '501' }),
    usage(/^--shards must be an integer 1-500 \(got 501\)$/),
  );
  assert.throws(() => resolvePlan({ ...base, shards: 'x' }), usage(/^--shards must be an integer 1-500/));
  assert.throws(
    () => resolvePlan({ ...base, clusterMode: 'on' }),
    usage(/^--cluster-mode must be one of enabled, disabled, compatible \(got on\)$/),
  );
  assert.throws(
    () => resolvePlan({ ...base, shards: '3', clusterMode: 'disabled' }),
    usage(/--shards 3 needs cluster mode enabled/),
  );
  assert.throws(
    () => resolvePlan({ ...base, shards: '2', clusterMode: 'compatible' }),
    usage(/--shards 2 needs --cluster-mode enabled/),
  );
  assert.throws(
    () => resolvePlan({ ...base, shards: '3', automaticFailover: false }),
    usage(/--no-automatic-failover cannot be used with cluster mode enabled/),
  );
  assert.throws(
    () => resolvePlan({ ...base, clusterMode: 'compatible', replicas: '0' }),
    usage(/--cluster-mode compatible needs at least one replica/),
  );
  assert.throws(
    () => resolvePlan({ ...base, shards: '3', replicas: '0', multiAz: true }),
    usage(/--multi-az needs at least one replica per shard/),
  );
});

test('cluster mode: automatic failover always on (also with 0 replicas); Multi-AZ only when asked', () => {
  const { plan } = resolvePlan({ ...base, shards: '3', replicas: '0' });
  assert.equal(plan.clusterMode, 'enabled');
  assert.equal(plan.shards, 3);
  assert.equal(plan.replicas, 0);
  assert.equal(plan.automaticFailover, true);
  assert.equal(plan.multiAZ, false);
  assert.equal(resolvePlan({ ...base, shards: '2', replicas: '1', multiAz: true }).plan.multiAZ, true);
  // Cluster mode disabled keeps its rule: no replica, no failover.
  assert.equal(resolvePlan({ ...base, replicas: '0' }).plan.automaticFailover, false);
});

test('node quota: over 90 nodes a warning naming the quota, over 500 refused', () => {
  assert.equal(checkNodeQuota(30, 2, 'enabled'), undefined, '90 nodes is within the default quota');
  assert.match(checkNodeQuota(31, 2, 'enabled') ?? '', /93 nodes: above ElastiCache's default quota of 90/);
  assert.match(checkNodeQuota(31, 2, 'enabled') ?? '', /Nodes per cluster \(cluster mode enabled\)/);
  assert.equal(checkNodeQuota(1, 5, 'disabled'), undefined);
  const { warnings } = resolvePlan({ ...base, shards: '46', replicas: '1' });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /--shards 46 x \(1 primary \+ 1 replica\) = 92 nodes/);
  assert.doesNotThrow(() => resolvePlan({ ...base, shards: '500', replicas: '0' }));
  assert.doesNotThrow(() => resolvePlan({ ...base, shards: '83', replicas: '5' }), '498 nodes');
  assert.throws(
    () => resolvePlan({ ...base, shards: '84', replicas: '5' }),
    usage(/= 504 nodes: a cluster-mode-enabled group has at most 500 nodes/),
  );
});

test("the request: NumNodeGroups, ReplicasPerNodeGroup, ClusterMode and the family's cluster.on parameter group", () => {
  const { plan } = resolvePlan({ ...base, shards: '3', replicas: '1', engineVersion: '7.1' });
  const group = planToRequests(plan, NETWORK).at(-1)!;
  assert.equal(group.action, 'CreateReplicationGroup');
  const input = group.input;
  assert.equal(input.NumNodeGroups, 3);
  assert.equal(input.ReplicasPerNodeGroup, 1);
  assert.equal(input.ClusterMode, 'enabled');
  assert.equal(input.CacheParameterGroupName, 'default.redis7.cluster.on');
  assert.equal(input.AutomaticFailoverEnabled, true);
  assert.equal(input.NumCacheClusters, undefined, 'NumCacheClusters is for cluster mode disabled');
  // Cluster mode disabled stays as it was; an explicit --cluster-mode disabled is passed on.
  const disabled = planToRequests(resolvePlan({ ...base, engineVersion: '7.1' }).plan, NETWORK).at(-1)!.input;
  assert.equal(disabled.NumCacheClusters, 3);
  assert.equal(disabled.ClusterMode, undefined);
  assert.equal(disabled.CacheParameterGroupName, undefined);
  // Before Redis OSS 7.0 cluster mode is the cluster.on parameter group alone (no ClusterMode parameter).
  const old = planToRequests(resolvePlan({ ...base, shards: '2', engineVersion: '6.2' }).plan, NETWORK).at(-1)!.input;
  assert.equal(old.CacheParameterGroupName, 'default.redis6.x.cluster.on');
  assert.equal(old.ClusterMode, undefined);
  assert.equal(old.NumNodeGroups, 2);
  const valkey = resolvePlan({ ...base, engine: 'valkey', shards: '2', engineVersion: '8.1' }).plan;
  assert.equal(planToRequests(valkey, NETWORK).at(-1)!.input.ClusterMode, 'enabled');
  const explicit = resolvePlan({ ...base, clusterMode: 'disabled', engineVersion: '7.1' }).plan;
  assert.equal(planToRequests(explicit, NETWORK).at(-1)!.input.ClusterMode, 'disabled');
});

test('cluster.on parameter groups per engine family; cluster mode needs redis 3.2.4', () => {
  assert.equal(clusterParameterGroup('redis', '7.1'), 'default.redis7.cluster.on');
  assert.equal(clusterParameterGroup('redis', '7.0.7'), 'default.redis7.cluster.on');
  assert.equal(clusterParameterGroup('redis', '6.2'), 'default.redis6.x.cluster.on');
  assert.equal(clusterParameterGroup('redis', '5.0.6'), 'default.redis5.0.cluster.on');
  assert.equal(clusterParameterGroup('redis', '3.2.10'), 'default.redis3.2.cluster.on');
  assert.equal(clusterParameterGroup('valkey', '8.1'), 'default.valkey8.cluster.on');
  assert.equal(clusterParameterGroup('valkey', '7.2'), 'default.valkey7.cluster.on');
  const off = { transitEncryption: false, atRestEncryption: false };
  assert.throws(
    () => checkVersionFeatures('redis', '3.2.0', { ...off, clusterMode: 'enabled' }),
    usage(/cluster mode enabled needs redis 3\.2\.4 or newer/),
  );
  assert.doesNotThrow(() => checkVersionFeatures('redis', '3.2.4', { ...off, clusterMode: 'enabled' }));
  assert.throws(
    () => checkVersionFeatures('redis', '6.2', { ...off, clusterMode: 'compatible' }),
    usage(/--cluster-mode compatible needs redis 7\.0 or newer/),
  );
  assert.doesNotThrow(() => checkVersionFeatures('redis', '3.2.0', { ...off, clusterMode: 'disabled' }));
  // Above 90 nodes AWS needs Redis OSS 5.0.6 or newer (any Valkey).
  const big = { ...off, clusterMode: 'enabled', shards: 46, replicas: 1 };
  assert.throws(() => checkVersionFeatures('redis', '5.0.5', big), usage(/92 nodes .* needs redis 5\.0\.6 or newer/));
  assert.doesNotThrow(() => checkVersionFeatures('redis', '5.0.6', big));
  assert.doesNotThrow(() => checkVersionFeatures('redis', '5.0.5', { ...big, shards: 45 }), '90 nodes');
});

test("the review's words: shards x replicas and AWS's even slot split", () => {
  assert.equal(describeShape({ shards: 1, replicas: 2, clusterMode: 'disabled' }), '1 primary + 2 read replicas');
  assert.equal(
    describeShape({ shards: 3, replicas: 1, clusterMode: 'enabled' }),
    '3 shards x (1 primary + 1 replica) = 6 nodes',
  );
  assert.deepEqual(evenSlotSplit(3), [
    { nodeGroupId: '0001', slots: '0-5461' },
    { nodeGroupId: '0002', slots: '5462-10922' },
    { nodeGroupId: '0003', slots: '10923-16383' },
  ]);
  assert.equal(describeSlots(3), '0001 0-5461 · 0002 5462-10922 · 0003 10923-16383 (even split of 16384 hash slots)');
  const long = describeSlots(500);
  assert.match(long, /^0001 0-32 · 0002 33-65 · 0003 66-98 · … 495 more … · 0499 16320-16351 · 0500 16352-16383/);
});

const EXISTING_CLUSTER: ExistingGroup = {
  status: 'available',
  engine: 'redis',
  engineVersion: '7.1.0',
  nodeType: 'cache.t3.micro',
  replicas: 1,
  shards: 3,
  multiAZ: false,
  automaticFailover: true,
  transitEncryption: false,
  atRestEncryption: false,
  authTokenEnabled: false,
  clusterMode: true,
  clusterModeName: 'enabled',
  securityGroupIds: ['sg-0000000a'],
  allowFromSources: ['10.0.0.0/16'],
};

test('differences: shards, replicas per shard and cluster mode are compared', () => {
  const same = resolvePlan({ ...base, shards: '3', replicas: '1', transitEncryption: false }).plan;
  assert.deepEqual(differences(same, EXISTING_CLUSTER), []);
  const more = resolvePlan({ ...base, shards: '4', replicas: '2', transitEncryption: false }).plan;
  assert.deepEqual(
    differences(more, EXISTING_CLUSTER).map((d) => `${d.setting}: ${d.existing} -> ${d.planned}`),
    ['--shards: 3 -> 4', '--replicas (per shard): 1 -> 2'],
  );
  const disabled = resolvePlan({ ...base, replicas: '1', transitEncryption: false }).plan;
  assert.deepEqual(
    differences(disabled, EXISTING_CLUSTER).map((d) => `${d.setting}: ${d.existing} -> ${d.planned}`),
    ['--cluster-mode: enabled -> disabled', '--shards: 3 -> 1'],
  );
});
