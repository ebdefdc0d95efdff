/** modify: parse → core/modify → render (the path taken and the Topology). */
import type { CommandContext } from './lazy.js';
import { UsageError } from '../errors.js';
import { DEFAULTS } from '../plan/cluster-plan.js';
import { parseWaitTimeout, validateReplicationGroupId } from '../plan/rules.js';
import type { TransitMode } from '../plan/transit-steps.js';
import { commandEvents, openAws } from './session.js';

interface ModifyOptions {
  /** Checked by its argParser (src/commands/modify.ts). */
  transitEncryptionMode: TransitMode;
  yes?: boolean;
  wait: boolean;
  waitTimeout?: number;
}

export async function run(context: CommandContext<ModifyOptions>): Promise<void> {
  const { options, output, globals } = context;
  const id = validateReplicationGroupId(String(context.args[0]), 'id');
  const { transitEncryptionMode } = options;
  const timeoutMinutes =
    options.waitTimeout !== undefined ? parseWaitTimeout(options.waitTimeout) : DEFAULTS.waitTimeoutMinutes;
  if (!options.yes && !output.interactive)
    throw new UsageError('no terminal to confirm on: pass --yes to change the group without confirmation');

  const { closeClients } = await import('../aws/clients.js');
  const aws = await openAws(globals);
  try {
    const { modify } = await import('../core/modify.js');
    const result = await modify(
      aws,
      { replicationGroupId: id, transitEncryptionMode, yes: options.yes === true, wait: options.wait, timeoutMinutes },
      await commandEvents(output, globals),
    );
    if (output.json) {
      output.printJson({ ...result, topology: result.topology ?? null });
      return;
    }
    output.result(`in-transit encryption: ${[result.from, ...result.steps].join(' → ')}`);
    if (result.topology) {
      const { renderTopology } = await import('../ui/topology-view.js');
      output.result(renderTopology(result.topology));
    }
  } finally {
    closeClients(aws);
  }
}
