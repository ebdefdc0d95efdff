/** Unit tests for the pure parts around create-cluster: review screen, Topology view, list rows, resume hints, AWS error lines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePlan } from '../../src/plan/cluster-plan.js';
import { parseAllowFrom } from '../../src/plan/rules.js';
import type { ResolvedNetwork } from '../../src/plan/requests.js';
import { renderReview } from '../../src/commands/create-cluster.review.js';
import { renderTopology } from '../../src/ui/topology-view.js';
import { summarise } from '../../src/core/list.js';
import { pollIntervalFor, resumeCommand } from '../../src/commands/wait-progress.js';
import { explainAwsError } from '../../src/aws/errors.js';
import { ExitCode } from '../../src/errors.js';
import type { AwsContext } from '../../src/aws/clients.js';
import type { Topology } from '../../src/topology.js';

const network: ResolvedNetwork = {
  vpcId: 'vpc-0a1b2c3d',
  vpcIsDefault: true,
  subnetGroup: {
    action: 'create',
    name: 'elasticache-kit-vpc-0a1b2c3d',
    vpcId: 'vpc-0a1b2c3d',
    subnetIds: ['subnet-00000001', 'subnet-00000002'],
  },
  securityGroups: [
    {
      action: 'create',
      name: 'elasticache-kit-6379-from-sg-0bbbbbbb',
      vpcId: 'vpc-0a1b2c3d',
      source: parseAllowFrom('sg-0bbbbbbb'),
      port: 6379,
    },
  ],
};

test('the review lists every setting and each resource that will be created; the AUTH token is not shown', () => {
  const { plan } = resolvePlan({
    id: 'orders',
    allowFrom: 'sg-0bbbbbbb',
    nodeType: 'cache.r7g.large',
    multiAz: true,
    transitEncryption: true,
    authToken: { value: 'abcdefghijklmnopq', origin: '$REDIS_AUTH' },
    tags: ['team=web'],
  });
  plan.engineVersion = '7.1';
  const text = renderReview(plan, network, 'eu-west-1');
  for (const pattern of [
    /^Region +eu-west-1$/m,
    /^Replication group +orders$/m,
    /^Engine +redis 7\.1$/m,
    /^Node type +cache\.r7g\.large$/m,
    /^Nodes +1 primary \+ 2 read replicas$/m,
    /^Port +6379$/m,
    /^Automatic failover +yes$/m,
    /^Multi-AZ +yes$/m,
    /^VPC +vpc-0a1b2c3d \(default\)$/m,
    /^Subnet group +elasticache-kit-vpc-0a1b2c3d \(new: subnet-00000001, subnet-00000002\)$/m,
    /^Access +port 6379\/tcp from sg-0bbbbbbb only$/m,
    /^Encryption in transit +yes \(TLS: clients connect with rediss:\/\/.*--no-transit-encryption turns it off\)$/m,
    /^AUTH token +yes, from \$REDIS_AUTH \(not shown\)$/m,
    /^Tags +created-by=elasticache-kit, elasticache-kit:replication-group=orders, team=web$/m,
    /^Will create +cache subnet group elasticache-kit-vpc-0a1b2c3d; security group elasticache-kit-6379-from-sg-0bbbbbbb \+ 1 ingress rule; replication group orders \(3 nodes\)$/m,
  ]) {
    assert.match(text, pattern);
  }
  assert.ok(!text.includes('abcdefghijklmnopq'));
});

test('the review says when everything is reused and nothing but the group is created', () => {
  const { plan } = resolvePlan({ id: 'b', securityGroup: 'sg-0ccccccc', replicas: '0' });
  const text = renderReview(
    plan,
    {
      ...network,
      subnetGroup: { action: 'reuse', name: 'mine', vpcId: 'vpc-0a1b2c3d', subnetIds: [] },
      securityGroups: [{ action: 'reuse', groupId: 'sg-0ccccccc', vpcId: 'vpc-0a1b2c3d', createdByTool: false }],
    },
    'us-east-1',
  );
  assert.match(text, /^Subnet group +mine \(existing\)$/m);
  assert.match(text, /^Security groups +sg-0ccccccc \(existing\)$/m);
  assert.match(text, /^Will create +replication group b \(1 node\)$/m);
  assert.match(text, /^Automatic failover +no$/m);
});

const topology: Topology = {
  kind: 'replication-group',
  replicationGroupId: 'demo',
  status: 'available',
  engine: 'redis',
  engineVersion: '7.1.0',
  port: 6379,
  tls: true,
  authRequired: false,
  clusterMode: false,
  primaryEndpoint: { address: 'demo.abc.ng.0001.use1.cache.amazonaws.com', port: 6379 },
  readerEndpoint: { address: 'demo-ro.abc.ng.0001.use1.cache.amazonaws.com', port: 6379 },
  nodes: [
    {
      id: 'demo-001',
      role: 'primary',
      address: 'demo-001.abc.0001.use1.cache.amazonaws.com',
      port: 6379,
      availabilityZone: 'us-east-1a',
    },
    {
      id: 'demo-002',
      role: 'replica',
      address: 'demo-002.abc.0001.use1.cache.amazonaws.com',
      port: 6379,
      availabilityZone: 'us-east-1b',
    },
  ],
};

test('the Topology view shows the endpoints to use, then every node', () => {
  const text = renderTopology(topology);
  assert.match(text, /^Primary endpoint +demo\.abc\.ng\.0001\.use1\.cache\.amazonaws\.com:6379$/m);
  assert.match(text, /^Reader endpoint +demo-ro\./m);
  assert.match(text, /^TLS +yes$/m);
  assert.match(text, /^demo-001 +primary +demo-001\.abc\.0001\.use1\.cache\.amazonaws\.com:6379 +us-east-1a$/m);
  assert.match(text, /^demo-002 +replica /m);
  const creating = renderTopology({
    ...topology,
    status: 'creating',
    nodes: [],
    primaryEndpoint: undefined,
    readerEndpoint: undefined,
  });
  assert.doesNotMatch(creating, /NODE/);
  assert.doesNotMatch(creating, /Primary endpoint/);
});

test('list rows: cluster mode shows the configuration endpoint, never a made-up primary', () => {
  const row = summarise({
    ReplicationGroupId: 'big',
    Status: 'available',
    Engine: 'valkey',
    CacheNodeType: 'cache.r7g.large',
    ClusterEnabled: true,
    MemberClusters: ['big-0001-001', 'big-0001-002', 'big-0002-001', 'big-0002-002'],
    ConfigurationEndpoint: { Address: 'clustercfg.big.abc.use1.cache.amazonaws.com', Port: 6379 },
    NodeGroups: [{ NodeGroupId: '0001' }, { NodeGroupId: '0002' }],
  });
  assert.equal(row.nodes, 4);
  assert.equal(row.kind, 'cluster');
  assert.equal(row.shards, 2);
  assert.equal(row.replicasPerShard, 1, 'NodeGroupMembers not listed: 4 members over 2 shards');
  assert.equal(row.clusterMode, true);
  assert.equal(row.primaryEndpoint, undefined);
  assert.equal(row.configurationEndpoint?.address, 'clustercfg.big.abc.use1.cache.amazonaws.com');
});

test('the resume command repeats the target flags; polls are quick only against a loopback endpoint', () => {
  const globals = { output: 'table' as const, color: true, endpointUrl: 'http://127.0.0.1:4566', region: 'us-east-1' };
  assert.equal(
    resumeCommand(globals, 'demo', 'available'),
    'elasticache-kit --endpoint-url http://127.0.0.1:4566 --region us-east-1 wait demo',
  );
  assert.equal(
    resumeCommand({ output: 'table', color: true, local: true }, 'demo', 'deleted'),
    'elasticache-kit --local wait demo --deleted',
  );
  assert.equal(resumeCommand({ output: 'table', color: true }, 'demo', 'available'), 'elasticache-kit wait demo');
  const aws = (endpointUrl: string | undefined, local = false) => ({ endpointUrl, local }) as unknown as AwsContext;
  assert.equal(pollIntervalFor(aws('http://127.0.0.1:4566'), {}), 300);
  assert.equal(pollIntervalFor(aws(undefined, true), {}), 300);
  assert.equal(pollIntervalFor(aws(undefined), { AWS_ENDPOINT_URL: 'http://localhost:4566' }), 300);
  assert.equal(pollIntervalFor(aws('https://elasticache.eu-west-1.amazonaws.com'), {}), undefined);
  assert.equal(pollIntervalFor(aws(undefined), {}), undefined);
});

test('AWS errors create-cluster meets become one line with the fix, exit 1', () => {
  const awsError = (name: string, message = 'details') => Object.assign(new Error(message), { name });
  const rejected = explainAwsError(
    awsError('InvalidParameterCombinationException', 'Cannot find version 9.9 for redis'),
    'elasticache:CreateReplicationGroup',
  );
  assert.equal(rejected.exitCode, ExitCode.failure);
  assert.match(
    rejected.message,
    /^InvalidParameterCombinationException from elasticache:CreateReplicationGroup: AWS rejected the settings \(Cannot find version 9\.9 for redis\); change the setting/,
  );
  const busy = explainAwsError(
    awsError('InvalidReplicationGroupStateFault', 'not available'),
    'elasticache:DeleteReplicationGroup',
  );
  assert.match(busy.message, /the group is busy .*elasticache-kit wait/);
  const dependency = explainAwsError(
    awsError('DependencyViolation', 'resource sg-1 has a dependent object'),
    'ec2:DeleteSecurityGroup',
  );
  assert.match(dependency.message, /something still uses the resource/);
  const quota = explainAwsError(awsError('NodeQuotaForCustomerExceededFault'), 'elasticache:CreateReplicationGroup');
  assert.match(quota.message, /quota/);
  const capacity = explainAwsError(
    awsError('InsufficientCacheClusterCapacityFault'),
    'elasticache:CreateReplicationGroup',
  );
  assert.match(capacity.message, /--node-type/);
  const denied = explainAwsError(awsError('UnauthorizedOperation'), 'ec2:CreateSecurityGroup');
  assert.match(denied.message, /^AccessDenied on ec2:CreateSecurityGroup: the caller needs that IAM permission/);
  for (const error of [rejected, busy, dependency, quota, capacity, denied]) assert.ok(!error.message.includes('\n'));
});
