import type { Command } from 'commander';
import { lazyAction } from './lazy.js';

export function register(program: Command): void {
  program
    .command('list')
    .description('(being built)')
    .action(lazyAction(() => import('./list.run.js')));
}
