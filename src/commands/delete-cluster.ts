import type { Command } from 'commander';
import { lazyAction } from './lazy.js';

export function register(program: Command): void {
  program
    .command('delete-cluster')
    .description('(being built)')
    .action(lazyAction(() => import('./delete-cluster.run.js')));
}
