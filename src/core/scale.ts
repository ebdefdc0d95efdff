/**
 * scale: describe the group, plan the one API call that reaches the wanted replica or
 * shard count (plan/scale-plan.ts), review, call, and wait until the group is available
 * in its new shape, showing the status (and slot migration progress) meanwhile.
 */
import type { ReplicationGroup } from '@aws-sdk/client-elasticache';
import type { AwsContext } from '../aws/clients.js';
import { pollIntervalFor, pollUntil } from '../aws/wait.js';
import { CliError, UsageError } from '../errors.js';
import { onInterrupt } from '../interrupt.js';
import {
  describeShape,
  planScale,
  reachedTarget,
  summarize,
  type GroupShape,
  type ScalePlan,
  type ScaleWanted,
} from '../plan/scale-plan.js';
import type { Topology } from '../topology.js';
import { formatElapsed } from '../ui/progress.js';
import type { ProgressEvents } from './events.js';

export interface ScaleRequest extends ScaleWanted {
  replicationGroupId: string;
  yes: boolean;
  dryRun: boolean;
  wait: boolean;
  timeoutMinutes: number;
  /** Shows the plan before anything changes (the command renders it; cores never print). */
  review(plan: Extract<ScalePlan, { kind: 'change' }>): void;
}

export type ScaleResult =
  | { kind: 'unchanged'; plan: Extract<ScalePlan, { kind: 'unchanged' }>; topology: Topology }
  | { kind: 'dry-run'; plan: Extract<ScalePlan, { kind: 'change' }> }
  | { kind: 'started'; plan: Extract<ScalePlan, { kind: 'change' }> }
  | { kind: 'scaled'; plan: Extract<ScalePlan, { kind: 'change' }>; topology: Topology };

const AWS_POLL_MS = 15_000;

/** The shape scale plans from, read off DescribeReplicationGroups. */
export function shapeOf(group: ReplicationGroup): GroupShape {
  return {
    replicationGroupId: group.ReplicationGroupId ?? '',
    status: group.Status ?? 'unknown',
    clusterMode: group.ClusterEnabled === true || group.ClusterMode === 'enabled',
    automaticFailover: group.AutomaticFailover === 'enabled' || group.AutomaticFailover === 'enabling',
    multiAZ: group.MultiAZ === 'enabled',
    shards: (group.NodeGroups ?? []).map((nodeGroup) => ({
      nodeGroupId: nodeGroup.NodeGroupId ?? '',
      ...(nodeGroup.Slots ? { slots: nodeGroup.Slots } : {}),
      replicas: Math.max(0, (nodeGroup.NodeGroupMembers ?? []).length - 1),
    })),
  };
}

export async function scale(aws: AwsContext, request: ScaleRequest, events: ProgressEvents): Promise<ScaleResult> {
  const id = request.replicationGroupId;
  const { describeReplicationGroup, topologyOf } = await import('../aws/topology.js');
  const group = await describeReplicationGroup(aws, id);
  const plan = planScale(shapeOf(group), request);
  if (plan.kind === 'unchanged') {
    events.info(`${plan.reason}: nothing to change`);
    return { kind: 'unchanged', plan, topology: await topologyOf(aws, group) };
  }
  request.review(plan);
  if (request.dryRun) return { kind: 'dry-run', plan };
  if (!request.yes) {
    const go = await events.confirm(`Scale ${id} to ${describeShape(plan.after)}?`, true);
    if (!go) throw new UsageError('declined at the review: nothing was changed');
  }

  const { sendScaling } = await import('../aws/scaling.js');
  await sendScaling(aws, plan.action, plan.input);
  events.info(`${plan.action} on ${id} started: ${describeShape(plan.before)} → ${describeShape(plan.after)}`);
  if (!request.wait) {
    events.info(`not waiting (--no-wait); to wait: ${events.resumeCommand(id, 'available')}`);
    return { kind: 'started', plan };
  }
  const scaled = await waitForShape(aws, events, plan, request.timeoutMinutes, describeReplicationGroup);
  return { kind: 'scaled', plan, topology: await topologyOf(aws, scaled) };
}

/** Polls until the group is available in the planned shape; a return to available in another shape fails. */
async function waitForShape(
  aws: AwsContext,
  events: ProgressEvents,
  plan: Extract<ScalePlan, { kind: 'change' }>,
  timeoutMinutes: number,
  describe: (aws: AwsContext, id: string) => Promise<ReplicationGroup>,
): Promise<ReplicationGroup> {
  const id = String(plan.input.ReplicationGroupId);
  const started = Date.now();
  let sawChange = false;
  const progress = await events.progress(`waiting for ${id} to scale`);
  const stop = onInterrupt(() => {
    progress.stop();
    events.info(
      `stopped waiting; the change of ${id} continues in AWS. Check with: ${events.resumeCommand(id, 'available')}`,
    );
  });
  try {
    const group = await pollUntil(
      () => describe(aws, id),
      (current) => {
        const shape = shapeOf(current);
        if (shape.status !== 'available') {
          sawChange = true;
          return false;
        }
        if (reachedTarget(shape, plan)) return true;
        if (sawChange) {
          progress.fail(`${id} is available again as ${describeShape(summarize(shape.shards))}`);
          throw new CliError(
            `${plan.action} on ${id} did not complete: it is available as ${describeShape(summarize(shape.shards))}, not ${describeShape(plan.after)} (see the group's events)`,
          );
        }
        return false;
      },
      {
        timeoutMs: timeoutMinutes * 60_000,
        pollMs: pollIntervalFor(aws) ?? AWS_POLL_MS,
        onValue: (current, elapsed) => {
          const migration = current.PendingModifiedValues?.Resharding?.SlotMigration?.ProgressPercentage;
          const moving = migration !== undefined ? `, slot migration ${migration}%` : '';
          progress.update(
            `${id}: ${current.Status}, ${describeShape(summarize(shapeOf(current).shards))}${moving} (${formatElapsed(elapsed)})`,
          );
        },
        timeoutMessage: (current, elapsed) => {
          progress.fail(`${id}: not scaled after ${formatElapsed(elapsed)}`);
          return `timed out after ${Math.round(elapsed / 1000)}s waiting for ${id} to scale (status: ${current.Status})`;
        },
        interruptedMessage: `stopped waiting for ${id} to scale`,
      },
    );
    progress.succeed(`${id} is ${describeShape(plan.after)} after ${formatElapsed(Date.now() - started)}`);
    return group;
  } finally {
    stop();
  }
}
