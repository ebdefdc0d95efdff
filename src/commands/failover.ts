import type { Command } from 'commander';
import { lazyAction } from './lazy.js';

export function register(program: Command): void {
  program
    .command('failover')
    .description('(being built)')
    .action(lazyAction(() => import('./failover.run.js')));
}
