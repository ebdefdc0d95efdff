/**
 * `export NAME='value'` lines for `eval "$(elasticache-kit endpoints demo --format shell)"`
 * or `source`. Always single-quoted: the shell expands nothing inside single quotes, and a
 * quote in the value is written as '\'' (close, escaped quote, reopen).
 */
import { envEntries, staleNames } from './env-keys.js';
import { mergeEnvLines, type LineStyle } from './env-lines.js';
import type { RenderInput } from './types.js';

export function quoteShell(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export const shellStyle: LineStyle = { quote: quoteShell, newLinePrefix: 'export ', strict: false };

export function render({ values, keys }: RenderInput): string {
  const header = `# ElastiCache endpoints of ${values.replicationGroupId} (written by elasticache-kit endpoints)\n`;
  return (
    header +
    envEntries(values, keys.envPrefix)
      .map(([name, value]) => `export ${name}=${quoteShell(value)}\n`)
      .join('')
  );
}

/** Throws ConfigParseError (naming the line) for a file the merge could misread. */
export function check(existing: string): void {
  mergeEnvLines(existing, [], shellStyle);
}

export function merge(existing: string, { values, keys }: RenderInput): string {
  const entries = envEntries(values, keys.envPrefix);
  return mergeEnvLines(existing, entries, shellStyle, staleNames(entries, keys.envPrefix));
}
