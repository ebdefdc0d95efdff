// scale's plan, pure: which API call, with which input, what changes; refusals as usage errors (exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/errors.js';
import {
  describeShape,
  parseScaleReplicas,
  parseScaleShards,
  planScale,
  reachedTarget,
  type GroupShape,
} from '../../src/plan/scale-plan.js';

function shape(overrides: Partial<GroupShape> = {}): GroupShape {
  return {
    replicationGroupId: 'shop',
    status: 'available',
    clusterMode: true,
    automaticFailover: true,
    multiAZ: false,
    shards: [
      { nodeGroupId: '0001', slots: '0-5461', replicas: 1 },
      { nodeGroupId: '0002', slots: '5462-10922', replicas: 1 },
      { nodeGroupId: '0003', slots: '10923-16383', replicas: 1 },
    ],
    ...overrides,
  };
}

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
  assert.fail('expected a UsageError');
}

test('flag ranges: replicas 0-5, shards 1-500', () => {
  assert.equal(parseScaleReplicas('5'), 5);
  assert.equal(parseScaleShards('500'), 500);
  assert.match(
    usage(() => parseScaleReplicas('6')),
    /--replicas must be an integer 0-5 \(got 6\)/,
  );
  assert.match(
    usage(() => parseScaleShards('501')),
    /--shards must be an integer 1-500 \(got 501\)/,
  );
  assert.match(
    usage(() => parseScaleShards('two')),
    /--shards must be an integer 1-500 \(got two\)/,
  );
});

test('replicas up and down pick Increase/DecreaseReplicaCount with NewReplicaCount', () => {
  const up = planScale(shape(), { replicas: 2 });
  assert.equal(up.kind, 'change');
  if (up.kind !== 'change') return;
  assert.equal(up.action, 'IncreaseReplicaCount');
  assert.deepEqual(up.input, { ReplicationGroupId: 'shop', NewReplicaCount: 2, ApplyImmediately: true });
  assert.equal(describeShape(up.before), '3 shards × 1 replica (6 nodes)');
  assert.equal(describeShape(up.after), '3 shards × 2 replicas (9 nodes)');
  const down = planScale(shape({ automaticFailover: false }), { replicas: 0 });
  assert.equal(down.kind === 'change' && down.action, 'DecreaseReplicaCount');
  assert.equal(planScale(shape(), { replicas: 1 }).kind, 'unchanged');
});

test('refusals: failover needs a replica, cluster mode disabled has one shard, mixed counts, not available', () => {
  assert.match(
    usage(() => planScale(shape(), { replicas: 0 })),
    /automatic failover enabled, which needs at least 1 replica in every shard/,
  );
  assert.match(
    usage(() =>
      planScale(shape({ clusterMode: false, shards: [{ nodeGroupId: '0001', replicas: 1 }] }), { shards: 2 }),
    ),
    /cluster mode disabled/,
  );
  const mixed = shape({
    shards: [
      { nodeGroupId: '0001', slots: '0-8191', replicas: 2 },
      { nodeGroupId: '0002', slots: '8192-16383', replicas: 0 },
    ],
  });
  assert.match(
    usage(() => planScale(mixed, { replicas: 1 })),
    /2\/0 replicas/,
  );
  assert.match(
    usage(() => planScale(shape({ status: 'modifying' }), { replicas: 2 })),
    /is modifying/,
  );
  assert.match(
    usage(() => planScale(shape(), {})),
    /pass --replicas N/,
  );
});

test('shards out: NodeGroupCount, new ids, the even split after; shards in: the highest ids go', () => {
  const out = planScale(shape(), { shards: 4 });
  if (out.kind !== 'change') assert.fail('expected a change');
  assert.deepEqual(out.input, { ReplicationGroupId: 'shop', NodeGroupCount: 4, ApplyImmediately: true });
  assert.deepEqual(out.after, { shards: 4, replicas: 1, nodes: 8 });
  assert.deepEqual(
    out.slotsAfter!.map((shard) => [shard.nodeGroupId, shard.isNew]),
    [
      ['0001', false],
      ['0002', false],
      ['0003', false],
      ['0004', true],
    ],
  );
  assert.equal(out.slotsAfter![0]!.slots, '0-4095');
  const inward = planScale(shape(), { shards: 2 });
  if (inward.kind !== 'change') assert.fail('expected a change');
  assert.deepEqual(inward.input.NodeGroupsToRemove, ['0003']);
  assert.deepEqual(inward.removedShards, ['0003']);
  assert.deepEqual(
    inward.slotsAfter!.map((shard) => shard.slots),
    ['0-5461,10923-13652', '5462-10922,13653-16383'],
  );
  assert.ok(reachedTarget(shape({ shards: shape().shards.slice(0, 2) }), inward));
  assert.ok(!reachedTarget(shape(), inward));
});
