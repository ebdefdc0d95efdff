/**
 * What both kinds of create-cluster (node-based and --serverless) do around the core: show
 * the review and ask (unless --yes), and print the outcome (the dry run's requests, or the
 * Topology as JSON or text).
 */
import type { CreateResult } from '../core/create-cluster.js';
import { UsageError } from '../errors.js';
import type { Output } from '../ui/output.js';
import { printTopology } from './print-topology.js';

/** Without a terminal nothing can be asked: every required value must come as a flag. */
export function refuseMissingWithoutTerminal(interactive: boolean, missing: readonly string[]): void {
  if (!interactive && missing.length > 0)
    throw new UsageError(`missing required values (no terminal to ask on): pass ${missing.join('; ')}`);
}

/** Without a terminal no one can confirm the review: --yes (or --dry-run) must say so up front. */
export function refuseUnconfirmedWithoutTerminal(
  interactive: boolean,
  options: { yes?: boolean; dryRun?: boolean },
): void {
  if (!interactive && !options.yes && !options.dryRun) {
    throw new UsageError(
      'no terminal to confirm on: pass --yes to create without confirmation (or --dry-run to see the requests)',
    );
  }
}

/** The review screen on stderr, then "Create <id>?" unless --yes; no declines with exit 2. */
export async function reviewAndConfirm(output: Output, review: string, id: string, yes: boolean): Promise<void> {
  output.info('');
  output.info(review.trimEnd());
  output.info('');
  if (yes) return;
  const { askConfirm } = await import('../ui/prompts.js');
  const go = await askConfirm(`Create ${id}?`, true);
  if (!go) throw new UsageError('declined at the review: nothing was created');
}

export async function printCreateResult(output: Output, result: CreateResult): Promise<void> {
  if (result.kind === 'dry-run') {
    output.printJson(result.requests);
    if (result.requests.length > 0) output.info('dry run: nothing was created');
    return;
  }
  await printTopology(output, result.topology);
}
