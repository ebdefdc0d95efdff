/** wait: parse → core/wait → render (the Topology, or "deleted"). */
import type { CommandContext } from './lazy.js';
import { DEFAULTS } from '../plan/cluster-plan.js';
import { parseWaitTimeout, validateReplicationGroupId } from '../plan/rules.js';
import { printTopology } from './print-topology.js';
import { commandEvents, openAws } from './session.js';

interface WaitOptions {
  deleted?: boolean;
  waitTimeout?: number;
}

export async function run(context: CommandContext<WaitOptions>): Promise<void> {
  const { options, output, globals } = context;
  const id = validateReplicationGroupId(String(context.args[0]), 'id');
  const timeoutMinutes =
    options.waitTimeout !== undefined ? parseWaitTimeout(options.waitTimeout) : DEFAULTS.waitTimeoutMinutes;
  const until = options.deleted ? 'deleted' : 'available';

  const { closeClients } = await import('../aws/clients.js');
  const aws = await openAws(globals);
  try {
    const { waitForGroup } = await import('../core/wait.js');
    const result = await waitForGroup(
      aws,
      { replicationGroupId: id, until, timeoutMinutes },
      await commandEvents(output, globals),
    );
    if (result.status === 'deleted') {
      if (output.json) output.printJson({ replicationGroupId: id, status: 'deleted' });
      else output.result(`${id} deleted`);
      return;
    }
    await printTopology(output, result.topology);
  } finally {
    closeClients(aws);
  }
}
