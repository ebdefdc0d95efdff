import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CacheCluster, ReplicationGroup } from '@aws-sdk/client-elasticache';
import { buildTopology } from '../../src/aws/topology.js';
import { formatHostPort, primaryNode, replicaNodes } from '../../src/topology.js';

const member = (id: string, role: string, port: number, az: string) => ({
  CacheClusterId: id,
  CacheNodeId: '0001',
  CurrentRole: role,
  PreferredAvailabilityZone: az,
  ReadEndpoint: { Address: `${id}.local`, Port: port },
});

const singleShard: ReplicationGroup = {
  ReplicationGroupId: 'demo',
  Status: 'available',
  MemberClusters: ['demo-001', 'demo-002', 'demo-003'],
  NodeGroups: [
    {
      NodeGroupId: '0001',
      Status: 'available',
      PrimaryEndpoint: { Address: 'master.demo.local', Port: 6379 },
      ReaderEndpoint: { Address: 'replica.demo.local', Port: 6379 },
      // The primary is listed last on purpose: the Topology puts it first.
      NodeGroupMembers: [
        member('demo-003', 'replica', 6379, 'us-east-1c'),
        member('demo-002', 'replica', 6379, 'us-east-1b'),
        member('demo-001', 'primary', 6379, 'us-east-1a'),
      ],
    },
  ],
  AutomaticFailover: 'enabled',
  MultiAZ: 'disabled',
  CacheNodeType: 'cache.t3.micro',
  AuthTokenEnabled: true,
  TransitEncryptionEnabled: false,
  ClusterEnabled: false,
  ARN: 'arn:aws:elasticache:us-east-1:000000000000:replicationgroup:demo',
};

const clusters = new Map<string, CacheCluster>([
  ['demo-001', { CacheClusterId: 'demo-001', Engine: 'redis', EngineVersion: '7.0.15' }],
]);

test('a cluster-mode-disabled group becomes the public Topology shape, primary first', () => {
  const topology = buildTopology(singleShard, clusters);
  assert.deepEqual(topology, {
    kind: 'replication-group',
    replicationGroupId: 'demo',
    status: 'available',
    engine: 'redis',
    engineVersion: '7.0.15',
    port: 6379,
    tls: false,
    authRequired: true,
    clusterMode: false,
    primaryEndpoint: { address: 'master.demo.local', port: 6379 },
    readerEndpoint: { address: 'replica.demo.local', port: 6379 },
    nodes: [
      { id: 'demo-001', role: 'primary', address: 'demo-001.local', port: 6379, availabilityZone: 'us-east-1a' },
      { id: 'demo-002', role: 'replica', address: 'demo-002.local', port: 6379, availabilityZone: 'us-east-1b' },
      { id: 'demo-003', role: 'replica', address: 'demo-003.local', port: 6379, availabilityZone: 'us-east-1c' },
    ],
    nodeType: 'cache.t3.micro',
    multiAZ: false,
    automaticFailover: true,
    arn: 'arn:aws:elasticache:us-east-1:000000000000:replicationgroup:demo',
  });
  assert.equal(primaryNode(topology)?.id, 'demo-001');
  assert.deepEqual(
    replicaNodes(topology).map((n) => n.id),
    ['demo-002', 'demo-003'],
  );
});

test('a cluster-mode-enabled group is reported with its configuration endpoint and shards, not as one shard', () => {
  const group: ReplicationGroup = {
    ReplicationGroupId: 'big',
    Status: 'available',
    ClusterEnabled: true,
    ConfigurationEndpoint: { Address: 'clustercfg.big.local', Port: 6380 },
    MemberClusters: ['big-0001-001', 'big-0001-002', 'big-0002-001'],
    NodeGroups: [
      {
        NodeGroupId: '0001',
        Slots: '0-8191',
        NodeGroupMembers: [
          { CacheClusterId: 'big-0001-001', CacheNodeId: '0001' },
          { CacheClusterId: 'big-0001-002', CacheNodeId: '0001' },
        ],
      },
      {
        NodeGroupId: '0002',
        Slots: '8192-16383',
        NodeGroupMembers: [{ CacheClusterId: 'big-0002-001', CacheNodeId: '0001' }],
      },
    ],
  };
  const withAddresses = new Map<string, CacheCluster>(
    ['big-0001-001', 'big-0001-002', 'big-0002-001'].map((id) => [
      id,
      {
        CacheClusterId: id,
        Engine: 'valkey',
        EngineVersion: '8.0.1',
        CacheNodes: [{ CacheNodeId: '0001', Endpoint: { Address: `${id}.local`, Port: 6380 } }],
      },
    ]),
  );
  const topology = buildTopology(group, withAddresses);
  assert.equal(topology.kind, 'cluster');
  assert.equal(topology.clusterMode, true);
  assert.equal(topology.engine, 'valkey');
  assert.deepEqual(topology.configurationEndpoint, { address: 'clustercfg.big.local', port: 6380 });
  assert.equal(topology.primaryEndpoint, undefined);
  assert.equal(topology.readerEndpoint, undefined);
  assert.equal(topology.port, 6380);
  assert.deepEqual(
    topology.shards?.map((s) => [s.id, s.slots, s.nodes.length]),
    [
      ['0001', '0-8191', 2],
      ['0002', '8192-16383', 1],
    ],
  );
  assert.equal(topology.nodes.length, 3);
});

test('a group still creating has no endpoints and no nodes yet, and says so by its status', () => {
  const topology = buildTopology(
    { ReplicationGroupId: 'new', Status: 'creating', MemberClusters: ['new-001'] },
    new Map(),
  );
  assert.equal(topology.status, 'creating');
  assert.equal(topology.primaryEndpoint, undefined);
  assert.deepEqual(topology.nodes, []);
});

test('formatHostPort brackets IPv6 addresses', () => {
  assert.equal(formatHostPort({ address: '10.0.0.1', port: 6379 }), '10.0.0.1:6379');
  assert.equal(formatHostPort({ address: '::1', port: 6379 }), '[::1]:6379');
});

test('no ReaderEndpoint in the answer (moto, older groups) but replicas present: the replica nodes stand in, flagged', async () => {
  const { endpointValues } = await import('../../src/config/values.js');
  const [nodeGroup] = singleShard.NodeGroups!;
  const { ReaderEndpoint: _dropped, ...withoutReader } = nodeGroup!;
  const topology = buildTopology({ ...singleShard, NodeGroups: [withoutReader] }, clusters);
  assert.equal(topology.readerEndpoint, undefined);
  const values = endpointValues(topology, { use: 'endpoints' });
  assert.equal(values.primary, 'master.demo.local:6379');
  assert.deepEqual(values.replicas, ['demo-002.local:6379', 'demo-003.local:6379']);
  assert.equal(values.replicasFromNodes, true);
  // With a reader endpoint nothing changes and nothing is flagged.
  const normal = endpointValues(buildTopology(singleShard, clusters), { use: 'endpoints' });
  assert.deepEqual(normal.replicas, ['replica.demo.local:6379']);
  assert.equal(normal.replicasFromNodes, undefined);
});

test('endpoints on a group that will never be available does not advise --wait', async () => {
  const { notServingMessage } = await import('../../src/core/endpoints.js');
  assert.match(notServingMessage('demo', 'creating'), /demo is creating, not available: .*--wait/);
  for (const status of ['deleting', 'create-failed']) {
    const message = notServingMessage('demo', status);
    assert.match(message, new RegExp(`demo is ${status}: it will not become available`));
    assert.doesNotMatch(message, /--wait/);
  }
});
