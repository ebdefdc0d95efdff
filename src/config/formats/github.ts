/**
 * GitHub Actions step outputs: lines appended to the file named by $GITHUB_OUTPUT.
 * A value with a line break uses the documented heredoc form with a delimiter that cannot
 * occur in the value, so no value can inject another output.
 */
import { randomBytes } from 'node:crypto';
import { envEntries } from './env-keys.js';
import type { RenderInput } from './types.js';

export function githubLine(name: string, value: string, delimiter: () => string = randomDelimiter): string {
  if (!/[\r\n]/.test(value)) return `${name}=${value}\n`;
  let marker = delimiter();
  while (value.includes(marker)) marker = delimiter();
  return `${name}<<${marker}\n${value}\n${marker}\n`;
}

function randomDelimiter(): string {
  return `ghadelimiter_${randomBytes(12).toString('hex')}`;
}

/** The lines to append (the file is GitHub's; the tool only ever appends to it). */
export function render({ values, keys }: RenderInput): string {
  return envEntries(values, keys.envPrefix)
    .map(([name, value]) => githubLine(name, value))
    .join('');
}
