/**
 * The ServerlessPlan: every setting of a serverless cache (`create-cluster --serverless`)
 * resolved from flags or prompt answers, with AWS's limits, so a plan that resolves is one
 * CreateServerlessCache accepts. Node-based settings (node type, replicas, port, Multi-AZ,
 * subnet groups, AUTH tokens) do not exist for a serverless cache: naming one is exit 2,
 * as is naming a serverless-only setting without --serverless. Pure: no I/O.
 */
import { UsageError } from '../errors.js';
import { parseInteger } from '../flags.js';
import { DATA_STORAGE_GB, ECPU_PER_SECOND } from './limits.js';
import { DEFAULTS, resolveAccess, type NetworkAccess } from './cluster-plan.js';
import {
  parseAllowFrom,
  parseDescription,
  parseEngine,
  parseSecurityGroupIds,
  parseSubnetIds,
  parseTags,
  parseWaitTimeout,
  validateReplicationGroupId,
  type Engine,
  type Tag,
} from './rules.js';
import { groupedNumber } from '../ui/numbers.js';

/** The two ports of every serverless cache: the endpoint and the reader endpoint. */
export const SERVERLESS_PORTS = { endpoint: 6379, reader: 6380 } as const;

/** AWS's limits for CacheUsageLimits (GB of data; ECPUs per second). */
export { DATA_STORAGE_GB, ECPU_PER_SECOND } from './limits.js';

export const SERVERLESS_DEFAULTS = {
  // The console's default engine for a serverless cache.
  engine: 'valkey' as Engine,
};

/** The raw serverless settings as commander and the prompts deliver them. */
export interface ServerlessInput {
  id?: string;
  engine?: string;
  majorEngineVersion?: string;
  description?: string;
  maxDataStorage?: string | number;
  minDataStorage?: string | number;
  maxEcpuPerSecond?: string | number;
  minEcpuPerSecond?: string | number;
  subnets?: string;
  securityGroup?: string;
  allowFrom?: string;
  userGroup?: string;
  tags?: string[];
  waitTimeout?: string | number;
}

export interface ServerlessPlan {
  name: string;
  description: string;
  engine: Engine;
  /** Undefined: AWS's newest major version for the engine. */
  majorEngineVersion?: string;
  dataStorageGb: { max?: number; min?: number };
  ecpuPerSecond: { max?: number; min?: number };
  /** Undefined: the default VPC's subnets, chosen by AWS. */
  subnetIds?: string[];
  access: NetworkAccess;
  userGroupId?: string;
  tags: Tag[];
  waitTimeoutMinutes: number;
  /** The settings the user chose; an existing cache is compared on these (and the engine). */
  explicit: ReadonlySet<keyof ServerlessInput>;
}

/**
 * Flags (commander's camelCase names) that only a node-based group has, with the text of
 * the flag for messages. A serverless cache has no nodes, one port pair, TLS and at-rest
 * encryption always on, and RBAC user groups instead of an AUTH token.
 */
export const NODE_BASED_ONLY: ReadonlyArray<[key: string, flag: string, instead?: string]> = [
  ['nodeType', '--node-type', 'a serverless cache has no nodes; set --max-ecpu-per-second / --max-data-storage'],
  ['replicas', '--replicas', 'a serverless cache replicates across zones by itself'],
  ['shards', '--shards', 'a serverless cache shards by itself'],
  ['clusterMode', '--cluster-mode', 'a serverless cache always speaks the cluster protocol'],
  ['port', '--port', `a serverless cache listens on ${SERVERLESS_PORTS.endpoint} and ${SERVERLESS_PORTS.reader}`],
  ['multiAz', '--multi-az/--no-multi-az', 'a serverless cache is always spread over zones'],
  ['automaticFailover', '--automatic-failover/--no-automatic-failover', 'a serverless cache fails over by itself'],
  ['vpc', '--vpc', 'pass --subnets; their VPC is the cache’s'],
  ['subnetGroup', '--subnet-group', 'a serverless cache takes --subnets directly'],
  ['engineVersion', '--engine-version', 'use --major-engine-version'],
  ['transitEncryption', '--transit-encryption/--no-transit-encryption', 'a serverless cache always uses TLS'],
  [
    'atRestEncryption',
    '--at-rest-encryption/--no-at-rest-encryption',
    'a serverless cache is always encrypted at rest',
  ],
  ['authTokenEnv', '--auth-token-env', 'a serverless cache authenticates users of --user-group'],
  ['authTokenFile', '--auth-token-file', 'a serverless cache authenticates users of --user-group'],
  ['authTokenPrompt', '--auth-token-prompt', 'a serverless cache authenticates users of --user-group'],
];

/** Serverless-only flags (camelCase key, flag text). */
export const SERVERLESS_ONLY: ReadonlyArray<[key: string, flag: string]> = [
  ['majorEngineVersion', '--major-engine-version'],
  ['maxDataStorage', '--max-data-storage'],
  ['minDataStorage', '--min-data-storage'],
  ['maxEcpuPerSecond', '--max-ecpu-per-second'],
  ['minEcpuPerSecond', '--min-ecpu-per-second'],
  ['userGroup', '--user-group'],
];

const given = (options: Record<string, unknown>, key: string) => options[key] !== undefined;

/** With --serverless: exit 2 naming every node-based flag that was given. */
export function refuseNodeBasedFlags(options: Record<string, unknown>): void {
  const found = NODE_BASED_ONLY.filter(([key]) => given(options, key));
  if (found.length === 0) return;
  const [, flag, instead] = found[0]!;
  const all = found.map(([, f]) => f).join(', ');
  throw new UsageError(
    `${found.length === 1 ? flag : all} cannot be used with --serverless: ${found.length === 1 ? instead : 'they are node-based settings'} (drop ${found.length === 1 ? 'it' : 'them'}, or drop --serverless for a node-based group)`,
  );
}

/** Without --serverless: exit 2 naming the serverless-only flags that were given. */
export function refuseServerlessOnlyFlags(options: Record<string, unknown>): void {
  const found = SERVERLESS_ONLY.filter(([key]) => given(options, key)).map(([, flag]) => flag);
  if (found.length === 0) return;
  throw new UsageError(
    `${found.join(', ')} only ${found.length === 1 ? 'applies' : 'apply'} to a serverless cache: add --serverless (or drop ${found.length === 1 ? 'it' : 'them'} for a node-based group)`,
  );
}

/** Does any flag say which kind the user wants? ('serverless', 'node-based' or undefined: ask.) */
export function kindFromFlags(options: Record<string, unknown>): 'serverless' | 'node-based' | undefined {
  if (options.serverless === true) return 'serverless';
  if (NODE_BASED_ONLY.some(([key]) => given(options, key))) return 'node-based';
  return undefined;
}

export function parseMajorEngineVersion(value: string): string {
  if (!/^\d{1,2}$/.test(value.trim())) {
    throw new UsageError(`--major-engine-version must be a major version number such as 7 or 8 (got ${value})`);
  }
  return value.trim();
}

export const parseDataStorage = (flag: string, value: string | number) => parseInteger(flag, value, DATA_STORAGE_GB);

export const parseEcpu = (flag: string, value: string | number) => parseInteger(flag, value, ECPU_PER_SECOND);

/** UserGroupId: 1-40 letters, digits or hyphens, starting with a letter (stored lower-case). */
export function parseUserGroupId(value: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,39}$/.test(value) || value.includes('--') || value.endsWith('-')) {
    throw new UsageError(
      `--user-group must be a user group id: 1-40 letters, digits or hyphens, starting with a letter, no "--" or trailing hyphen (got ${value === '' ? '""' : value})`,
    );
  }
  return value.toLowerCase();
}

/** What a non-interactive run must be given. */
export function missingServerless(input: ServerlessInput): string[] {
  const missing: string[] = [];
  if (input.id === undefined) missing.push('<id> (the serverless cache name, e.g. create-cluster demo --serverless)');
  if (input.securityGroup === undefined && input.allowFrom === undefined)
    missing.push('--allow-from <sg-id|CIDR> or --security-group <sg-id> (who may connect)');
  return missing;
}

/** Every given value checked alone (the first bad one throws). */
export function validateServerlessGiven(input: ServerlessInput): void {
  if (input.id !== undefined) validateReplicationGroupId(input.id);
  if (input.engine !== undefined) parseEngine(input.engine);
  if (input.majorEngineVersion !== undefined) parseMajorEngineVersion(input.majorEngineVersion);
  if (input.description !== undefined) parseDescription(input.description);
  if (input.maxDataStorage !== undefined) parseDataStorage('--max-data-storage', input.maxDataStorage);
  if (input.minDataStorage !== undefined) parseDataStorage('--min-data-storage', input.minDataStorage);
  if (input.maxEcpuPerSecond !== undefined) parseEcpu('--max-ecpu-per-second', input.maxEcpuPerSecond);
  if (input.minEcpuPerSecond !== undefined) parseEcpu('--min-ecpu-per-second', input.minEcpuPerSecond);
  if (input.subnets !== undefined) parseSubnetIds(input.subnets);
  if (input.securityGroup !== undefined) parseSecurityGroupIds(input.securityGroup);
  if (input.allowFrom !== undefined) parseAllowFrom(input.allowFrom);
  if (input.userGroup !== undefined) parseUserGroupId(input.userGroup);
  if (input.tags !== undefined) parseTags(input.tags);
  if (input.waitTimeout !== undefined) parseWaitTimeout(input.waitTimeout);
  if (input.securityGroup !== undefined && input.allowFrom !== undefined) {
    throw new UsageError(
      '--security-group and --allow-from cannot be used together: reuse existing security groups, or let the tool create one for --allow-from',
    );
  }
}

/** Every setting resolved, combinations included. Throws UsageError; returns warnings. */
export function resolveServerlessPlan(input: ServerlessInput): { plan: ServerlessPlan; warnings: string[] } {
  validateServerlessGiven(input);
  const warnings: string[] = [];
  if (input.id === undefined)
    throw new UsageError('missing the serverless cache name: create-cluster <id> --serverless');
  const name = validateReplicationGroupId(input.id);
  const engine = input.engine !== undefined ? parseEngine(input.engine) : SERVERLESS_DEFAULTS.engine;
  const dataStorageGb = {
    ...(input.maxDataStorage !== undefined
      ? { max: parseDataStorage('--max-data-storage', input.maxDataStorage) }
      : {}),
    ...(input.minDataStorage !== undefined
      ? { min: parseDataStorage('--min-data-storage', input.minDataStorage) }
      : {}),
  };
  const ecpuPerSecond = {
    ...(input.maxEcpuPerSecond !== undefined
      ? { max: parseEcpu('--max-ecpu-per-second', input.maxEcpuPerSecond) }
      : {}),
    ...(input.minEcpuPerSecond !== undefined
      ? { min: parseEcpu('--min-ecpu-per-second', input.minEcpuPerSecond) }
      : {}),
  };
  if (dataStorageGb.max !== undefined && dataStorageGb.min !== undefined && dataStorageGb.min > dataStorageGb.max) {
    throw new UsageError(
      `--min-data-storage (${dataStorageGb.min} GB) must not exceed --max-data-storage (${dataStorageGb.max} GB)`,
    );
  }
  if (ecpuPerSecond.max !== undefined && ecpuPerSecond.min !== undefined && ecpuPerSecond.min > ecpuPerSecond.max) {
    throw new UsageError(
      `--min-ecpu-per-second (${ecpuPerSecond.min}) must not exceed --max-ecpu-per-second (${ecpuPerSecond.max})`,
    );
  }

  const access = resolveAccess(input, `ports ${SERVERLESS_PORTS.endpoint} and ${SERVERLESS_PORTS.reader}`, warnings);
  const explicit = new Set(
    (Object.keys(input) as Array<keyof ServerlessInput>).filter((key) => input[key] !== undefined),
  );
  const plan: ServerlessPlan = {
    name,
    description: input.description !== undefined ? parseDescription(input.description) : DEFAULTS.description(name),
    engine,
    ...(input.majorEngineVersion !== undefined
      ? { majorEngineVersion: parseMajorEngineVersion(input.majorEngineVersion) }
      : {}),
    dataStorageGb,
    ecpuPerSecond,
    ...(input.subnets !== undefined ? { subnetIds: parseSubnetIds(input.subnets) } : {}),
    access,
    ...(input.userGroup !== undefined ? { userGroupId: parseUserGroupId(input.userGroup) } : {}),
    tags: parseTags(input.tags ?? []),
    waitTimeoutMinutes:
      input.waitTimeout !== undefined ? parseWaitTimeout(input.waitTimeout) : DEFAULTS.waitTimeoutMinutes,
    explicit,
  };
  return { plan, warnings };
}

/** The CacheUsageLimits of the request (absent when no limit was asked for). */
export function usageLimits(plan: ServerlessPlan): Record<string, unknown> | undefined {
  const data = plan.dataStorageGb;
  const ecpu = plan.ecpuPerSecond;
  const hasData = data.max !== undefined || data.min !== undefined;
  const hasEcpu = ecpu.max !== undefined || ecpu.min !== undefined;
  if (!hasData && !hasEcpu) return undefined;
  return {
    ...(hasData
      ? {
          DataStorage: {
            ...(data.max !== undefined ? { Maximum: data.max } : {}),
            ...(data.min !== undefined ? { Minimum: data.min } : {}),
            Unit: 'GB',
          },
        }
      : {}),
    ...(hasEcpu
      ? {
          ECPUPerSecond: {
            ...(ecpu.max !== undefined ? { Maximum: ecpu.max } : {}),
            ...(ecpu.min !== undefined ? { Minimum: ecpu.min } : {}),
          },
        }
      : {}),
  };
}

/** The limits in words, for the review and the differences. */
export function describeLimits(plan: Pick<ServerlessPlan, 'dataStorageGb' | 'ecpuPerSecond'>): string {
  const range = (limit: { max?: number; min?: number }, unit: string) =>
    limit.max === undefined && limit.min === undefined
      ? 'no limit'
      : `${limit.min !== undefined ? `min ${groupedNumber(limit.min)} ` : ''}${limit.max !== undefined ? `max ${groupedNumber(limit.max)} ` : ''}${unit}`.trim();
  return `data ${range(plan.dataStorageGb, 'GB')}; ${range(plan.ecpuPerSecond, 'ECPU/s')}`;
}
