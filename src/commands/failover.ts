import type { Command } from 'commander';
import { lazyAction } from './lazy.js';

export function register(program: Command): void {
  program
    .command('failover')
    .summary('TestFailover: promote a replica, wait, print the new primary (failover drills)')
    .description(
      "Run TestFailover on the group's node group: the primary is replaced by a replica. Waits until the group is available with a new primary and prints it.",
    )
    .argument('<id>', 'replication group id')
    .option('--node-group <id>', "node group to fail over (default: the group's only node group, 0001)")
    .option('-y, --yes', 'skip the confirmation (needed without a terminal)')
    .option('--no-wait', 'return once the failover is requested')
    .option('--wait-timeout <minutes>', 'give up waiting after this many minutes (exit 4; default 60)')
    .addHelpText(
      'after',
      `
Needs automatic failover enabled and at least one replica. The primary and reader
endpoints follow the new primary; apps that use node addresses do not.

Examples:
  $ elasticache-kit failover demo --yes
  $ elasticache-kit failover demo --yes --output json   # {previousPrimary, primary, topology}

Exit codes: 0 failed over, 1 AWS error, 2 bad input or the group cannot fail over (nothing
changed), 3 not found, 4 timed out, 130 interrupted.`,
    )
    .action(lazyAction(() => import('./failover.run.js')));
}
