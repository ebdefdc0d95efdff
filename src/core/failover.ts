/**
 * failover: TestFailover on the node group, then wait until it has converged: with cluster
 * mode disabled, until another node is primary; with cluster mode enabled, where AWS's
 * answer names no node roles, until the failover's completion event (DescribeEvents) is
 * there and the group is available again (see watchFor).
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
  const watch = await watchFor(aws, before, nodeGroupId, discoverTopology);
  const previous = watch.previous;
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
  watch.started(answered.Status);
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
  const after = await waitForFailover(aws, events, id, watch, request.timeoutMinutes);
  const { previous: was, primary } = watch.primaries(after);
  return {
    ...result,
    ...(was !== undefined ? { previousPrimary: was } : {}),
    ...(primary !== undefined ? { primary } : {}),
    topology: after,
  };
}

/** How to tell that a failover is over, and who the primaries are, for one kind of group. */
export interface FailoverWatch {
  /** The primary before, when the API names it. */
  previous?: string;
  /** TestFailover answered, with the group's status then. */
  started(status: string | undefined): void;
  /** Reads the group (and what else convergence needs) once. */
  probe(): Promise<Topology>;
  converged(topology: Topology): boolean;
  primaries(topology: Topology): { previous?: string; primary?: string };
}

/** Events older than this before the call are looked at too, for a clock that runs ahead of AWS's. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * The one place failover branches on the kind. Cluster mode disabled: over once another
 * node is primary. Cluster mode enabled, where members carry no roles: over once the group
 * is available and has the event AWS's docs name ("Failover from primary node X to replica
 * node Y completed", Y one of the shard's nodes, not seen before the call), which also
 * names both primaries; where the endpoint has no DescribeEvents, once the group has been
 * busy with the failover and is available again.
 */
async function watchFor(
  aws: AwsContext,
  before: Topology,
  nodeGroupId: string,
  discover: (aws: AwsContext, id: string) => Promise<Topology>,
): Promise<FailoverWatch> {
  const id = before.replicationGroupId;
  switch (before.kind) {
    case 'cluster': {
      const { completedFailovers } = await import('../aws/failover-events.js');
      const members = new Set(before.shards?.find((shard) => shard.id === nodeGroupId)?.nodes.map((node) => node.id));
      const since = new Date(Date.now() - CLOCK_SKEW_MS);
      const seen = await completedFailovers(aws, id, since);
      const known = new Set(seen?.map((event) => event.key));
      let completed: { previous: string; promoted: string } | undefined;
      let busy = false;
      const shardsAvailable = (topology: Topology) =>
        topology.status === 'available' &&
        (topology.shards ?? []).every((shard) => (shard.status ?? 'available') === 'available');
      return {
        started: (status) => {
          busy = status !== undefined && status !== 'available';
        },
        probe: async () => {
          const topology = await discover(aws, id);
          if (!shardsAvailable(topology)) busy = true;
          if (seen !== undefined && !completed) {
            const fresh = (await completedFailovers(aws, id, since)) ?? [];
            completed = fresh.find((event) => !known.has(event.key) && members.has(event.promoted));
          }
          return topology;
        },
        converged: (topology) => shardsAvailable(topology) && (seen !== undefined ? completed !== undefined : busy),
        primaries: () => (completed ? { previous: completed.previous, primary: completed.promoted } : {}),
      };
    }
    default: {
      const previous = primaryNode(before)?.id;
      return {
        ...(previous !== undefined ? { previous } : {}),
        started: () => {},
        probe: () => discover(aws, id),
        converged: (topology) => {
          const primary = primaryNode(topology)?.id;
          return topology.status === 'available' && primary !== undefined && primary !== previous;
        },
        primaries: (topology) => ({
          ...(previous !== undefined ? { previous } : {}),
          ...(primaryNode(topology) ? { primary: primaryNode(topology)!.id } : {}),
        }),
      };
    }
  }
}

/** Polls until the failover has converged. */
async function waitForFailover(
  aws: AwsContext,
  events: ProgressEvents,
  id: string,
  watch: FailoverWatch,
  timeoutMinutes: number,
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
    const topology = await pollUntil(watch.probe, watch.converged, {
      timeoutMs: timeoutMinutes * 60_000,
      pollMs,
      onValue: (topology, elapsed) => progress.update(`${id}: ${state(topology)} (${formatElapsed(elapsed)})`),
      timeoutMessage: (topology, elapsed) => {
        progress.fail(`${id}: the failover has not converged after ${formatElapsed(elapsed)}`);
        return `timed out after ${Math.round(elapsed / 1000)}s waiting for ${id} to fail over (status: ${state(topology)})`;
      },
      interruptedMessage: `stopped waiting for ${id} to fail over`,
    });
    const promoted = watch.primaries(topology).primary;
    const to = promoted !== undefined ? ` to ${promoted}` : '';
    progress.succeed(`${id} failed over${to} after ${formatElapsed(Date.now() - started)}`);
    return topology;
  } finally {
    stop();
  }
}
