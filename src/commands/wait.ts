import type { Command } from 'commander';
import { lazyAction } from './lazy.js';

export function register(program: Command): void {
  program
    .command('wait')
    .description('(being built)')
    .action(lazyAction(() => import('./wait.run.js')));
}
