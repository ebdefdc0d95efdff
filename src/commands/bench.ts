import type { Command } from 'commander';
import { lazyAction } from './lazy.js';

export function register(program: Command): void {
  program
    .command('bench')
    .description('(being built)')
    .action(lazyAction(() => import('./bench.run.js')));
}
