/**
 * CreateReplicationGroup's cluster-mode-enabled parameters, as ElastiCache reads them:
 * NumNodeGroups / ReplicasPerNodeGroup, or one NodeGroupConfiguration per shard (Slots,
 * ReplicaCount, zones); ClusterMode=enabled or a `cluster.on` parameter group turn it on.
 */
import { ApiError, type QueryParams } from './query-protocol.js';
import { evenSlotRanges, formatSlotRanges, parseSlotRanges, SLOT_COUNT } from './cluster-runtime.js';

export interface ClusterShardPlan {
  nodeGroupId: string;
  slots: string;
  memberIds: string[];
  availabilityZones: string[];
}

/** Whether the request asks for cluster mode enabled. */
export function wantsClusterMode(params: QueryParams): boolean {
  const mode = params.string('ClusterMode')?.toLowerCase();
  if (mode === 'enabled' || mode === 'compatible') return true;
  if (mode === 'disabled') return false;
  if ((params.integer('NumNodeGroups') ?? 1) > 1) return true;
  if (params.structs('NodeGroupConfiguration.NodeGroupConfiguration').length > 1) return true;
  return /cluster\.on/i.test(params.string('CacheParameterGroupName') ?? '');
}

const MAX_SHARDS = 500;

export function planShards(params: QueryParams, id: string, zones: string[]): ClusterShardPlan[] {
  const configs = params.structs('NodeGroupConfiguration.NodeGroupConfiguration');
  const numNodeGroups = params.integer('NumNodeGroups') ?? (configs.length > 0 ? configs.length : 1);
  if (numNodeGroups < 1 || numNodeGroups > MAX_SHARDS) {
    throw new ApiError(
      'InvalidParameterValue',
      `NumNodeGroups must be between 1 and ${MAX_SHARDS} (got ${numNodeGroups}).`,
    );
  }
  if (configs.length > 0 && configs.length !== numNodeGroups) {
    throw new ApiError(
      'InvalidParameterCombination',
      `NodeGroupConfiguration lists ${configs.length} node groups but NumNodeGroups is ${numNodeGroups}.`,
    );
  }
  const defaultReplicas = params.integer('ReplicasPerNodeGroup') ?? 1;
  const even = evenSlotRanges(numNodeGroups);
  const covered = new Set<number>();
  const shards = even.map((range, index) => {
    const config = configs[index];
    const nodeGroupId = config?.string('NodeGroupId') ?? String(index + 1).padStart(4, '0');
    let slots = formatSlotRanges([range]);
    const requested = config?.string('Slots');
    if (requested) {
      try {
        slots = formatSlotRanges(parseSlotRanges(requested));
      } catch (error) {
        throw new ApiError('InvalidParameterValue', `NodeGroupConfiguration Slots: ${(error as Error).message}.`);
      }
    }
    for (const part of parseSlotRanges(slots)) {
      for (let slot = part.start; slot <= part.end; slot++) {
        if (covered.has(slot))
          throw new ApiError('InvalidParameterValue', `Slot ${slot} is given to more than one node group.`);
        covered.add(slot);
      }
    }
    const replicas = config?.integer('ReplicaCount') ?? defaultReplicas;
    if (!Number.isInteger(replicas) || replicas < 0 || replicas > 5) {
      throw new ApiError(
        'InvalidParameterValue',
        `ReplicasPerNodeGroup / ReplicaCount must be 0..5 (got ${replicas}).`,
      );
    }
    const memberIds = Array.from(
      { length: replicas + 1 },
      (_, member) => `${id}-${nodeGroupId}-${String(member + 1).padStart(3, '0')}`,
    );
    return {
      nodeGroupId,
      slots,
      memberIds,
      availabilityZones: memberIds.map((_, member) => zones[(index + member) % zones.length]!),
    };
  });
  if (covered.size !== SLOT_COUNT) {
    throw new ApiError(
      'InvalidParameterValue',
      `The node groups' Slots must cover all ${SLOT_COUNT} slots (they cover ${covered.size}).`,
    );
  }
  return shards;
}
