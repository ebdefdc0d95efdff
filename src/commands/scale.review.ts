/** The review screen of `scale`: what changes, shards × replicas before → after, the slot split after. */
import { describeShape, type ScalePlan } from '../plan/scale-plan.js';
import { renderKeyValues, type Cell } from '../ui/table.js';

export function renderScaleReview(plan: Extract<ScalePlan, { kind: 'change' }>): string {
  const pairs: Array<[string, Cell]> = [
    ['Replication group', String(plan.input.ReplicationGroupId)],
    ['Cluster mode', plan.clusterMode ? 'enabled' : 'disabled'],
    ['Now', describeShape(plan.before)],
    ['After', describeShape(plan.after)],
    ['API call', plan.action],
  ];
  if (plan.removedShards.length > 0) {
    pairs.push([
      'Removes',
      `node group${plan.removedShards.length === 1 ? '' : 's'} ${plan.removedShards.join(', ')} (slots and keys move to the others first)`,
    ]);
  }
  if (plan.slotsAfter) {
    pairs.push([
      'Slots after',
      plan.slotsAfter.map((shard) => `${shard.nodeGroupId}${shard.isNew ? ' (new)' : ''} ${shard.slots}`).join('; '),
    ]);
  }
  return renderKeyValues(pairs);
}
