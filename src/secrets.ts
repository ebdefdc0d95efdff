/**
 * Secrets (AUTH tokens) come from an environment variable or a file, never from argv.
 * One reader for every command (create-cluster, endpoints, bench) so the checks and the
 * messages are the same everywhere; the hidden prompt is in src/ui/prompts.ts
 * (askSecret). The value is never part of a message: only where it came from.
 */
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from './errors.js';
import { parseEnvVarName } from './names.js';

export type SecretSource = { kind: 'env'; name: string } | { kind: 'file'; path: string };

export interface Secret {
  value: string;
  /** Where it came from, for messages: `$NAME` or the file path. */
  origin: string;
  /** Advice to show (a file others can read). */
  warnings: string[];
}

/** Reads the secret; UsageError (exit 2) when the variable is unset or the file unreadable or empty. */
export function readSecret(source: SecretSource, env: NodeJS.ProcessEnv = process.env): Secret {
  if (source.kind === 'env') {
    parseEnvVarName(source.name);
    const value = env[source.name];
    if (value === undefined || value === '') {
      throw new UsageError(
        `--auth-token-env ${source.name}: the variable is not set or empty (export ${source.name}=… first)`,
      );
    }
    if (/[\r\n]/.test(value)) throw new UsageError(`--auth-token-env ${source.name}: the token must be one line`);
    return { value, origin: `$${source.name}`, warnings: [] };
  }
  const file = source.path;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`--auth-token-file ${file}: cannot read it (${code})`);
  }
  const warnings: string[] = [];
  try {
    const mode = statSync(file).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      warnings.push(`--auth-token-file ${file} is readable by others (mode ${mode.toString(8)}); chmod 600 ${file}`);
    }
  } catch {
    // the read succeeded; the mode check is advice only
  }
  // One trailing newline is what `echo token > file` leaves; anything more is a mistake.
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw new UsageError(`--auth-token-file ${file} is empty`);
  if (/[\r\n]/.test(value)) throw new UsageError(`--auth-token-file ${file}: the token must be one line`);
  return { value, origin: file, warnings };
}
