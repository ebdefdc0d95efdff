/**
 * The controller's pure side of a distributed bench: which instances (`--workers`), where
 * results go (`--results s3://bucket/prefix`), and the one shell command every worker
 * runs. No I/O.
 */
import { quoteShell } from '../../config/formats/shell.js';
import { UsageError } from '../../errors.js';
import type { RawBenchOptions } from '../options.js';
import type { LoadNode } from '../workload.js';

export type WorkersSpec = { kind: 'tag'; key: string; value: string } | { kind: 'ids'; ids: string[] };

const INSTANCE_ID = /^(i|mi)-[0-9a-f]{8,17}$/;

/** `tag:Role=bastion` or `i-0abc…,i-0def…`. */
export function parseWorkersSpec(raw: string): WorkersSpec {
  const tag = /^tag:([^=]{1,128})=(.{1,256})$/.exec(raw.trim());
  if (tag) return { kind: 'tag', key: tag[1]!, value: tag[2]! };
  const ids = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length > 0 && ids.every((id) => INSTANCE_ID.test(id))) return { kind: 'ids', ids: [...new Set(ids)] };
  throw new UsageError(`--workers must be tag:Key=Value or instance ids such as i-0abc1234,i-0def5678 (got ${raw})`);
}

export interface S3Location {
  bucket: string;
  /** Without leading or trailing slash; may be empty. */
  prefix: string;
}

export function parseS3Url(flag: string, raw: string): S3Location {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(raw.trim());
  if (!match) throw new UsageError(`${flag} must be s3://bucket/prefix with a valid bucket name (got ${raw})`);
  return { bucket: match[1]!, prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

export function s3Url(location: S3Location, key: string): string {
  return `s3://${location.bucket}/${key}`;
}

/** The key a worker writes its result to. */
export function resultKey(location: S3Location, runId: string, worker: string): string {
  const name = `${runId}-${worker.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
  return location.prefix ? `${location.prefix}/${name}` : name;
}

/** The load flags a worker gets exactly as the controller got them. */
const FORWARDED: Array<[keyof RawBenchOptions, string]> = [
  ['clients', '--clients'],
  ['threads', '--threads'],
  ['pipeline', '--pipeline'],
  ['ratio', '--ratio'],
  ['dataSize', '--data-size'],
  ['keyMaximum', '--key-maximum'],
  ['keyPattern', '--key-pattern'],
  ['readFrom', '--read-from'],
  ['testTime', '--test-time'],
  ['warmup', '--warmup'],
  ['lagProbes', '--lag-probes'],
  ['keyPrefix', '--key-prefix'],
  ['keyTtl', '--key-ttl'],
  ['requestTimeout', '--request-timeout'],
  ['ca', '--ca'],
  ['servername', '--servername'],
  ['authTokenEnv', '--auth-token-env'],
  ['authTokenFile', '--auth-token-file'],
  ['user', '--user'],
];

export interface WorkerCommandInput {
  /** What runs the CLI on the instance: `npx --yes elasticache-kit@<version>` (or the test hook). */
  runner: string;
  region: string;
  nodes: LoadNode[];
  tls: boolean;
  raw: RawBenchOptions;
  startAtMs: number;
  results?: string;
  /** How many workers share the run: --rate and --requests are totals, split among them. */
  workerCount: number;
}

/**
 * One shell command line: the same bench as the controller's, against the nodes the
 * controller resolved (workers need no ElastiCache permission), as a worker that starts
 * its load at the shared time. Never a secret: a token is named by variable or file only.
 */
export function workerCommand(input: WorkerCommandInput): string {
  const args: string[] = ['--region', input.region, 'bench'];
  for (const node of input.nodes) {
    const flag = node.role === 'primary' ? '--primary' : node.id === 'reader' ? '--reader' : '--replica';
    const host = node.address.host.includes(':') ? `[${node.address.host}]` : node.address.host;
    args.push(flag, `${host}:${node.address.port}`);
  }
  if (input.tls) args.push('--tls');
  if (input.raw.insecure) args.push('--insecure');
  for (const [key, flag] of FORWARDED) {
    const value = input.raw[key];
    if (typeof value === 'string' || typeof value === 'number') args.push(flag, String(value));
  }
  // Totals over the whole run: each worker takes its share (rounded up, so never less in total).
  const share = (total: number) => String(Math.ceil(total / input.workerCount));
  if (input.raw.requests !== undefined) args.push('--requests', share(input.raw.requests));
  if (input.raw.rate !== undefined && input.raw.rate !== 0) args.push('--rate', share(input.raw.rate));
  args.push('--worker', '--start-at', String(input.startAtMs));
  if (input.results !== undefined) args.push('--results', input.results);
  // SSM runs the script without HOME (npm needs one for its cache); root is the default user.
  return `export HOME="\${HOME:-/root}"; ${input.runner} ${args.map(quoteShell).join(' ')}`;
}

/**
 * `ELASTICACHE_KIT_WORKER_COMMAND` replaces `npx --yes elasticache-kit@<version>` (a test
 * and local hook: the emulator's instances run this checkout's CLI, e.g.
 * `node /path/to/bin/elasticache-kit.js`).
 */
export function workerRunner(version: string, env: NodeJS.ProcessEnv = process.env): string {
  const hook = env.ELASTICACHE_KIT_WORKER_COMMAND;
  return hook !== undefined && hook.trim() !== '' ? hook.trim() : `npx --yes elasticache-kit@${version}`;
}
