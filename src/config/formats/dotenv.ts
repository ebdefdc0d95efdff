/**
 * `.env` files: `NAME=value` lines (ELASTICACHE_PRIMARY, _REPLICAS, _READER, _PORT, _TLS).
 * Quoted only when needed, in the way dotenv, docker compose and `node --env-file` agree on.
 */
import { UsageError } from '../../errors.js';
import { envEntries, staleNames } from './env-keys.js';
import { mergeEnvLines, type LineStyle } from './env-lines.js';
import type { RenderInput } from './types.js';

/** Characters every .env parser takes literally without quotes (no #, spaces, quotes, $). */
const BARE = /^[A-Za-z0-9_.:,/@+=\-[\]]*$/;

export function quoteDotenv(value: string): string {
  if (/[\r\n]/.test(value)) throw new UsageError('a .env value cannot contain a line break');
  if (BARE.test(value)) return value;
  // Single quotes: no escapes, no variable expansion.
  if (!value.includes("'")) return `'${value}'`;
  // Double quotes: dotenv parsers turn \n and \r into line breaks there, nothing else.
  if (!value.includes('"') && !/\\[nr]/.test(value)) return `"${value}"`;
  throw new UsageError("a .env value cannot contain both ' and \" (or \\n with '): no .env quoting keeps it intact");
}

export const dotenvStyle: LineStyle = { quote: quoteDotenv, newLinePrefix: '', strict: true };

export function render({ values, keys }: RenderInput): string {
  const header = `# ElastiCache endpoints of ${values.replicationGroupId} (written by elasticache-kit endpoints)\n`;
  return (
    header +
    envEntries(values, keys.envPrefix)
      .map(([name, value]) => `${name}=${quoteDotenv(value)}\n`)
      .join('')
  );
}

/** Throws ConfigParseError (naming the line) for a file the merge could misread. */
export function check(existing: string): void {
  mergeEnvLines(existing, [], dotenvStyle);
}

export function merge(existing: string, { values, keys }: RenderInput): string {
  const entries = envEntries(values, keys.envPrefix);
  return mergeEnvLines(existing, entries, dotenvStyle, staleNames(entries, keys.envPrefix));
}
