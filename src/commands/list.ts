import type { Command } from 'commander';
import { declaredOnly, lazyAction } from './lazy.js';

export function register(program: Command, complete = true): void {
  const command = program
    .command('list')
    .summary('list replication groups and serverless caches: kind, status, engine, node type, nodes, endpoint');
  if (!complete) {
    declaredOnly(command, { options: false });
    return;
  }
  command
    .description(
      'List the replication groups and serverless caches of the region in one table: kind, status, engine, node type, node count and endpoint.',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ elasticache-kit list
  $ elasticache-kit --region eu-west-1 list --output json`,
    )
    .action(lazyAction(() => import('./list.run.js')));
}
