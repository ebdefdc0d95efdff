/** scale: parse → core/scale → render (the review, then the new shape and the Topology). */
import type { CommandContext } from './lazy.js';
import { UsageError } from '../errors.js';
import { DEFAULTS } from '../plan/cluster-plan.js';
import { parseWaitTimeout, validateReplicationGroupId } from '../plan/rules.js';
import { checkWanted, type ScaleWanted } from '../plan/scale-plan.js';
import { commandEvents, openAws } from './session.js';

interface ScaleOptions {
  /** Checked by their argParser (src/commands/scale.ts). */
  replicas?: number;
  shards?: number;
  yes?: boolean;
  dryRun?: boolean;
  wait: boolean;
  waitTimeout?: number;
}

export async function run(context: CommandContext<ScaleOptions>): Promise<void> {
  const { options, output, globals } = context;
  const id = validateReplicationGroupId(String(context.args[0]), 'id');
  const wanted: ScaleWanted = {
    ...(options.replicas !== undefined ? { replicas: options.replicas } : {}),
    ...(options.shards !== undefined ? { shards: options.shards } : {}),
  };
  checkWanted(wanted);
  const timeoutMinutes =
    options.waitTimeout !== undefined ? parseWaitTimeout(options.waitTimeout) : DEFAULTS.waitTimeoutMinutes;
  if (!options.yes && !options.dryRun && !output.interactive)
    throw new UsageError(
      'no terminal to confirm on: pass --yes to scale without confirmation (or --dry-run to see the request)',
    );

  const { closeClients } = await import('../aws/clients.js');
  const aws = await openAws(globals);
  try {
    const { scale } = await import('../core/scale.js');
    const { renderScaleReview } = await import('./scale.review.js');
    const result = await scale(
      aws,
      {
        replicationGroupId: id,
        ...wanted,
        yes: options.yes === true,
        dryRun: options.dryRun === true,
        wait: options.wait,
        timeoutMinutes,
        review: (plan) => {
          output.info('');
          output.info(renderScaleReview(plan).trimEnd());
          output.info('');
        },
      },
      await commandEvents(output, globals),
    );
    if (result.kind === 'dry-run') {
      output.printJson([{ service: 'elasticache', action: result.plan.action, input: result.plan.input }]);
      output.info('dry run: nothing was changed');
      return;
    }
    const summary = {
      replicationGroupId: id,
      changed: result.kind !== 'unchanged',
      ...(result.kind !== 'unchanged' ? { action: result.plan.action, request: result.plan.input } : {}),
      before: result.plan.before,
      ...(result.kind !== 'unchanged' ? { after: result.plan.after } : {}),
      ...(result.kind !== 'unchanged' && result.plan.slotsAfter ? { slotsAfter: result.plan.slotsAfter } : {}),
    };
    if (result.kind === 'started') {
      if (output.json) output.printJson({ ...summary, status: 'modifying' });
      return;
    }
    if (output.json) {
      output.printJson({ ...summary, topology: result.topology });
      return;
    }
    const { renderTopology } = await import('../ui/topology-view.js');
    output.result(renderTopology(result.topology));
  } finally {
    closeClients(aws);
  }
}
