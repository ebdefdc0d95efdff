// The replica and shard change rules, pure: a group record and the request in, a plan or AWS's error code out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, QueryParams } from '../../src/local/query-protocol.js';
import {
  planDecreaseReplicaCount,
  planIncreaseReplicaCount,
  planShardConfiguration,
} from '../../src/local/scaling-rules.js';
import type { GroupRecord, NodeRecord } from '../../src/local/state.js';

function params(values: Record<string, string>): QueryParams {
  return QueryParams.parse(new URLSearchParams({ ApplyImmediately: 'true', ...values }).toString());
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    return error.code;
  }
}

function group(shards: number, replicas: number, overrides: Partial<GroupRecord> = {}): GroupRecord {
  const cluster = shards > 1 || overrides.shards !== undefined;
  const nodes: NodeRecord[] = [];
  for (let shard = 1; shard <= shards; shard++) {
    const nodeGroupId = String(shard).padStart(4, '0');
    for (let member = 1; member <= replicas + 1; member++) {
      const suffix = String(member).padStart(3, '0');
      nodes.push({
        nodeId: cluster ? `g-${nodeGroupId}-${suffix}` : `g-${suffix}`,
        nodeGroupId: cluster ? nodeGroupId : undefined,
        role: member === 1 ? 'primary' : 'replica',
        availabilityZone: 'us-east-1a',
      });
    }
  }
  return {
    id: 'g',
    region: 'us-east-1',
    status: 'available',
    automaticFailover: true,
    multiAZ: false,
    nodes,
    shards: cluster
      ? Array.from({ length: shards }, (_, index) => ({ nodeGroupId: String(index + 1).padStart(4, '0'), slots: '' }))
      : undefined,
    ...overrides,
  } as GroupRecord;
}

test('IncreaseReplicaCount: new node ids continue the numbering, per shard in cluster mode', () => {
  assert.deepEqual(planIncreaseReplicaCount(params({ NewReplicaCount: '3' }), group(1, 1)), {
    kind: 'add',
    nodes: [
      { nodeId: 'g-003', nodeGroupId: undefined, availabilityZone: 'us-east-1c' },
      { nodeId: 'g-004', nodeGroupId: undefined, availabilityZone: 'us-east-1a' },
    ],
  });
  const change = planIncreaseReplicaCount(
    params({
      'ReplicaConfiguration.ConfigureShard.1.NodeGroupId': '0002',
      'ReplicaConfiguration.ConfigureShard.1.NewReplicaCount': '2',
      'ReplicaConfiguration.ConfigureShard.1.PreferredAvailabilityZones.PreferredAvailabilityZone.1': 'us-east-1a',
      'ReplicaConfiguration.ConfigureShard.1.PreferredAvailabilityZones.PreferredAvailabilityZone.2': 'us-east-1b',
      'ReplicaConfiguration.ConfigureShard.1.PreferredAvailabilityZones.PreferredAvailabilityZone.3': 'us-east-1c',
    }),
    group(2, 1),
  );
  assert.deepEqual(change, {
    kind: 'add',
    nodes: [{ nodeId: 'g-0002-003', nodeGroupId: '0002', availabilityZone: 'us-east-1c' }],
  });
});

test('IncreaseReplicaCount errors', () => {
  assert.equal(
    code(() => planIncreaseReplicaCount(params({}), group(1, 1))),
    'InvalidParameterValue',
  );
  assert.equal(
    code(() => planIncreaseReplicaCount(params({ NewReplicaCount: '2', ApplyImmediately: 'false' }), group(1, 1))),
    'InvalidParameterValue',
  );
  assert.equal(
    code(() => planIncreaseReplicaCount(params({ NewReplicaCount: '6' }), group(1, 1))),
    'InvalidParameterValue',
  );
  assert.equal(
    code(() => planIncreaseReplicaCount(params({ NewReplicaCount: '1' }), group(1, 1))),
    'NoOperationFault',
  );
  assert.equal(
    code(() => planIncreaseReplicaCount(params({ NewReplicaCount: '0' }), group(1, 2))),
    'InvalidParameterValue',
  );
  assert.equal(
    code(() => planIncreaseReplicaCount(params({ NewReplicaCount: '2' }), group(1, 1, { status: 'modifying' }))),
    'InvalidReplicationGroupState',
  );
  assert.equal(
    code(() =>
      planIncreaseReplicaCount(
        params({
          NewReplicaCount: '2',
          'ReplicaConfiguration.ConfigureShard.1.NodeGroupId': '0001',
          'ReplicaConfiguration.ConfigureShard.1.NewReplicaCount': '2',
        }),
        group(2, 1),
      ),
    ),
    'InvalidParameterCombination',
  );
  assert.equal(
    code(() =>
      planIncreaseReplicaCount(
        params({
          'ReplicaConfiguration.ConfigureShard.1.NodeGroupId': '0009',
          'ReplicaConfiguration.ConfigureShard.1.NewReplicaCount': '2',
        }),
        group(2, 1),
      ),
    ),
    'NodeGroupNotFoundFault',
  );
});

test('DecreaseReplicaCount: newest replicas go first; failover needs one replica; the primary stays', () => {
  assert.deepEqual(planDecreaseReplicaCount(params({ NewReplicaCount: '1' }), group(2, 3)), {
    kind: 'remove',
    nodeIds: ['g-0001-004', 'g-0001-003', 'g-0002-004', 'g-0002-003'],
  });
  assert.deepEqual(planDecreaseReplicaCount(params({ 'ReplicasToRemove.member.1': 'G-002' }), group(1, 2)), {
    kind: 'remove',
    nodeIds: ['g-002'],
  });
  assert.equal(
    code(() => planDecreaseReplicaCount(params({ NewReplicaCount: '0' }), group(2, 1))),
    'InvalidParameterCombination',
  );
  assert.deepEqual(
    planDecreaseReplicaCount(params({ NewReplicaCount: '0' }), group(1, 1, { automaticFailover: false })),
    { kind: 'remove', nodeIds: ['g-002'] },
  );
  assert.equal(
    code(() => planDecreaseReplicaCount(params({ 'ReplicasToRemove.member.1': 'g-001' }), group(1, 2))),
    'InvalidParameterValue',
  );
  assert.equal(
    code(() => planDecreaseReplicaCount(params({ 'ReplicasToRemove.member.1': 'g-009' }), group(1, 2))),
    'CacheClusterNotFound',
  );
  assert.equal(
    code(() =>
      planDecreaseReplicaCount(params({ NewReplicaCount: '1', 'ReplicasToRemove.member.1': 'g-002' }), group(1, 2)),
    ),
    'InvalidParameterCombination',
  );
  assert.equal(
    code(() => planDecreaseReplicaCount(params({ NewReplicaCount: '3' }), group(1, 2))),
    'InvalidParameterValue',
  );
});

test('ModifyReplicationGroupShardConfiguration: scale out names new shards and nodes, scale in needs what to remove', () => {
  const out = planShardConfiguration(params({ NodeGroupCount: '3' }), group(2, 1));
  assert.deepEqual(out.finalShardIds, ['0001', '0002', '0003']);
  assert.deepEqual(
    out.newShards[0]!.nodes.map((node) => node.nodeId),
    ['g-0003-001', 'g-0003-002'],
  );
  const retain = planShardConfiguration(
    params({
      NodeGroupCount: '2',
      'NodeGroupsToRetain.NodeGroupToRetain.1': '0001',
      'NodeGroupsToRetain.NodeGroupToRetain.2': '0003',
    }),
    group(3, 1),
  );
  assert.deepEqual(retain.removedShardIds, ['0002']);
  assert.deepEqual(
    planShardConfiguration(
      params({ NodeGroupCount: '2', 'NodeGroupsToRemove.NodeGroupToRemove.1': '0001' }),
      group(3, 1),
    ).finalShardIds,
    ['0002', '0003'],
  );
  assert.equal(
    code(() => planShardConfiguration(params({ NodeGroupCount: '2' }), group(3, 1))),
    'InvalidParameterValue',
  );
  assert.equal(
    code(() =>
      planShardConfiguration(
        params({ NodeGroupCount: '1', 'NodeGroupsToRemove.NodeGroupToRemove.1': '0001' }),
        group(3, 1),
      ),
    ),
    'InvalidParameterValue',
  );
  assert.equal(
    code(() =>
      planShardConfiguration(
        params({ NodeGroupCount: '2', 'NodeGroupsToRemove.NodeGroupToRemove.1': '0007' }),
        group(3, 1),
      ),
    ),
    'NodeGroupNotFoundFault',
  );
  assert.equal(
    code(() => planShardConfiguration(params({ NodeGroupCount: '501' }), group(2, 1))),
    'NodeGroupsPerReplicationGroupQuotaExceeded',
  );
  assert.equal(
    code(() => planShardConfiguration(params({ NodeGroupCount: '3', ApplyImmediately: 'false' }), group(2, 1))),
    'InvalidParameterValue',
  );
  assert.equal(
    code(() => planShardConfiguration(params({ NodeGroupCount: '2' }), group(1, 1))),
    'InvalidParameterValue',
  );
});
