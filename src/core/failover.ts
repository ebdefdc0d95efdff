/**
 * failover: TestFailover on the node group, then wait until it has converged: with cluster
 * mode disabled, until another node is primary; with cluster mode enabled, where AWS's
 * answer names no node roles, until the group has been busy with the failover and is
 * available again.
 */
import type { AwsContext } from '../aws/clients.js';
import { pollIntervalFor, pollUntil } from '../aws/wait.js';
import { UsageError } from '../errors.js';
import { onInterrupt } from '../interrupt.js';
import { primaryNode, type Topology } from '../topology.js';
import { formatElapsed } from '../ui/progress.js';
import type { ProgressEvents } from './events.js';

export interface FailoverRequest {
  replicationGroupId: string;
  /** The node group to fail over; may be omitted when the group has only one. */
  nodeGroup?: string;
  /** Skip the confirmation. */
  yes: boolean;
  wait: boolean;
  timeoutMinutes: number;
}

export interface FailoverResult {
  replicationGroupId: string;
  nodeGroupId: string;
  previousPrimary?: string;
  /** Set once waited for: the new primary and the Topology after the failover. */
  primary?: string;
  topology?: Topology;
}

/** Poll interval while waiting for the new primary, when AWS is not the emulator. */
const AWS_POLL_MS = 5_000;

export async function failover(
  aws: AwsContext,
  request: FailoverRequest,
  events: ProgressEvents,
): Promise<FailoverResult> {
  const id = request.replicationGroupId;
  const { describeReplicationGroup, topologyOf, discoverTopology } = await import('../aws/topology.js');
  const group = await describeReplicationGroup(aws, id);
  // Node group ids are not part of a cluster-mode-disabled Topology (it has no shards): read them from the group.
  const nodeGroups = (group.NodeGroups ?? []).map((ng) => ng.NodeGroupId ?? '').filter(Boolean);
  const nodeGroupId = request.nodeGroup ?? (nodeGroups.length === 1 ? nodeGroups[0]! : undefined);
  if (!nodeGroupId)
    throw new UsageError(
      `${id} has ${nodeGroups.length} node groups: pass --node-group (one of ${nodeGroups.join(', ')})`,
    );
  if (!nodeGroups.includes(nodeGroupId))
    throw new UsageError(`--node-group must be one of ${nodeGroups.join(', ')} (got ${nodeGroupId})`);
  const before = await topologyOf(aws, group);
  if (before.automaticFailover !== true) {
    // The raw value names the transitions too (enabling, disabling).
    throw new UsageError(
      `${id} has automatic failover ${group.AutomaticFailover ?? 'disabled'}: TestFailover needs it enabled (and a replica)`,
    );
  }
  if (before.status !== 'available') {
    throw new UsageError(`${id} is ${before.status}; a failover needs it available (elasticache-kit wait ${id})`);
  }
  if (before.kind === 'cluster') {
    const members = before.shards?.find((shard) => shard.id === nodeGroupId)?.nodes.length ?? 0;
    if (members < 2)
      throw new UsageError(
        `${id} shard ${nodeGroupId} has no replica to promote (${members} node): nothing was changed`,
      );
  }
  // Cluster mode enabled: AWS does not say which node of a shard is primary.
  const previous = before.kind === 'cluster' ? undefined : primaryNode(before)?.id;
  const what = before.kind === 'cluster' ? `${id} shard ${nodeGroupId}` : id;
  if (!request.yes) {
    const go = await events.confirm(
      `Fail over ${what} (primary ${previous ?? 'of the shard'} will be replaced by a replica)?`,
      true,
    );
    if (!go) throw new UsageError('declined: no failover was started');
  }

  const { testFailover } = await import('../aws/replication-groups.js');
  const answered = await testFailover(aws, id, nodeGroupId);
  events.info(`failover of ${id} node group ${nodeGroupId} started (primary was ${previous ?? 'not named by AWS'})`);
  const result: FailoverResult = {
    replicationGroupId: id,
    nodeGroupId,
    ...(previous !== undefined ? { previousPrimary: previous } : {}),
  };
  if (!request.wait) {
    events.info(`not waiting (--no-wait); to wait: ${events.resumeCommand(id, 'available')}`);
    return result;
  }
  const converged = convergence(before, previous, answered.Status);
  const after = await waitForFailover(aws, events, id, converged, request.timeoutMinutes, discoverTopology);
  const primary = after.kind === 'cluster' ? undefined : primaryNode(after)?.id;
  return { ...result, ...(primary !== undefined ? { primary } : {}), topology: after };
}

/**
 * When a failover is over, by the kind of group. Cluster mode disabled: available with
 * another node as primary. Cluster mode enabled: the group went busy (TestFailover's own
 * answer counts) and is available again; the emulator, like AWS, turns available only
 * once the promoted node is the shard's one primary.
 */
export function convergence(
  before: Topology,
  previous: string | undefined,
  answeredStatus: string | undefined,
): (topology: Topology) => boolean {
  switch (before.kind) {
    case 'cluster': {
      let busy = answeredStatus !== undefined && answeredStatus !== 'available';
      return (topology) => {
        const shardsAvailable = (topology.shards ?? []).every((shard) => (shard.status ?? 'available') === 'available');
        if (topology.status !== 'available' || !shardsAvailable) busy = true;
        return busy && topology.status === 'available' && shardsAvailable;
      };
    }
    default:
      return (topology) => {
        const primary = primaryNode(topology)?.id;
        return topology.status === 'available' && primary !== undefined && primary !== previous;
      };
  }
}

/** Polls until the failover has converged. */
async function waitForFailover(
  aws: AwsContext,
  events: ProgressEvents,
  id: string,
  converged: (topology: Topology) => boolean,
  timeoutMinutes: number,
  discover: (aws: AwsContext, id: string) => Promise<Topology>,
): Promise<Topology> {
  const pollMs = pollIntervalFor(aws) ?? AWS_POLL_MS;
  const started = Date.now();
  const progress = await events.progress(`waiting for ${id} to fail over`);
  const stop = onInterrupt(() => {
    progress.stop();
    events.info(
      `stopped waiting; the failover of ${id} continues in AWS. Check with: ${events.resumeCommand(id, 'available')}`,
    );
  });
  // Cluster mode enabled: AWS names no primary, so the status is all there is to show.
  const state = (topology: Topology) =>
    topology.kind === 'cluster'
      ? topology.status
      : `${topology.status}, primary ${primaryNode(topology)?.id ?? '(none yet)'}`;
  try {
    const topology = await pollUntil(() => discover(aws, id), converged, {
      timeoutMs: timeoutMinutes * 60_000,
      pollMs,
      onValue: (topology, elapsed) => progress.update(`${id}: ${state(topology)} (${formatElapsed(elapsed)})`),
      timeoutMessage: (topology, elapsed) => {
        progress.fail(`${id}: the failover has not converged after ${formatElapsed(elapsed)}`);
        return `timed out after ${Math.round(elapsed / 1000)}s waiting for ${id} to fail over (status: ${state(topology)})`;
      },
      interruptedMessage: `stopped waiting for ${id} to fail over`,
    });
    const to = topology.kind === 'cluster' ? '' : ` to ${primaryNode(topology)?.id}`;
    progress.succeed(`${id} failed over${to} after ${formatElapsed(Date.now() - started)}`);
    return topology;
  } finally {
    stop();
  }
}
