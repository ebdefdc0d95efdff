/**
 * The flags of `endpoints`, checked before any API call or file write: every problem is a
 * one-line UsageError (exit 2) naming the flag and what is allowed. Pure: the environment
 * and the global --output are passed in.
 */
import { UsageError } from '../errors.js';
import { FORMAT_NAMES, DEFAULT_KEYS, type FormatName, type KeySettings } from './formats/types.js';
import { ENV_NAME } from './formats/env-keys.js';
import { parseEnvVarName } from '../names.js';
import { USE_MODES, type UseMode } from './values.js';

export interface EndpointsFlags {
  format?: string;
  out?: string;
  backup?: boolean;
  wait?: boolean;
  waitTimeout?: string | number;
  use?: string;
  includeAuth?: boolean;
  authTokenEnv?: string;
  authTokenFile?: string;
  keyPrimary?: string;
  keyReplicas?: string;
  environment?: string;
  section?: string;
  envPrefix?: string;
  user?: string;
}

export interface EndpointsRequest {
  format: FormatName;
  /** The file to write; for github, --out or $GITHUB_OUTPUT. Undefined: print on stdout. */
  out?: string;
  backup: boolean;
  wait: boolean;
  /** Minutes; set only with --wait. */
  waitTimeoutMinutes?: number;
  /** Undefined: endpoints where the group has them, else nodes. */
  use?: UseMode;
  includeAuth: boolean;
  authSource?: { kind: 'env'; name: string } | { kind: 'file'; path: string };
  environment?: string;
  /** The RBAC user to write (serverless caches and user groups); checked against the group's users. */
  user?: string;
  keys: KeySettings;
}

export const DEFAULT_FORMAT: FormatName = 'json';

export function parseEndpointsRequest(
  flags: EndpointsFlags,
  context: { jsonOutput: boolean; env: NodeJS.ProcessEnv; parseWaitTimeout: (value: string | number) => number },
): EndpointsRequest {
  const format = (flags.format ?? DEFAULT_FORMAT) as FormatName;
  if (!FORMAT_NAMES.includes(format)) {
    throw new UsageError(`--format must be one of ${FORMAT_NAMES.join(', ')} (got ${flags.format})`);
  }
  if (flags.use !== undefined && !USE_MODES.includes(flags.use as UseMode)) {
    throw new UsageError(`--use must be endpoints or nodes (got ${flags.use})`);
  }
  if (flags.out !== undefined && flags.out.trim() === '')
    throw new UsageError('--out must name a file (got an empty value)');

  let out = flags.out;
  if (format === 'github' && out === undefined) {
    const githubOutput = context.env.GITHUB_OUTPUT;
    if (!githubOutput) {
      throw new UsageError(
        '--format github appends to the file named by $GITHUB_OUTPUT, which is not set (outside GitHub Actions, pass --out FILE)',
      );
    }
    out = githubOutput;
  }
  if (flags.backup && flags.out === undefined)
    throw new UsageError('--backup needs --out FILE (there is no file to back up)');
  if (flags.backup && format === 'github')
    throw new UsageError('--backup does not apply to --format github (lines are only appended)');
  if (context.jsonOutput && format !== 'json' && out === undefined) {
    throw new UsageError(
      `--output json prints one JSON document; with --format ${format} either write it to a file (--out FILE) or drop --output json`,
    );
  }

  if (flags.waitTimeout !== undefined && !flags.wait) throw new UsageError('--wait-timeout only applies with --wait');
  const waitTimeoutMinutes = flags.waitTimeout !== undefined ? context.parseWaitTimeout(flags.waitTimeout) : undefined;

  if (flags.authTokenEnv !== undefined && flags.authTokenFile !== undefined) {
    throw new UsageError('--auth-token-env and --auth-token-file: give one of them, not both');
  }
  const authSource =
    flags.authTokenEnv !== undefined
      ? ({ kind: 'env', name: flags.authTokenEnv } as const)
      : flags.authTokenFile !== undefined
        ? ({ kind: 'file', path: flags.authTokenFile } as const)
        : undefined;
  if (flags.includeAuth && !authSource) {
    throw new UsageError(
      '--include-auth needs the token from --auth-token-env VAR or --auth-token-file FILE (never on the command line)',
    );
  }
  if (authSource && !flags.includeAuth) {
    throw new UsageError(
      `--auth-token-${authSource.kind} only applies with --include-auth (the token is not written without it)`,
    );
  }
  if (authSource?.kind === 'env') parseEnvVarName(authSource.name);

  const keys: KeySettings = {
    keyPrimary: settingKey('--key-primary', flags.keyPrimary ?? DEFAULT_KEYS.keyPrimary),
    keyReplicas: settingKey('--key-replicas', flags.keyReplicas ?? DEFAULT_KEYS.keyReplicas),
    section: section(flags.section ?? DEFAULT_KEYS.section),
    envPrefix: envPrefix(flags.envPrefix ?? DEFAULT_KEYS.envPrefix),
  };
  if (keys.keyPrimary.toLowerCase() === keys.keyReplicas.toLowerCase()) {
    throw new UsageError(`--key-primary and --key-replicas must differ (both are ${keys.keyPrimary})`);
  }
  const environment = flags.environment === undefined ? undefined : environmentName(flags.environment);

  return {
    format,
    ...(out !== undefined ? { out } : {}),
    backup: Boolean(flags.backup),
    wait: Boolean(flags.wait),
    ...(flags.wait ? { waitTimeoutMinutes: waitTimeoutMinutes ?? 60 } : {}),
    ...(flags.use !== undefined ? { use: flags.use as UseMode } : {}),
    includeAuth: Boolean(flags.includeAuth),
    ...(authSource ? { authSource } : {}),
    ...(environment !== undefined ? { environment } : {}),
    ...(flags.user !== undefined ? { user: userName(flags.user) } : {}),
    keys,
  };
}

const RESERVED_KEYS = ['environment', 'authtoken'];

function settingKey(flag: string, value: string): string {
  if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(value)) {
    throw new UsageError(`${flag} must be 1-100 letters, digits, _ . : or - (got ${JSON.stringify(value)})`);
  }
  if (RESERVED_KEYS.includes(value.toLowerCase())) {
    throw new UsageError(
      `${flag} cannot be ${value}: that key holds ${value.toLowerCase() === 'environment' ? '--environment' : 'the AUTH token'}`,
    );
  }
  return value;
}

function section(value: string): string {
  if (!/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*$/.test(value) || value.length > 200) {
    throw new UsageError(
      `--section must be a name of letters, digits, _ . or -, with : between nested sections (got ${JSON.stringify(value)})`,
    );
  }
  return value;
}

function envPrefix(value: string): string {
  if (value !== '' && !ENV_NAME.test(value)) {
    throw new UsageError(
      `--env-prefix must be letters, digits and _, not starting with a digit (got ${JSON.stringify(value)})`,
    );
  }
  return value;
}

function environmentName(value: string): string {
  if (!/^[\x20-\x7e]{1,100}$/.test(value) || value.trim() === '') {
    throw new UsageError(`--environment must be 1-100 printable characters on one line (got ${JSON.stringify(value)})`);
  }
  return value;
}

/** An ElastiCache user name: 1-120 letters, digits, - or _ (what CreateUser accepts, in short). */
function userName(value: string): string {
  if (!/^[A-Za-z0-9_-]{1,120}$/.test(value)) {
    throw new UsageError(`--user must be a user name of 1-120 letters, digits, - or _ (got ${JSON.stringify(value)})`);
  }
  return value;
}
