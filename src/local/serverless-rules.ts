/**
 * CreateServerlessCache / ModifyServerlessCache validation, as ElastiCache does it: pure
 * (no processes, no state), so every rule is unit-tested directly. Limits are the
 * service's: DataStorage 1-5,000 GB, ECPUPerSecond 1,000-15,000,000.
 */
import { ApiError, type QueryParams } from './query-protocol.js';
import { checkIdentifier, parseTags, range } from './replication-group-rules.js';
import type { EngineName } from './engine-versions.js';
import type { CacheUsageLimits, Tag } from './state.js';

export const DATA_STORAGE_GB = { min: 1, max: 5000 } as const;
export const ECPU_PER_SECOND = { min: 1000, max: 15_000_000 } as const;

/** The major versions serverless offers per engine; the last is the default. */
export const SERVERLESS_MAJOR_VERSIONS: Record<EngineName, readonly string[]> = {
  redis: ['7'],
  valkey: ['7', '8'],
};

export interface CreateServerlessSpec {
  name: string;
  engine: EngineName;
  majorEngineVersion: string;
  description: string;
  cacheUsageLimits?: CacheUsageLimits;
  kmsKeyId?: string;
  securityGroupIds: string[];
  subnetIds: string[];
  userGroupId?: string;
  tags: Tag[];
  snapshotRetentionLimit: number;
  dailySnapshotTime: string;
}

export interface ModifyServerlessSpec {
  name: string;
  description?: string;
  cacheUsageLimits?: CacheUsageLimits;
  /** A new user group, or `null` for RemoveUserGroup; undefined leaves it as is. */
  userGroupId?: string | null;
  securityGroupIds?: string[];
  snapshotRetentionLimit?: number;
  dailySnapshotTime?: string;
  engine?: EngineName;
  majorEngineVersion?: string;
}

export function checkServerlessCacheName(raw: string | undefined): string {
  return checkIdentifier(raw, 'ServerlessCacheName', 'Serverless cache name');
}

function parseEngine(raw: string): EngineName {
  const engine = raw.toLowerCase();
  if (engine === 'redis' || engine === 'valkey') return engine;
  if (engine === 'memcached') {
    throw new ApiError('InvalidParameterValue', 'Serverless memcached caches are not supported by the local emulator.');
  }
  throw new ApiError('InvalidParameterValue', `Invalid engine ${raw}: must be valkey, redis or memcached.`);
}

function parseMajorVersion(engine: EngineName, raw: string | undefined): string {
  const versions = SERVERLESS_MAJOR_VERSIONS[engine];
  if (raw === undefined) return versions.at(-1)!;
  if (!versions.includes(raw)) {
    throw new ApiError(
      'InvalidParameterValue',
      `MajorEngineVersion ${raw} is not supported for ${engine} serverless caches (supported: ${versions.join(', ')}).`,
    );
  }
  return raw;
}

/** `CacheUsageLimits.*`: undefined when none is given. */
export function parseCacheUsageLimits(params: QueryParams): CacheUsageLimits | undefined {
  const limits = params.scope('CacheUsageLimits');
  const storage = limits.scope('DataStorage');
  const ecpu = limits.scope('ECPUPerSecond');
  const hasStorage = ['Unit', 'Maximum', 'Minimum'].some((name) => storage.has(name));
  const hasEcpu = ['Maximum', 'Minimum'].some((name) => ecpu.has(name));
  if (!hasStorage && !hasEcpu) return undefined;
  const result: CacheUsageLimits = {};
  if (hasStorage) {
    const unit = storage.string('Unit');
    if (unit === undefined)
      throw new ApiError('InvalidParameterValue', 'CacheUsageLimits.DataStorage.Unit is required.');
    if (unit !== 'GB')
      throw new ApiError('InvalidParameterValue', `CacheUsageLimits.DataStorage.Unit must be GB (got ${unit}).`);
    const maximum = range(storage, 'Maximum', DATA_STORAGE_GB.min, DATA_STORAGE_GB.max);
    const minimum = range(storage, 'Minimum', DATA_STORAGE_GB.min, DATA_STORAGE_GB.max);
    if (maximum === undefined && minimum === undefined) {
      throw new ApiError('InvalidParameterCombination', 'CacheUsageLimits.DataStorage needs a Maximum or a Minimum.');
    }
    checkOrder(minimum, maximum, 'CacheUsageLimits.DataStorage');
    result.dataStorage = { unit: 'GB', maximum, minimum };
  }
  if (hasEcpu) {
    const maximum = range(ecpu, 'Maximum', ECPU_PER_SECOND.min, ECPU_PER_SECOND.max);
    const minimum = range(ecpu, 'Minimum', ECPU_PER_SECOND.min, ECPU_PER_SECOND.max);
    checkOrder(minimum, maximum, 'CacheUsageLimits.ECPUPerSecond');
    result.ecpuPerSecond = { maximum, minimum };
  }
  return result;
}

function checkOrder(minimum: number | undefined, maximum: number | undefined, name: string): void {
  if (minimum !== undefined && maximum !== undefined && minimum > maximum) {
    throw new ApiError(
      'InvalidParameterCombination',
      `${name}.Minimum (${minimum}) must not be greater than ${name}.Maximum (${maximum}).`,
    );
  }
}

function parseSnapshotTime(params: QueryParams): string | undefined {
  const raw = params.string('DailySnapshotTime');
  if (raw === undefined) return undefined;
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(raw))
    throw new ApiError('InvalidParameterValue', `DailySnapshotTime must be HH:MM in UTC (got ${raw}).`);
  return raw;
}

export function parseCreateServerlessCache(params: QueryParams): CreateServerlessSpec {
  const name = checkServerlessCacheName(params.string('ServerlessCacheName'));
  const engine = parseEngine(params.required('Engine'));
  if (params.list('SnapshotArnsToRestore.SnapshotArn').length > 0) {
    throw new ApiError(
      'InvalidParameterValue',
      'Restoring snapshots (SnapshotArnsToRestore) is not supported by the local emulator.',
    );
  }
  const description = params.string('Description') ?? '';
  if (description.length > 255)
    throw new ApiError('InvalidParameterValue', 'Description must be at most 255 characters long.');
  const userGroupId = params.string('UserGroupId');
  return {
    name,
    engine,
    majorEngineVersion: parseMajorVersion(engine, params.string('MajorEngineVersion')),
    description,
    cacheUsageLimits: parseCacheUsageLimits(params),
    kmsKeyId: params.string('KmsKeyId') || undefined,
    securityGroupIds: [...new Set(params.list('SecurityGroupIds.SecurityGroupId'))],
    subnetIds: [...new Set(params.list('SubnetIds.SubnetId'))],
    userGroupId: userGroupId ? userGroupId.toLowerCase() : undefined,
    tags: parseTags(params.structs('Tags.Tag')),
    snapshotRetentionLimit: range(params, 'SnapshotRetentionLimit', 0, 35) ?? 0,
    dailySnapshotTime: parseSnapshotTime(params) ?? '04:00',
  };
}

export function parseModifyServerlessCache(params: QueryParams): ModifyServerlessSpec {
  const name = checkServerlessCacheName(params.string('ServerlessCacheName'));
  const remove = params.boolean('RemoveUserGroup') ?? false;
  const userGroupId = params.string('UserGroupId');
  if (remove && userGroupId) {
    throw new ApiError('InvalidParameterCombination', 'RemoveUserGroup and UserGroupId cannot be given together.');
  }
  const engine = params.string('Engine') !== undefined ? parseEngine(params.string('Engine')!) : undefined;
  const rawMajor = params.string('MajorEngineVersion');
  const description = params.string('Description');
  if (description !== undefined && description.length > 255)
    throw new ApiError('InvalidParameterValue', 'Description must be at most 255 characters long.');
  const securityGroupIds = params.list('SecurityGroupIds.SecurityGroupId');
  return {
    name,
    description,
    cacheUsageLimits: parseCacheUsageLimits(params),
    userGroupId: remove ? null : userGroupId ? userGroupId.toLowerCase() : undefined,
    securityGroupIds: securityGroupIds.length > 0 ? [...new Set(securityGroupIds)] : undefined,
    snapshotRetentionLimit: range(params, 'SnapshotRetentionLimit', 0, 35),
    dailySnapshotTime: parseSnapshotTime(params),
    engine,
    majorEngineVersion: rawMajor,
  };
}
