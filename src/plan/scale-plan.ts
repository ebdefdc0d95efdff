/**
 * `scale`: from a group's current shape and the wanted replica or shard count to the one
 * API call that gets there (IncreaseReplicaCount, DecreaseReplicaCount or
 * ModifyReplicationGroupShardConfiguration) and what changes (shards × replicas before and
 * after, the slot split after). Pure: every rule is unit-tested, and a refusal is a
 * UsageError (exit 2) before any call.
 */
import { UsageError } from '../errors.js';
import { formatSlotRanges, parseSlotRanges, rebalanceSlots } from './slots.js';

export type ScaleAction = 'IncreaseReplicaCount' | 'DecreaseReplicaCount' | 'ModifyReplicationGroupShardConfiguration';

/** What scale needs to know of a group (from DescribeReplicationGroups). */
export interface GroupShape {
  replicationGroupId: string;
  status: string;
  clusterMode: boolean;
  automaticFailover: boolean;
  multiAZ: boolean;
  /** Node groups in order; cluster mode disabled has exactly one. */
  shards: { nodeGroupId: string; slots?: string; replicas: number }[];
}

export interface ScaleWanted {
  replicas?: number;
  shards?: number;
}

export interface ShapeSummary {
  shards: number;
  /** Replicas per shard, as one number when all shards agree. */
  replicas: number | number[];
  nodes: number;
}

export type ScalePlan =
  | { kind: 'unchanged'; reason: string; before: ShapeSummary }
  | {
      kind: 'change';
      action: ScaleAction;
      clusterMode: boolean;
      /** The exact request (SDK input shape). */
      input: Record<string, unknown>;
      before: ShapeSummary;
      after: ShapeSummary;
      /** Shard changes: each node group's slots afterwards (new ones marked). */
      slotsAfter?: { nodeGroupId: string; slots: string; isNew: boolean }[];
      removedShards: string[];
    };

// scale's --replicas and --shards mean what create-cluster's do, with the same ranges and messages.
export { parseReplicas as parseScaleReplicas, parseShards as parseScaleShards } from './rules.js';

/** Exactly one of --replicas / --shards. */
export function checkWanted(wanted: ScaleWanted): void {
  if (wanted.replicas === undefined && wanted.shards === undefined)
    throw new UsageError('pass --replicas N (0-5, per shard) or --shards N (1-500)');
  if (wanted.replicas !== undefined && wanted.shards !== undefined)
    throw new UsageError('pass --replicas or --shards, not both: one change at a time (run scale twice)');
}

export function summarize(shards: { replicas: number }[]): ShapeSummary {
  const counts = shards.map((shard) => shard.replicas);
  const same = counts.every((count) => count === counts[0]);
  return {
    shards: shards.length,
    replicas: same ? (counts[0] ?? 0) : counts,
    nodes: counts.reduce((sum, count) => sum + count + 1, 0),
  };
}

export function describeShape(shape: ShapeSummary): string {
  const replicas = Array.isArray(shape.replicas) ? shape.replicas.join('/') : String(shape.replicas);
  return `${shape.shards} shard${shape.shards === 1 ? '' : 's'} × ${replicas} replica${replicas === '1' ? '' : 's'} (${shape.nodes} node${shape.nodes === 1 ? '' : 's'})`;
}

export function planScale(group: GroupShape, wanted: ScaleWanted): ScalePlan {
  checkWanted(wanted);
  const id = group.replicationGroupId;
  if (group.status !== 'available')
    throw new UsageError(`${id} is ${group.status}; scaling needs it available (elasticache-kit wait ${id})`);
  const before = summarize(group.shards);
  if (wanted.replicas !== undefined) return planReplicas(group, wanted.replicas, before);
  return planShards(group, wanted.shards!, before);
}

function planReplicas(group: GroupShape, replicas: number, before: ShapeSummary): ScalePlan {
  const id = group.replicationGroupId;
  if (replicas === 0 && (group.automaticFailover || group.multiAZ)) {
    throw new UsageError(
      `--replicas 0: ${id} has automatic failover${group.multiAZ ? ' and Multi-AZ' : ''} enabled, which needs at least 1 replica ${group.clusterMode ? 'in every shard' : ''}`.trimEnd(),
    );
  }
  const counts = group.shards.map((shard) => shard.replicas);
  if (counts.every((count) => count === replicas))
    return {
      kind: 'unchanged',
      reason: `${id} already has ${replicas} replica${replicas === 1 ? '' : 's'} per shard`,
      before,
    };
  const up = counts.every((count) => count <= replicas);
  const down = counts.every((count) => count >= replicas);
  if (!up && !down) {
    throw new UsageError(
      `--replicas ${replicas}: ${id}'s shards have ${counts.join('/')} replicas, so some would grow and some shrink; that takes two API calls (IncreaseReplicaCount then DecreaseReplicaCount) — scale to the largest count first`,
    );
  }
  return {
    kind: 'change',
    action: up ? 'IncreaseReplicaCount' : 'DecreaseReplicaCount',
    clusterMode: group.clusterMode,
    input: { ReplicationGroupId: id, NewReplicaCount: replicas, ApplyImmediately: true },
    before,
    after: summarize(group.shards.map(() => ({ replicas }))),
    removedShards: [],
  };
}

function planShards(group: GroupShape, shards: number, before: ShapeSummary): ScalePlan {
  const id = group.replicationGroupId;
  if (!group.clusterMode) {
    throw new UsageError(
      `--shards: ${id} has cluster mode disabled (one shard, all data on one primary), and a group's cluster mode cannot be switched by scaling; use --replicas, or create a cluster mode enabled group`,
    );
  }
  const current = group.shards.map((shard) => shard.nodeGroupId);
  if (shards === current.length)
    return { kind: 'unchanged', reason: `${id} already has ${shards} shard${shards === 1 ? '' : 's'}`, before };
  const replicas = Math.max(...group.shards.map((shard) => shard.replicas));
  let finalIds: string[];
  let removedShards: string[] = [];
  const input: Record<string, unknown> = { ReplicationGroupId: id, NodeGroupCount: shards, ApplyImmediately: true };
  if (shards > current.length) {
    // New node groups are numbered as ElastiCache numbers them: the next free 4-digit ids.
    const used = new Set(current);
    finalIds = [...current];
    for (let number = 1; finalIds.length < shards; number++) {
      const candidate = String(number).padStart(4, '0');
      if (!used.has(candidate)) finalIds.push(candidate);
    }
  } else {
    // The highest-numbered node groups go; their slots move to the others first.
    const sorted = [...current].sort();
    removedShards = sorted.slice(shards);
    finalIds = current.filter((shardId) => !removedShards.includes(shardId));
    input.NodeGroupsToRemove = removedShards;
  }
  let slotsAfter: { nodeGroupId: string; slots: string; isNew: boolean }[] | undefined;
  if (group.shards.every((shard) => shard.slots)) {
    const plan = rebalanceSlots(
      group.shards.map((shard) => ({ nodeGroupId: shard.nodeGroupId, slots: parseSlotRanges(shard.slots!) })),
      finalIds,
    );
    slotsAfter = plan.shards.map((shard) => ({
      nodeGroupId: shard.nodeGroupId,
      slots: formatSlotRanges(shard.slots),
      isNew: !current.includes(shard.nodeGroupId),
    }));
  }
  const kept = group.shards.filter((shard) => !removedShards.includes(shard.nodeGroupId));
  const added = Array.from({ length: Math.max(0, shards - current.length) }, () => ({ replicas }));
  return {
    kind: 'change',
    action: 'ModifyReplicationGroupShardConfiguration',
    clusterMode: true,
    input,
    before,
    after: summarize([...kept, ...added]),
    ...(slotsAfter ? { slotsAfter } : {}),
    removedShards,
  };
}

/** Whether a described shape is what the plan aims for (the wait's end, with status available). */
export function reachedTarget(shape: GroupShape, plan: Extract<ScalePlan, { kind: 'change' }>): boolean {
  const now = summarize(shape.shards);
  return now.shards === plan.after.shards && JSON.stringify(now.replicas) === JSON.stringify(plan.after.replicas);
}
