/**
 * The naming rules every command shares: a replication group id as AWS accepts it, and
 * the name of the environment variable a secret is read from. Pure; one message each.
 */
import { UsageError } from './errors.js';

const show = (value: string) => (value === '' ? '""' : value);

/** Replication group id: 1-40 letters, digits, hyphens; starts with a letter; no `--`; no trailing `-`. Lower-cased as AWS stores it. */
export function validateReplicationGroupId(value: string, flag = 'id'): string {
  const rule = `${flag} must be 1-40 letters, digits or hyphens, start with a letter, with no two consecutive hyphens and no trailing hyphen`;
  if (value.length < 1 || value.length > 40)
    throw new UsageError(`${rule} (got ${show(value)}, ${value.length} characters)`);
  if (!/^[A-Za-z0-9-]+$/.test(value)) throw new UsageError(`${rule} (got ${show(value)})`);
  if (!/^[A-Za-z]/.test(value)) throw new UsageError(`${rule}; it must start with a letter (got ${value})`);
  if (value.includes('--')) throw new UsageError(`${rule}; it contains "--" (got ${value})`);
  if (value.endsWith('-')) throw new UsageError(`${rule}; it ends with a hyphen (got ${value})`);
  return value.toLowerCase();
}

/** A POSIX shell variable name: what `export NAME=…` accepts. */
export const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The variable named by `flag` (default --auth-token-env). */
export function parseEnvVarName(value: string, flag = '--auth-token-env'): string {
  if (!ENV_VAR_NAME.test(value)) {
    throw new UsageError(
      `${flag} must name an environment variable: letters, digits and _, not starting with a digit, such as REDIS_AUTH (got ${JSON.stringify(value)})`,
    );
  }
  return value;
}

/**
 * Orders AWS identifiers (group, node and cache ids: lowercase ASCII) and ISO timestamps by
 * code unit. Not localeCompare: its first call loads ICU's collator, ~9 ms of a CLI start
 * (endpoints sorts its nodes), for the same order on such strings.
 */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
