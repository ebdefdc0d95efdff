/** wait: the same progress display as create-cluster, for a group that is already changing. */
import type { CommandContext } from './lazy.js';
import { DEFAULTS } from '../plan/cluster-plan.js';
import { parseWaitTimeout, validateReplicationGroupId } from '../plan/rules.js';

interface WaitOptions {
  deleted?: boolean;
  waitTimeout?: string;
}

export async function run(context: CommandContext<WaitOptions>): Promise<void> {
  const { options, output, globals } = context;
  const id = validateReplicationGroupId(String(context.args[0]), 'id');
  const timeoutMinutes = options.waitTimeout !== undefined ? parseWaitTimeout(options.waitTimeout) : DEFAULTS.waitTimeoutMinutes;
  const until = options.deleted ? 'deleted' : 'available';

  const { connect, closeClients } = await import('../aws/clients.js');
  const aws = await connect(globals);
  try {
    const { waitWithProgress } = await import('./wait-progress.js');
    await waitWithProgress(aws, output, globals, id, { until, timeoutMinutes });
    if (until === 'deleted') {
      if (output.json) output.printJson({ replicationGroupId: id, status: 'deleted' });
      else output.result(`${id} deleted`);
      return;
    }
    const { discoverTopology } = await import('../aws/topology.js');
    const topology = await discoverTopology(aws, id);
    if (output.json) {
      output.printJson(topology);
      return;
    }
    const { renderTopology } = await import('../ui/topology-view.js');
    output.result(renderTopology(topology));
  } finally {
    closeClients(aws);
  }
}
