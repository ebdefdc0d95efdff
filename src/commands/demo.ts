import type { Command } from 'commander';
import { lazyAction } from './lazy.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description('(being built)')
    .action(lazyAction(() => import('./demo.run.js')));
}
