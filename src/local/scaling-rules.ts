/**
 * IncreaseReplicaCount, DecreaseReplicaCount and ModifyReplicationGroupShardConfiguration,
 * validated as ElastiCache does it: pure (the group's record in, a plan of which nodes and
 * shards come and go out), so every rule is unit-tested without processes. Error codes are
 * the service model's wire codes.
 */
import { ApiError, type QueryParams } from './query-protocol.js';
import { availabilityZones } from './ec2-network.js';
import type { GroupRecord, NodeRecord } from './state.js';

export const MAX_REPLICAS = 5;
export const MAX_SHARDS = 500;

/** The new nodes of a replica increase or a scale out: ids, shard, zone. */
export type NewNode = Required<Pick<NodeRecord, 'nodeId' | 'availabilityZone'>> & { nodeGroupId?: string };

export type ReplicaChange = { kind: 'add'; nodes: NewNode[] } | { kind: 'remove'; nodeIds: string[] };

export interface ShardChange {
  /** The shards after the change, in order (kept ones first, then new ones). */
  finalShardIds: string[];
  /** New shards and their nodes, primary first. */
  newShards: { nodeGroupId: string; nodes: NewNode[] }[];
  removedShardIds: string[];
}

/** A group's shards (one pseudo shard "0001" when cluster mode is disabled) and their nodes. */
export function shardsOf(group: GroupRecord): { nodeGroupId: string; nodes: NodeRecord[] }[] {
  if (!group.shards) return [{ nodeGroupId: '0001', nodes: group.nodes }];
  return group.shards.map((shard) => ({
    nodeGroupId: shard.nodeGroupId,
    nodes: group.nodes.filter((node) => node.nodeGroupId === shard.nodeGroupId),
  }));
}

function requireApplyImmediately(params: QueryParams): void {
  const apply = params.boolean('ApplyImmediately');
  if (apply === undefined)
    throw new ApiError('MissingParameter', 'The request must contain the parameter ApplyImmediately');
  if (!apply) throw new ApiError('InvalidParameterValue', 'ApplyImmediately=false is not currently supported.');
}

export function requireAvailable(group: GroupRecord): void {
  if (group.status !== 'available') {
    throw new ApiError(
      'InvalidReplicationGroupState',
      `Replication group ${group.id} is not in available state (status: ${group.status}).`,
    );
  }
}

function checkReplicaCount(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_REPLICAS) {
    throw new ApiError('InvalidParameterValue', `${name} must be between 0 and ${MAX_REPLICAS} (got ${value}).`);
  }
}

/** Automatic failover (and Multi-AZ, which needs it) wants a replica in every shard. */
function minimumReplicas(group: GroupRecord): number {
  return group.automaticFailover || group.multiAZ ? 1 : 0;
}

function nodeGroupNotFound(group: GroupRecord, nodeGroupId: string): ApiError {
  return new ApiError(
    'NodeGroupNotFoundFault',
    `The node group ${nodeGroupId} was not found for replication group ${group.id}.`,
    404,
  );
}

/** The smallest unused 3-digit member number of a shard: `<group>-004` or `<group>-0002-003`. */
function nextNodeIds(group: GroupRecord, nodeGroupId: string, count: number, taken: Set<string>): string[] {
  const prefix = group.shards ? `${group.id}-${nodeGroupId}-` : `${group.id}-`;
  const ids: string[] = [];
  for (let number = 1; ids.length < count; number++) {
    const id = `${prefix}${String(number).padStart(3, '0')}`;
    if (!taken.has(id)) {
      ids.push(id);
      taken.add(id);
    }
  }
  return ids;
}

function checkZones(zones: string[], region: string, expected: number, where: string): void {
  if (zones.length === 0) return;
  if (zones.length !== expected) {
    throw new ApiError(
      'InvalidParameterValue',
      `${where} PreferredAvailabilityZones lists ${zones.length} zones; it needs ${expected} (one per node, primary first).`,
    );
  }
  const known = availabilityZones(region);
  const unknown = zones.find((zone) => !known.includes(zone));
  if (unknown !== undefined) {
    throw new ApiError(
      'InvalidParameterValue',
      `${unknown} is not an availability zone of ${region} (valid: ${known.join(', ')}).`,
    );
  }
}

/** Requested replica count per shard: NewReplicaCount for all, or ReplicaConfiguration per NodeGroupId. */
function requestedCounts(
  params: QueryParams,
  group: GroupRecord,
): Map<string, { count: number; zones: string[] }> | undefined {
  const shards = shardsOf(group);
  const all = params.integer('NewReplicaCount');
  const configs = params.structs('ReplicaConfiguration.ConfigureShard');
  if (all !== undefined && configs.length > 0) {
    throw new ApiError(
      'InvalidParameterCombination',
      'Specify either NewReplicaCount or ReplicaConfiguration, not both.',
    );
  }
  if (all !== undefined) {
    checkReplicaCount(all, 'NewReplicaCount');
    return new Map(shards.map((shard) => [shard.nodeGroupId, { count: all, zones: [] }]));
  }
  if (configs.length === 0) return undefined;
  const counts = new Map<string, { count: number; zones: string[] }>();
  for (const config of configs) {
    const nodeGroupId = config.required('NodeGroupId');
    if (!shards.some((shard) => shard.nodeGroupId === nodeGroupId)) throw nodeGroupNotFound(group, nodeGroupId);
    if (counts.has(nodeGroupId))
      throw new ApiError('InvalidParameterValue', `ReplicaConfiguration names node group ${nodeGroupId} twice.`);
    const count = config.integer('NewReplicaCount');
    if (count === undefined)
      throw new ApiError(
        'MissingParameter',
        'The request must contain the parameter ReplicaConfiguration.NewReplicaCount',
      );
    checkReplicaCount(count, 'ReplicaConfiguration NewReplicaCount');
    const zones = config.list('PreferredAvailabilityZones.PreferredAvailabilityZone');
    checkZones(zones, group.region, count + 1, `Node group ${nodeGroupId}:`);
    counts.set(nodeGroupId, { count, zones });
  }
  return counts;
}

export function planIncreaseReplicaCount(params: QueryParams, group: GroupRecord): ReplicaChange {
  requireApplyImmediately(params);
  requireAvailable(group);
  const counts = requestedCounts(params, group);
  if (!counts) {
    throw new ApiError('InvalidParameterValue', 'Either NewReplicaCount or ReplicaConfiguration must be specified.');
  }
  const zones = availabilityZones(group.region);
  const taken = new Set(group.nodes.map((node) => node.nodeId));
  const nodes: NewNode[] = [];
  for (const [index, shard] of shardsOf(group).entries()) {
    const wanted = counts.get(shard.nodeGroupId);
    if (!wanted) continue;
    const current = shard.nodes.length - 1;
    if (wanted.count < current) {
      throw new ApiError(
        'InvalidParameterValue',
        `IncreaseReplicaCount cannot lower node group ${shard.nodeGroupId} from ${current} to ${wanted.count} replicas; use DecreaseReplicaCount.`,
      );
    }
    const ids = nextNodeIds(group, shard.nodeGroupId, wanted.count - current, taken);
    for (const [offset, nodeId] of ids.entries()) {
      const position = current + 1 + offset;
      nodes.push({
        nodeId,
        nodeGroupId: group.shards ? shard.nodeGroupId : undefined,
        availabilityZone: wanted.zones[position] ?? zones[(index + position) % zones.length]!,
      });
    }
  }
  if (nodes.length === 0) {
    throw new ApiError(
      'NoOperationFault',
      `Replication group ${group.id} already has the requested number of replicas.`,
    );
  }
  return { kind: 'add', nodes };
}

export function planDecreaseReplicaCount(params: QueryParams, group: GroupRecord): ReplicaChange {
  requireApplyImmediately(params);
  requireAvailable(group);
  const toRemove = params.list('ReplicasToRemove.member').map((id) => id.toLowerCase());
  const counts = requestedCounts(params, group);
  if (toRemove.length > 0 && counts) {
    throw new ApiError(
      'InvalidParameterCombination',
      'Specify ReplicasToRemove, or NewReplicaCount / ReplicaConfiguration, not both.',
    );
  }
  if (toRemove.length === 0 && !counts) {
    throw new ApiError(
      'InvalidParameterValue',
      'Either NewReplicaCount, ReplicaConfiguration or ReplicasToRemove must be specified.',
    );
  }
  const minimum = minimumReplicas(group);
  const removed: string[] = [];
  for (const shard of shardsOf(group)) {
    const replicas = shard.nodes.filter((node) => node.role === 'replica');
    let leaving: NodeRecord[];
    if (counts) {
      const wanted = counts.get(shard.nodeGroupId);
      if (!wanted) continue;
      if (wanted.count > replicas.length) {
        throw new ApiError(
          'InvalidParameterValue',
          `DecreaseReplicaCount cannot raise node group ${shard.nodeGroupId} from ${replicas.length} to ${wanted.count} replicas; use IncreaseReplicaCount.`,
        );
      }
      // The newest replicas go first (highest member numbers).
      leaving = [...replicas].sort((a, b) => (a.nodeId < b.nodeId ? 1 : -1)).slice(0, replicas.length - wanted.count);
    } else {
      leaving = shard.nodes.filter((node) => toRemove.includes(node.nodeId));
      const primary = leaving.find((node) => node.role === 'primary');
      if (primary) {
        throw new ApiError(
          'InvalidParameterValue',
          `${primary.nodeId} is the primary of node group ${shard.nodeGroupId}; only replicas can be removed (fail over first).`,
        );
      }
    }
    if (replicas.length - leaving.length < minimum) {
      throw new ApiError(
        'InvalidParameterCombination',
        `Node group ${shard.nodeGroupId} needs at least ${minimum} replica while automatic failover is enabled (it would have ${replicas.length - leaving.length}).`,
      );
    }
    removed.push(...leaving.map((node) => node.nodeId));
  }
  const unknown = toRemove.find((id) => !group.nodes.some((node) => node.nodeId === id));
  if (unknown !== undefined) {
    throw new ApiError(
      'CacheClusterNotFound',
      `CacheCluster not found: ${unknown} (not a member of ${group.id}).`,
      404,
    );
  }
  if (removed.length === 0) {
    throw new ApiError(
      'NoOperationFault',
      `Replication group ${group.id} already has the requested number of replicas.`,
    );
  }
  return { kind: 'remove', nodeIds: removed };
}

export function planShardConfiguration(params: QueryParams, group: GroupRecord): ShardChange {
  if (!group.shards) {
    throw new ApiError(
      'InvalidParameterValue',
      `Replication group ${group.id} has cluster mode disabled; ModifyReplicationGroupShardConfiguration needs cluster mode enabled.`,
    );
  }
  const count = params.integer('NodeGroupCount');
  if (count === undefined)
    throw new ApiError('MissingParameter', 'The request must contain the parameter NodeGroupCount');
  requireApplyImmediately(params);
  requireAvailable(group);
  if (count < 1) throw new ApiError('InvalidParameterValue', `NodeGroupCount must be at least 1 (got ${count}).`);
  if (count > MAX_SHARDS) {
    throw new ApiError(
      'NodeGroupsPerReplicationGroupQuotaExceeded',
      `NodeGroupCount ${count} exceeds the quota of ${MAX_SHARDS} node groups per replication group.`,
    );
  }
  const shards = shardsOf(group);
  const currentIds = shards.map((shard) => shard.nodeGroupId);
  const remove = params.list('NodeGroupsToRemove.NodeGroupToRemove');
  const retain = params.list('NodeGroupsToRetain.NodeGroupToRetain');
  const resharding = params.structs('ReshardingConfiguration.ReshardingConfiguration');
  if (remove.length > 0 && retain.length > 0) {
    throw new ApiError('InvalidParameterCombination', 'Specify NodeGroupsToRemove or NodeGroupsToRetain, not both.');
  }
  for (const id of [...remove, ...retain]) if (!currentIds.includes(id)) throw nodeGroupNotFound(group, id);

  if (count < currentIds.length) {
    if (resharding.length > 0) {
      throw new ApiError(
        'InvalidParameterCombination',
        'ReshardingConfiguration can only be given when NodeGroupCount is more than the current number of node groups.',
      );
    }
    const removedShardIds = remove.length > 0 ? [...new Set(remove)] : currentIds.filter((id) => !retain.includes(id));
    if (remove.length === 0 && retain.length === 0) {
      throw new ApiError(
        'InvalidParameterValue',
        `NodeGroupCount ${count} is less than the current ${currentIds.length} node groups: NodeGroupsToRemove or NodeGroupsToRetain is required.`,
      );
    }
    if (currentIds.length - removedShardIds.length !== count) {
      throw new ApiError(
        'InvalidParameterValue',
        `Removing ${removedShardIds.length} of ${currentIds.length} node groups does not leave NodeGroupCount ${count}.`,
      );
    }
    return {
      finalShardIds: currentIds.filter((id) => !removedShardIds.includes(id)),
      newShards: [],
      removedShardIds,
    };
  }
  if (remove.length > 0 || retain.length > 0) {
    throw new ApiError(
      'InvalidParameterCombination',
      'NodeGroupsToRemove / NodeGroupsToRetain can only be given when NodeGroupCount is less than the current number of node groups.',
    );
  }
  // Scale out (or, at the same count, a rebalance): new shards get the existing shards' replica count.
  const replicas = Math.max(...shards.map((shard) => shard.nodes.length - 1));
  const zones = availabilityZones(group.region);
  const taken = new Set(group.nodes.map((node) => node.nodeId));
  const usedIds = new Set(currentIds);
  const newShards: ShardChange['newShards'] = [];
  for (let index = currentIds.length; index < count; index++) {
    // One entry per node group of the result, or one per new node group.
    const config = resharding.length === count ? resharding[index] : resharding[index - currentIds.length];
    let nodeGroupId = config?.string('NodeGroupId');
    if (nodeGroupId !== undefined && !/^\d{1,4}$/.test(nodeGroupId)) {
      throw new ApiError('InvalidParameterValue', `NodeGroupId must be 1-4 digits (got ${nodeGroupId}).`);
    }
    if (nodeGroupId === undefined || usedIds.has(nodeGroupId)) {
      let number = 1;
      while (usedIds.has(String(number).padStart(4, '0'))) number++;
      nodeGroupId = String(number).padStart(4, '0');
    }
    usedIds.add(nodeGroupId);
    const wantedZones = config?.list('PreferredAvailabilityZones.AvailabilityZone') ?? [];
    checkZones(wantedZones, group.region, replicas + 1, `ReshardingConfiguration ${nodeGroupId}:`);
    const ids = nextNodeIds(group, nodeGroupId, replicas + 1, taken);
    newShards.push({
      nodeGroupId,
      nodes: ids.map((nodeId, member) => ({
        nodeId,
        nodeGroupId,
        availabilityZone: wantedZones[member] ?? zones[(index + member) % zones.length]!,
      })),
    });
  }
  return {
    finalShardIds: [...currentIds, ...newShards.map((shard) => shard.nodeGroupId)],
    newShards,
    removedShardIds: [],
  };
}
