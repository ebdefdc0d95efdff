import type { Command } from 'commander';
import { waitTimeoutOption } from '../flags.js';
import { declaredOnly, lazyAction } from './lazy.js';

export function register(program: Command, complete = true): void {
  const command = program
    .command('failover')
    .summary('TestFailover: promote a replica, wait, print the new primary (failover drills)')
    .argument('<id>', 'replication group id');
  if (!complete) {
    declaredOnly(command);
    return;
  }
  command
    .description(
      "Run TestFailover on the group's node group: the primary is replaced by a replica. Waits until the group is available with a new primary and prints it.",
    )
    .option('--node-group <id>', "node group (shard) to fail over, e.g. 0002 (default: the group's only one, 0001)")
    .option('-y, --yes', 'skip the confirmation (needed without a terminal)')
    .option('--no-wait', 'return once the failover is requested')
    .addOption(waitTimeoutOption('give up waiting'))
    .addHelpText(
      'after',
      `
Needs automatic failover enabled and at least one replica. The primary and reader
endpoints follow the new primary; apps that use node addresses do not. On a cluster
(cluster mode enabled) with several shards, --node-group names the shard; without it
the command exits 2 listing the node group ids.

Examples:
  $ elasticache-kit failover demo --yes
  $ elasticache-kit failover demo --yes --output json   # {previousPrimary, primary, topology}
  $ elasticache-kit failover shop --node-group 0002 --yes

Exit codes: 0 failed over, 1 AWS error, 2 bad input or the group cannot fail over (nothing
changed), 3 not found, 4 timed out, 130 interrupted.`,
    )
    .action(lazyAction(() => import('./failover.run.js')));
}
