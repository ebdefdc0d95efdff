import type { Command } from 'commander';
import { lazyAction } from './lazy.js';

export function register(program: Command): void {
  program
    .command('endpoints')
    .description('(being built)')
    .action(lazyAction(() => import('./endpoints.run.js')));
}
