import { CliError } from '../errors.js';
import type { CommandContext } from './lazy.js';

export async function run(_context: CommandContext): Promise<void> {
  throw new CliError('bench is not built yet');
}
