import type { Command } from 'commander';
import { waitTimeoutOption } from '../flags.js';
import { declaredOnly, lazyAction } from './lazy.js';

export function register(program: Command, complete = true): void {
  const command = program
    .command('delete-cluster')
    .summary('delete a replication group, wait until gone, remove the network the tool made for it')
    .argument('<id>', 'replication group id or serverless cache name');
  if (!complete) {
    declaredOnly(command);
    return;
  }
  command
    .description(
      'Delete a replication group and wait until it is gone; then remove the security group and cache subnet group the tool created for it, when nothing else uses them.',
    )
    .option('-y, --yes', 'skip the confirmation (needed without a terminal)')
    .option('--keep-network', 'keep the security group and subnet group even if the tool created them')
    .option('--no-wait', 'return once the deletion is requested (the network is then kept)')
    .addOption(waitTimeoutOption('give up waiting'))
    .addHelpText(
      'after',
      `
Only resources tagged created-by=elasticache-kit that the group used (or that are tagged
elasticache-kit:replication-group=<id>) are removed, and only when no other cache cluster
uses them. Security groups and subnet groups you made yourself are never touched.
A serverless cache of that name (when no replication group has it) is deleted the same
way: DeleteServerlessCache, wait until gone, then the security group tagged
elasticache-kit:serverless-cache=<name> unless another cache uses it.

Examples:
  $ elasticache-kit delete-cluster demo --yes
  $ elasticache-kit delete-cluster demo --yes --keep-network
  $ elasticache-kit delete-cluster sessions --yes   # a serverless cache: DeleteServerlessCache, then its security group

Exit codes: 0 deleted, 1 AWS error, 2 bad input or declined (nothing deleted), 3 not found,
4 timed out (the group keeps being deleted), 130 interrupted.`,
    )
    .action(lazyAction(() => import('./delete-cluster.run.js')));
}
