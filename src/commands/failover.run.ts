/** failover: parse → core/failover → render (new primary and the Topology). */
import type { CommandContext } from './lazy.js';
import { UsageError } from '../errors.js';
import { DEFAULTS } from '../plan/cluster-plan.js';
import { parseWaitTimeout, validateReplicationGroupId } from '../plan/rules.js';
import { commandEvents, openAws } from './session.js';

interface FailoverOptions {
  nodeGroup?: string;
  yes?: boolean;
  wait: boolean;
  waitTimeout?: number;
}

export async function run(context: CommandContext<FailoverOptions>): Promise<void> {
  const { options, output, globals } = context;
  const id = validateReplicationGroupId(String(context.args[0]), 'id');
  const timeoutMinutes =
    options.waitTimeout !== undefined ? parseWaitTimeout(options.waitTimeout) : DEFAULTS.waitTimeoutMinutes;
  if (options.nodeGroup !== undefined && !/^\d{4}$/.test(options.nodeGroup)) {
    throw new UsageError(`--node-group must be a node group id such as 0001 (got ${options.nodeGroup})`);
  }
  if (!options.yes && !output.interactive)
    throw new UsageError('no terminal to confirm on: pass --yes to fail over without confirmation');

  const { closeClients } = await import('../aws/clients.js');
  const aws = await openAws(globals);
  try {
    const { failover } = await import('../core/failover.js');
    const result = await failover(
      aws,
      {
        replicationGroupId: id,
        ...(options.nodeGroup !== undefined ? { nodeGroup: options.nodeGroup } : {}),
        yes: options.yes === true,
        wait: options.wait,
        timeoutMinutes,
      },
      await commandEvents(output, globals),
    );
    if (!result.topology) return;
    if (output.json) {
      output.printJson({
        replicationGroupId: id,
        nodeGroupId: result.nodeGroupId,
        previousPrimary: result.previousPrimary ?? null,
        primary: result.primary ?? null,
        topology: result.topology,
      });
      return;
    }
    const shard = result.topology.kind === 'cluster' ? `shard ${result.nodeGroupId} ` : '';
    output.result(
      result.primary !== undefined
        ? `${shard}primary: ${result.primary} (was ${result.previousPrimary ?? 'unknown'})`
        : `${shard}failed over (the endpoint named no new primary: it has no DescribeEvents)`,
    );
    const { renderTopology } = await import('../ui/topology-view.js');
    output.result(renderTopology(result.topology));
  } finally {
    closeClients(aws);
  }
}
