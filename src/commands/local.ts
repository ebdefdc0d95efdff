import type { Command } from 'commander';
import { lazyAction } from './lazy.js';

export function register(program: Command): void {
  program
    .command('local')
    .description('(being built)')
    .action(lazyAction(() => import('./local.run.js')));
}
