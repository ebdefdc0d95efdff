import type { Command } from 'commander';
import { lazyAction } from './lazy.js';

export function register(program: Command): void {
  program
    .command('list')
    .summary('list replication groups: status, engine, node type, nodes, primary endpoint')
    .description(
      'List the replication groups of the region with their status, engine, node type, node count and primary endpoint.',
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
