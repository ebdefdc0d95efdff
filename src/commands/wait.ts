import type { Command } from 'commander';
import { waitTimeoutOption } from '../flags.js';
import { declaredOnly, lazyAction } from './lazy.js';

export function register(program: Command, complete = true): void {
  const command = program
    .command('wait')
    .summary('wait until a replication group or serverless cache is available (or deleted)')
    .argument('<id>', 'replication group id or serverless cache name');
  if (!complete) {
    declaredOnly(command);
    return;
  }
  command
    .description(
      'Wait until a replication group (or a serverless cache of that name) is available, or with --deleted until it is gone, showing its status.',
    )
    .option('--deleted', 'wait until the group no longer exists')
    .addOption(waitTimeoutOption('give up'))
    .addHelpText(
      'after',
      `
Prints the Topology once available (table, or JSON with --output json), as endpoints does.
Resumes a create-cluster or delete-cluster that was interrupted or run with --no-wait.

Examples:
  $ elasticache-kit wait demo
  $ elasticache-kit wait demo --deleted --wait-timeout 20
  $ elasticache-kit wait sessions              # a serverless cache: the same command

Exit codes: 0 reached, 1 the group failed (create-failed) or an AWS error, 2 bad input,
3 not found (without --deleted), 4 timed out, 130 interrupted.`,
    )
    .action(lazyAction(() => import('./wait.run.js')));
}
