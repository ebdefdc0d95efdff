/** failover: TestFailover on the node group, then wait until a different node is primary. */
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
  const previous = primaryNode(before)?.id;
  if (!request.yes) {
    const go = await events.confirm(
      `Fail over ${id} (primary ${previous ?? 'unknown'} will be replaced by a replica)?`,
      true,
    );
    if (!go) throw new UsageError('declined: no failover was started');
  }

  const { testFailover } = await import('../aws/replication-groups.js');
  await testFailover(aws, id, nodeGroupId);
  events.info(`failover of ${id} node group ${nodeGroupId} started (primary was ${previous ?? 'unknown'})`);
  const result: FailoverResult = {
    replicationGroupId: id,
    nodeGroupId,
    ...(previous !== undefined ? { previousPrimary: previous } : {}),
  };
  if (!request.wait) {
    events.info(`not waiting (--no-wait); to wait: ${events.resumeCommand(id, 'available')}`);
    return result;
  }
  const after = await waitForNewPrimary(aws, events, id, previous, request.timeoutMinutes, discoverTopology);
  const primary = primaryNode(after)?.id;
  return { ...result, ...(primary !== undefined ? { primary } : {}), topology: after };
}

/** Polls until the group is available again with another node as primary. */
async function waitForNewPrimary(
  aws: AwsContext,
  events: ProgressEvents,
  id: string,
  previous: string | undefined,
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
  try {
    return await pollUntil(
      () => discover(aws, id),
      (topology) => {
        const primary = primaryNode(topology)?.id;
        return topology.status === 'available' && primary !== undefined && primary !== previous;
      },
      {
        timeoutMs: timeoutMinutes * 60_000,
        pollMs,
        onValue: (topology, elapsed) => {
          const primary = primaryNode(topology)?.id;
          progress.update(`${id}: ${topology.status}, primary ${primary ?? '(none yet)'} (${formatElapsed(elapsed)})`);
        },
        timeoutMessage: (topology, elapsed) => {
          progress.fail(`${id}: no new primary after ${formatElapsed(elapsed)}`);
          return `timed out after ${Math.round(elapsed / 1000)}s waiting for ${id} to fail over (status: ${topology.status}, primary: ${primaryNode(topology)?.id ?? 'none'})`;
        },
        interruptedMessage: `stopped waiting for ${id} to fail over`,
      },
    ).then((topology) => {
      progress.succeed(
        `${id} failed over to ${primaryNode(topology)?.id} after ${formatElapsed(Date.now() - started)}`,
      );
      return topology;
    });
  } finally {
    stop();
  }
}
