/** delete-cluster: parse → core/delete-cluster → render what was removed and kept. */
import type { CommandContext } from './lazy.js';
import { UsageError } from '../errors.js';
import { DEFAULTS } from '../plan/cluster-plan.js';
import { parseWaitTimeout, validateReplicationGroupId } from '../plan/rules.js';
import { commandEvents, openAws } from './session.js';

interface DeleteOptions {
  yes?: boolean;
  keepNetwork?: boolean;
  wait: boolean;
  waitTimeout?: number;
}

export async function run(context: CommandContext<DeleteOptions>): Promise<void> {
  const { options, output, globals } = context;
  const id = validateReplicationGroupId(String(context.args[0]), 'id');
  const timeoutMinutes =
    options.waitTimeout !== undefined ? parseWaitTimeout(options.waitTimeout) : DEFAULTS.waitTimeoutMinutes;
  if (!options.yes && !output.interactive)
    throw new UsageError('no terminal to confirm on: pass --yes to delete without confirmation');

  const { closeClients } = await import('../aws/clients.js');
  const aws = await openAws(globals, { ec2: true });
  try {
    const { deleteCluster } = await import('../core/delete-cluster.js');
    const result = await deleteCluster(
      aws,
      {
        replicationGroupId: id,
        yes: options.yes === true,
        keepNetwork: options.keepNetwork === true,
        wait: options.wait,
        timeoutMinutes,
      },
      await commandEvents(output, globals),
    );
    if (output.json) output.printJson(result);
    else if (result.status === 'deleted') {
      const removed = result.removed.length;
      output.result(
        `${id} deleted${removed > 0 ? `; removed ${removed} network resource${removed === 1 ? '' : 's'} it had` : ''}`,
      );
    }
  } finally {
    closeClients(aws);
  }
}
