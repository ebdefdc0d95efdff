/** failover: TestFailover on the node group, then wait until a different node is primary. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandContext } from './lazy.js';
import { UsageError, WaitTimeoutError } from '../errors.js';
import { DEFAULTS } from '../plan/cluster-plan.js';
import { parseWaitTimeout, validateReplicationGroupId } from '../plan/rules.js';
import { primaryNode, type Topology } from '../topology.js';

interface FailoverOptions {
  nodeGroup?: string;
  yes?: boolean;
  wait: boolean;
  waitTimeout?: string;
}

export async function run(context: CommandContext<FailoverOptions>): Promise<void> {
  const { options, output, globals } = context;
  const id = validateReplicationGroupId(String(context.args[0]), 'id');
  const timeoutMinutes = options.waitTimeout !== undefined ? parseWaitTimeout(options.waitTimeout) : DEFAULTS.waitTimeoutMinutes;
  if (options.nodeGroup !== undefined && !/^\d{4}$/.test(options.nodeGroup)) {
    throw new UsageError(`--node-group must be a node group id such as 0001 (got ${options.nodeGroup})`);
  }
  if (!options.yes && !output.interactive) throw new UsageError('no terminal to confirm on: pass --yes to fail over without confirmation');

  const { connect, closeClients } = await import('../aws/clients.js');
  const aws = await connect(globals);
  try {
    const { describeReplicationGroup, topologyOf, discoverTopology } = await import('../aws/topology.js');
    const group = await describeReplicationGroup(aws, id);
    const nodeGroups = (group.NodeGroups ?? []).map((ng) => ng.NodeGroupId ?? '').filter(Boolean);
    const nodeGroupId = options.nodeGroup ?? (nodeGroups.length === 1 ? nodeGroups[0]! : undefined);
    if (!nodeGroupId) throw new UsageError(`${id} has ${nodeGroups.length} node groups: pass --node-group (one of ${nodeGroups.join(', ')})`);
    if (!nodeGroups.includes(nodeGroupId)) throw new UsageError(`--node-group must be one of ${nodeGroups.join(', ')} (got ${nodeGroupId})`);
    if (group.AutomaticFailover !== 'enabled') {
      throw new UsageError(`${id} has automatic failover ${group.AutomaticFailover ?? 'disabled'}: TestFailover needs it enabled (and a replica)`);
    }
    if (group.Status !== 'available') {
      throw new UsageError(`${id} is ${group.Status}; a failover needs it available (elasticache-kit wait ${id})`);
    }
    const before = await topologyOf(aws, group);
    const previous = primaryNode(before)?.id;
    if (!options.yes) {
      const { askConfirm } = await import('../ui/prompts.js');
      const go = await askConfirm(`Fail over ${id} (primary ${previous ?? 'unknown'} will be replaced by a replica)?`, true);
      if (!go) throw new UsageError('declined: no failover was started');
    }

    const { testFailover } = await import('../aws/replication-groups.js');
    await testFailover(aws, id, nodeGroupId);
    output.info(`failover of ${id} node group ${nodeGroupId} started (primary was ${previous ?? 'unknown'})`);
    if (!options.wait) {
      const { resumeCommand } = await import('./wait-progress.js');
      output.info(`not waiting (--no-wait); to wait: ${resumeCommand(globals, id, 'available')}`);
      return;
    }

    const after = await waitForNewPrimary(context, aws, id, previous, timeoutMinutes, discoverTopology);
    const primary = primaryNode(after)?.id;
    if (output.json) {
      output.printJson({ replicationGroupId: id, previousPrimary: previous ?? null, primary: primary ?? null, topology: after });
      return;
    }
    output.result(`primary: ${primary} (was ${previous})`);
    const { renderTopology } = await import('../ui/topology-view.js');
    output.result(renderTopology(after));
  } finally {
    closeClients(aws);
  }
}

/** Polls until the group is available again with another node as primary. */
async function waitForNewPrimary(
  context: CommandContext<FailoverOptions>,
  aws: import('../aws/clients.js').AwsContext,
  id: string,
  previous: string | undefined,
  timeoutMinutes: number,
  discover: (aws: import('../aws/clients.js').AwsContext, id: string) => Promise<Topology>,
): Promise<Topology> {
  const { output, globals } = context;
  const { startProgress, formatElapsed } = await import('../ui/progress.js');
  const { pollIntervalFor, resumeCommand } = await import('./wait-progress.js');
  const { onInterrupt } = await import('../interrupt.js');
  const pollMs = pollIntervalFor(aws) ?? 5_000;
  const started = Date.now();
  const progress = await startProgress(output, `waiting for ${id} to fail over`);
  const stop = onInterrupt(() => {
    progress.stop();
    output.info(`stopped waiting; the failover of ${id} continues in AWS. Check with: ${resumeCommand(globals, id, 'available')}`);
  });
  try {
    for (;;) {
      const topology = await discover(aws, id);
      const primary = primaryNode(topology)?.id;
      const elapsed = Date.now() - started;
      progress.update(`${id}: ${topology.status}, primary ${primary ?? '(none yet)'} (${formatElapsed(elapsed)})`);
      if (topology.status === 'available' && primary && primary !== previous) {
        progress.succeed(`${id} failed over to ${primary} after ${formatElapsed(elapsed)}`);
        return topology;
      }
      if (elapsed + pollMs > timeoutMinutes * 60_000) {
        progress.fail(`${id}: no new primary after ${formatElapsed(elapsed)}`);
        throw new WaitTimeoutError(`timed out after ${Math.round(elapsed / 1000)}s waiting for ${id} to fail over (status: ${topology.status}, primary: ${primary ?? 'none'})`);
      }
      await sleep(pollMs);
    }
  } finally {
    stop();
  }
}
