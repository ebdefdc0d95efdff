import type { Command } from 'commander';
import { lazyAction } from './lazy.js';

export function register(program: Command): void {
  program
    .command('create-cluster')
    .description('(being built)')
    .action(lazyAction(() => import('./create-cluster.run.js')));
}
