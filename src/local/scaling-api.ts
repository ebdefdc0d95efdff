/**
 * IncreaseReplicaCount, DecreaseReplicaCount and ModifyReplicationGroupShardConfiguration:
 * validated (scaling-rules.ts), then done for real in the background while the group is
 * `modifying`: replicas started and attached (replicaof / CLUSTER REPLICATE) or stopped and
 * forgotten, shards added with their slots migrated online with their keys, or emptied and
 * removed. The group is `available` again once every replica is in sync.
 */
import { ClusterRuntime } from './cluster-runtime.js';
import { GroupRuntime } from './group-runtime.js';
import type { QueryParams } from './query-protocol.js';
import type { ReplicationGroups } from './replication-groups.js';
import {
  planDecreaseReplicaCount,
  planIncreaseReplicaCount,
  planShardConfiguration,
  type NewNode,
} from './scaling-rules.js';
import type { GroupRecord, NodeRecord } from './state.js';
import { rebalanceSlots } from '../plan/slots.js';

export type ScalingAction =
  | 'IncreaseReplicaCount'
  | 'DecreaseReplicaCount'
  | 'ModifyReplicationGroupShardConfiguration';

export const SCALING_ACTIONS: readonly ScalingAction[] = [
  'IncreaseReplicaCount',
  'DecreaseReplicaCount',
  'ModifyReplicationGroupShardConfiguration',
];

/** Validates the request against the group, starts the change, and returns at once (status modifying). */
export function startScaling(
  action: ScalingAction,
  params: QueryParams,
  group: GroupRecord,
  groups: ReplicationGroups,
): void {
  if (action === 'IncreaseReplicaCount') {
    const change = planIncreaseReplicaCount(params, group);
    if (change.kind === 'add') addReplicas(group, change.nodes, groups);
  } else if (action === 'DecreaseReplicaCount') {
    const change = planDecreaseReplicaCount(params, group);
    if (change.kind === 'remove') removeReplicas(group, change.nodeIds, groups);
  } else {
    reshard(group, planShardConfiguration(params, group), groups);
  }
}

function nodeRecord(node: NewNode): NodeRecord {
  return { ...node, role: 'replica' };
}

function addReplicas(group: GroupRecord, nodes: NewNode[], groups: ReplicationGroups): void {
  // Describe lists the new members at once (without endpoints until they run), as AWS does.
  group.nodes.push(...nodes.map(nodeRecord));
  groups.reshape(group, 'IncreaseReplicaCount', async (runtime) => {
    for (const node of nodes) {
      if (runtime instanceof ClusterRuntime) await runtime.addReplica(node.nodeGroupId!, node.nodeId);
      else await runtime.addReplica(node.nodeId);
    }
  });
}

function removeReplicas(group: GroupRecord, nodeIds: string[], groups: ReplicationGroups): void {
  groups.reshape(group, 'DecreaseReplicaCount', async (runtime) => {
    if (runtime instanceof ClusterRuntime) await runtime.removeMembers(nodeIds);
    else for (const nodeId of nodeIds) await runtime.removeReplica(nodeId);
  });
}

function reshard(
  group: GroupRecord,
  change: ReturnType<typeof planShardConfiguration>,
  groups: ReplicationGroups,
): void {
  for (const shard of change.newShards) {
    group.nodes.push(
      ...shard.nodes.map(
        (node, index) => ({ ...nodeRecord(node), role: index === 0 ? 'primary' : 'replica' }) as NodeRecord,
      ),
    );
  }
  group.resharding = { progressPercentage: 0 };
  groups.reshape(group, 'ModifyReplicationGroupShardConfiguration', async (runtime) => {
    try {
      if (runtime instanceof GroupRuntime) throw new Error('cluster mode is disabled');
      for (const shard of change.newShards) {
        await runtime.addShard({ nodeGroupId: shard.nodeGroupId, memberIds: shard.nodes.map((node) => node.nodeId) });
      }
      const current = [...(await runtime.slotOwners())].map(([nodeGroupId, slots]) => ({ nodeGroupId, slots }));
      const plan = rebalanceSlots(current, change.finalShardIds);
      await runtime.migrateSlots(plan.moves, (moved, total) => {
        group.resharding = { progressPercentage: Math.floor((moved / total) * 1000) / 10 };
      });
      const leaving = group.nodes
        .filter((node) => change.removedShardIds.includes(node.nodeGroupId!))
        .map((node) => node.nodeId);
      if (leaving.length > 0) await runtime.removeMembers(leaving);
    } finally {
      group.resharding = undefined;
    }
  });
}
