/**
 * Validation of every bench flag, before anything connects. Pure: no I/O (reading the
 * token file and the config file happens in targets.ts). Each problem is a UsageError
 * (exit 2) that names the flag and what it accepts.
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.js';
import { parseEnvVarName, validateReplicationGroupId } from '../names.js';
import { DEFAULTS, type KEY_PATTERNS, type READ_FROM } from './defaults.js';
import type { LoadShape } from './workload.js';

/**
 * The flags as commander hands them over: numbers and choices already checked by their
 * argParser (src/flags.ts, defined in src/commands/bench.ts), absent ones undefined;
 * strings, booleans, repeated values as arrays.
 */
export interface RawBenchOptions {
  primary?: string;
  replica?: string[];
  reader?: string;
  fromConfig?: string;
  tls?: boolean;
  ca?: string;
  servername?: string;
  insecure?: boolean;
  authTokenEnv?: string;
  authTokenFile?: string;
  user?: string;
  clients?: number;
  threads?: number;
  pipeline?: number;
  ratio?: string;
  dataSize?: number;
  keyMaximum?: number;
  keyPattern?: (typeof KEY_PATTERNS)[number];
  readFrom?: (typeof READ_FROM)[number];
  testTime?: number;
  requests?: number;
  rate?: number;
  warmup?: number;
  lagProbes?: number;
  keyPrefix?: string;
  keyTtl?: number;
  requestTimeout?: number;
  hdrOut?: string;
  json?: string;
  report?: string;
  hdrLog?: string;
  /** Distributed runs (hidden flags, src/bench/distributed/): this process is a worker. */
  worker?: boolean;
  /** Epoch ms at which every worker starts its load. */
  startAt?: number;
  /** Where a worker puts its result (s3://bucket/prefix); the controller reads from there. */
  results?: string;
  /** The controller: the instances to run workers on (tag:Key=Value or i-…,i-…). */
  workers?: string;
  /** The controller: seconds from now to the shared start time. */
  startIn?: number;
  /** The controller: seconds to wait for every worker after the start time. */
  workerTimeout?: number;
}

export interface HostPort {
  host: string;
  port: number;
}

export interface BenchSettings extends LoadShape {
  /** Worker threads the load runs in (1 = in the main thread). */
  threads: number;
  /** Seconds of measured load, unless `requests` is set. */
  testTimeS: number;
  requests?: number;
  warmupS: number;
  lagProbes: number;
  keyPrefix: string;
  keyTtlS: number;
  requestTimeoutMs: number;
  hdrOut?: string;
  jsonFile?: string;
  /** `--report FILE`: the self-contained HTML report. */
  reportFile?: string;
  /** `--hdr-log PREFIX`: HdrHistogram interval logs PREFIX<node>.hlog. */
  hdrLog?: string;
  /** Epoch ms to start the load at (a distributed worker; prefill happens before). */
  startAtMs?: number;
  tls: boolean;
  ca?: string;
  servername?: string;
  insecure: boolean;
  authTokenEnv?: string;
  authTokenFile?: string;
  user?: string;
}

export type TargetSpec =
  | { kind: 'group'; id: string }
  | { kind: 'direct'; primary: HostPort; replicas: HostPort[]; reader?: HostPort }
  | { kind: 'config'; file: string };

export { DEFAULTS } from './defaults.js';

/** `SET:GET`, e.g. 1:10, 0:1 (GETs only), 1:0 (SETs only). */
export function parseRatio(raw: string): { sets: number; gets: number } {
  const match = /^\s*(\d{1,4})\s*:\s*(\d{1,4})\s*$/.exec(raw);
  if (!match) throw new UsageError(`--ratio must be SET:GET, two integers 0-9999 such as 1:10 (got ${raw})`);
  const sets = Number(match[1]);
  const gets = Number(match[2]);
  if (sets + gets === 0) throw new UsageError(`--ratio must have at least one SET or GET (got ${raw})`);
  return { sets, gets };
}

/** `host:port` or `[ipv6]:port`. */
export function parseHostPort(flag: string, raw: string): HostPort {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(raw) ?? /^([^:\s]+):(\d+)$/.exec(raw);
  const port = match ? Number(match[2]) : NaN;
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`${flag} must be host:port with a port 1-65535 (got ${raw})`);
  }
  return { host: match[1]!, port };
}

export function parseTargetSpec(id: string | undefined, raw: RawBenchOptions): TargetSpec {
  const ways = [
    id !== undefined ? 'a replication group id' : '',
    raw.primary ? '--primary' : '',
    raw.fromConfig ? '--from-config' : '',
  ].filter(Boolean);
  const replicas = raw.replica ?? [];
  if (!raw.primary && (replicas.length > 0 || raw.reader)) {
    throw new UsageError('--replica and --reader need --primary (or use a group id / --from-config)');
  }
  if (ways.length === 0) {
    throw new UsageError(
      'bench needs a target: a replication group id, --primary host:port [--replica host:port …], or --from-config FILE',
    );
  }
  if (ways.length > 1) throw new UsageError(`give only one target: ${ways.join(' or ')}`);
  if (id !== undefined) {
    return { kind: 'group', id: validateReplicationGroupId(id, 'replication group id') };
  }
  if (raw.fromConfig !== undefined) {
    if (raw.fromConfig.trim() === '') throw new UsageError('--from-config must be a file path');
    return { kind: 'config', file: raw.fromConfig };
  }
  return {
    kind: 'direct',
    primary: parseHostPort('--primary', raw.primary!),
    replicas: replicas.map((r) => parseHostPort('--replica', r)),
    ...(raw.reader ? { reader: parseHostPort('--reader', raw.reader) } : {}),
  };
}

/**
 * The settings of a run: defaults applied, and the rules between flags checked (each
 * number and choice was checked alone by its argParser, src/commands/bench.ts).
 */
export function parseSettings(raw: RawBenchOptions, runId: string): BenchSettings {
  const clients = raw.clients ?? DEFAULTS.clients;
  // Default: every core, but never more threads than connections per node.
  const threads = raw.threads ?? Math.min(availableParallelism(), clients);
  if (threads > clients) throw new UsageError(`--threads must be at most --clients (${clients}) (got ${threads})`);
  const pipeline = raw.pipeline ?? DEFAULTS.pipeline;
  const { sets, gets } = parseRatio(raw.ratio ?? DEFAULTS.ratio);
  const dataSize = raw.dataSize ?? DEFAULTS.dataSize;
  if (pipeline * dataSize > 64 * 1_048_576) {
    throw new UsageError(
      `--pipeline × --data-size must be at most 64 MiB per connection (got ${pipeline} × ${dataSize} bytes)`,
    );
  }
  const keyMaximum = raw.keyMaximum ?? DEFAULTS.keyMaximum;
  const keyPattern = raw.keyPattern ?? DEFAULTS.keyPattern;
  const readFrom = raw.readFrom ?? DEFAULTS.readFrom;
  if (raw.testTime !== undefined && raw.requests !== undefined) {
    throw new UsageError('give --test-time or --requests, not both');
  }
  const testTimeS = raw.testTime ?? DEFAULTS.testTime;
  const requests = raw.requests;
  const rate = raw.rate ?? 0;
  const warmupS = raw.warmup ?? DEFAULTS.warmup;
  const lagProbes = raw.lagProbes ?? DEFAULTS.lagProbes;
  const basePrefix = raw.keyPrefix ?? 'eck:bench:';
  if (basePrefix.length < 4 || basePrefix.length > 100 || /[\s*?[\]\\]/.test(basePrefix)) {
    throw new UsageError(
      `--key-prefix must be 4-100 characters with no spaces or glob characters * ? [ ] \\ (got ${JSON.stringify(basePrefix)})`,
    );
  }
  // The run id always follows the prefix: the cleanup (SCAN MATCH <prefix><run id>:*)
  // can then only ever remove this run's keys, even with a prefix the app also uses.
  const keyPrefix = `${basePrefix}${runId}:`;
  // Keys outlive the run only if the cleanup could not run: then the TTL removes them.
  const expectedS = warmupS + (requests === undefined ? testTimeS : 3600);
  const keyTtlS = raw.keyTtl ?? Math.ceil(expectedS + 300);
  if (keyTtlS < expectedS) {
    throw new UsageError(
      `--key-ttl must be at least the run's length (${Math.ceil(expectedS)} s) so keys do not expire mid-run (got ${keyTtlS})`,
    );
  }
  const requestTimeoutMs = raw.requestTimeout ?? DEFAULTS.requestTimeoutMs;
  const tls = Boolean(raw.tls);
  if (!tls && (raw.ca !== undefined || raw.servername !== undefined || raw.insecure)) {
    const flag = raw.ca !== undefined ? '--ca' : raw.servername !== undefined ? '--servername' : '--insecure';
    throw new UsageError(`${flag} needs --tls`);
  }
  if (raw.insecure && raw.ca !== undefined) throw new UsageError('--insecure and --ca cannot be used together');
  if (raw.authTokenEnv !== undefined && raw.authTokenFile !== undefined) {
    throw new UsageError('give --auth-token-env or --auth-token-file, not both');
  }
  if (raw.authTokenEnv !== undefined) parseEnvVarName(raw.authTokenEnv);
  if (raw.user !== undefined && raw.authTokenEnv === undefined && raw.authTokenFile === undefined) {
    throw new UsageError('--user needs a password: --auth-token-env VAR or --auth-token-file FILE');
  }
  if (raw.hdrOut !== undefined && raw.hdrOut.trim() === '')
    throw new UsageError('--hdr-out must be a file name prefix');
  if (raw.json !== undefined && raw.json.trim() === '') throw new UsageError('--json must be a file path');
  if (raw.hdrLog !== undefined && raw.hdrLog.trim() === '')
    throw new UsageError('--hdr-log must be a file name prefix');
  if (raw.report !== undefined && raw.report.trim() === '')
    throw new UsageError('--report must be a file path (report.html)');
  if (raw.results !== undefined && !/^s3:\/\/[^/\s]+/.test(raw.results)) {
    throw new UsageError(`--results must be s3://bucket/prefix (got ${raw.results})`);
  }
  const startAtMs = raw.startAt;
  return {
    clients,
    threads,
    pipeline,
    sets,
    gets,
    dataSize,
    keyMaximum,
    keyPattern,
    readFrom,
    testTimeS,
    ...(requests !== undefined ? { requests } : {}),
    rate,
    warmupS,
    lagProbes,
    keyPrefix,
    keyTtlS,
    requestTimeoutMs,
    ...(raw.hdrOut !== undefined ? { hdrOut: raw.hdrOut } : {}),
    ...(raw.json !== undefined ? { jsonFile: raw.json } : {}),
    ...(raw.report !== undefined ? { reportFile: raw.report } : {}),
    ...(raw.hdrLog !== undefined ? { hdrLog: raw.hdrLog } : {}),
    ...(startAtMs !== undefined ? { startAtMs } : {}),
    tls,
    ...(raw.ca !== undefined ? { ca: raw.ca } : {}),
    ...(raw.servername !== undefined ? { servername: raw.servername } : {}),
    insecure: Boolean(raw.insecure),
    ...(raw.authTokenEnv !== undefined ? { authTokenEnv: raw.authTokenEnv } : {}),
    ...(raw.authTokenFile !== undefined ? { authTokenFile: raw.authTokenFile } : {}),
    ...(raw.user !== undefined ? { user: raw.user } : {}),
  };
}
