/** delete-cluster: confirm, delete, wait until gone, then remove the network the tool made for the group. */
import type { CommandContext } from './lazy.js';
import { UsageError } from '../errors.js';
import { DEFAULTS } from '../plan/cluster-plan.js';
import { parseWaitTimeout, validateReplicationGroupId } from '../plan/rules.js';

const BUSY = new Set(['creating', 'modifying', 'snapshotting']);

interface DeleteOptions {
  yes?: boolean;
  keepNetwork?: boolean;
  wait: boolean;
  waitTimeout?: string;
}

export async function run(context: CommandContext<DeleteOptions>): Promise<void> {
  const { options, output, globals } = context;
  const id = validateReplicationGroupId(String(context.args[0]), 'id');
  const timeoutMinutes = options.waitTimeout !== undefined ? parseWaitTimeout(options.waitTimeout) : DEFAULTS.waitTimeoutMinutes;
  if (!options.yes && !output.interactive) throw new UsageError('no terminal to confirm on: pass --yes to delete without confirmation');

  const { connect, closeClients } = await import('../aws/clients.js');
  const aws = await connect(globals);
  try {
    const { describeReplicationGroup } = await import('../aws/topology.js');
    const { memberClusters, deleteReplicationGroup } = await import('../aws/replication-groups.js');
    const { networkOfClusters, removeToolNetwork } = await import('../aws/network.js');
    const group = await describeReplicationGroup(aws, id);
    // The nodes name the network; read it before they are gone.
    const network = networkOfClusters(await memberClusters(aws, group));
    const nodes = (group.MemberClusters ?? []).length;

    if (!options.yes) {
      const { askConfirm } = await import('../ui/prompts.js');
      const go = await askConfirm(`Delete ${id} (${nodes} node${nodes === 1 ? '' : 's'}, status ${group.Status}) and its data?`, false);
      if (!go) throw new UsageError('declined: nothing was deleted');
    }
    const { waitWithProgress } = await import('./wait-progress.js');
    if (group.Status === 'deleting') output.info(`${id} is already being deleted`);
    else {
      // AWS refuses to delete a group that is still being created or changed: wait for it first.
      if (group.Status && BUSY.has(group.Status)) {
        output.info(`${id} is ${group.Status}; waiting until it is available, then deleting it`);
        await waitWithProgress(aws, output, globals, id, { until: 'available', timeoutMinutes });
      }
      await deleteReplicationGroup(aws, id);
      output.info(`deleting ${id} (${nodes} node${nodes === 1 ? "" : "s"})`);
    }

    if (!options.wait) {
      const { resumeCommand } = await import('./wait-progress.js');
      output.info(`not waiting (--no-wait); the network resources are kept. To wait: ${resumeCommand(globals, id, 'deleted')}`);
      if (output.json) output.printJson({ replicationGroupId: id, status: 'deleting', removed: [], kept: [] });
      return;
    }
    await waitWithProgress(aws, output, globals, id, { until: 'deleted', timeoutMinutes, doing: 'deleted' });

    let report = { removed: [] as string[], kept: [] as string[] };
    if (options.keepNetwork) output.info('keeping the network resources (--keep-network)');
    else report = await removeToolNetwork(aws, id, network);
    for (const line of report.removed) output.info(`removed ${line}`);
    for (const line of report.kept) output.info(`kept ${line}`);
    if (output.json) output.printJson({ replicationGroupId: id, status: 'deleted', removed: report.removed, kept: report.kept });
    else output.result(`${id} deleted${report.removed.length > 0 ? `; removed ${report.removed.length} network resource${report.removed.length === 1 ? '' : 's'} it had` : ''}`);
  } finally {
    closeClients(aws);
  }
}
