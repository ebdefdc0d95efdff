/**
 * CreateReplicationGroup's validation, as ElastiCache does it, for cluster-mode-disabled
 * groups: pure (no processes, no state), so every rule is unit-tested directly. Error codes
 * and wording follow the service; the request's AUTH token never appears in a message.
 */
import { ApiError, type QueryParams } from './query-protocol.js';
import { availabilityZones } from './ec2-network.js';
import type { Tag } from './state.js';
import { planShards, wantsClusterMode, type ClusterShardPlan } from './cluster-rules.js';
import { engineVersionKnown, type EngineName } from './engine-versions.js';
import { parseNodeType } from '../plan/node-types.js';

export interface CreateGroupSpec {
  /** Cluster mode enabled: one entry per shard; undefined for cluster mode disabled. */
  shards?: ClusterShardPlan[];
  id: string;
  description: string;
  nodeIds: string[];
  /** One availability zone per node, in node order. */
  availabilityZones: string[];
  engine: EngineName;
  requestedEngineVersion?: string;
  cacheNodeType: string;
  automaticFailover: boolean;
  multiAZ: boolean;
  cacheSubnetGroupName?: string;
  securityGroupIds: string[];
  transitEncryption: boolean;
  transitEncryptionMode?: 'preferred' | 'required';
  atRestEncryption: boolean;
  authToken?: string;
  tags: Tag[];
  snapshotRetentionLimit: number;
  snapshotWindow: string;
  maintenanceWindow: string;
  autoMinorVersionUpgrade: boolean;
}

export const MAX_NODES = 6;
export const DEFAULT_NODE_TYPE = 'cache.t4g.micro';

/** ElastiCache's identifier rule: 1-40 letters, digits or hyphens, a letter first, no `--`, no trailing hyphen. */
export function checkReplicationGroupId(raw: string | undefined): string {
  return checkIdentifier(raw, 'ReplicationGroupId', 'Replication group id');
}

/** The identifier rule for any ElastiCache name (`label` starts the message); returns it lowercased. */
export function checkIdentifier(raw: string | undefined, parameter: string, label: string): string {
  if (raw === undefined || raw === '') {
    throw new ApiError('InvalidParameterValue', `The parameter ${parameter} must be provided and must not be blank.`);
  }
  const problem =
    raw.length > 40
      ? 'must be at most 40 characters long'
      : !/^[A-Za-z]/.test(raw)
        ? 'must begin with a letter'
        : !/^[A-Za-z0-9-]+$/.test(raw)
          ? 'must contain only ASCII letters, digits, and hyphens'
          : raw.includes('--')
            ? 'must not contain two consecutive hyphens'
            : raw.endsWith('-')
              ? 'must not end with a hyphen'
              : undefined;
  if (problem) {
    throw new ApiError('InvalidParameterValue', `${label} ${problem} (got ${JSON.stringify(raw)}).`);
  }
  return raw.toLowerCase();
}

/**
 * AWS's AUTH token rule: 16-128 printable ASCII characters; the only non-alphanumeric
 * characters allowed are ! & # $ ^ < > -. The message never echoes the token.
 */
export function checkAuthToken(token: string): void {
  if (token.length < 16 || token.length > 128) {
    throw new ApiError(
      'InvalidParameterValue',
      'Invalid AuthToken provided: it must be at least 16 and no more than 128 characters long.',
    );
  }
  if (!/^[A-Za-z0-9!&#$^<>-]+$/.test(token)) {
    throw new ApiError(
      'InvalidParameterValue',
      'Invalid AuthToken provided: it must contain only printable ASCII characters, and the only non-alphanumeric characters allowed are ! & # $ ^ < > -.',
    );
  }
}

/**
 * A node type ElastiCache offers today (the CLI's table, src/plan/node-types.ts): AWS answers
 * InvalidParameterValue for a made-up one and for retired families (cache.m1.small…).
 */
export function checkCacheNodeType(nodeType: string): string {
  const info = parseNodeType(nodeType);
  if (!info?.known || info.retired) {
    throw new ApiError(
      'InvalidParameterValue',
      info?.retired
        ? `Invalid CacheNodeType ${nodeType}: the ${info.family} family is retired and can no longer be created.`
        : `Invalid CacheNodeType ${nodeType}: not a node type ElastiCache offers (e.g. cache.t4g.micro, cache.r7g.large).`,
    );
  }
  return nodeType;
}

export function parseTags(structs: QueryParams[]): Tag[] {
  const tags = structs.map((tag) => ({ Key: tag.string('Key') ?? '', Value: tag.string('Value') ?? '' }));
  if (tags.length > 50) throw new ApiError('TagQuotaPerResourceExceeded', 'A resource can have at most 50 tags.');
  for (const tag of tags) {
    if (tag.Key === '' || tag.Key.length > 128)
      throw new ApiError('InvalidParameterValue', 'Tag keys must be 1-128 characters long.');
    if (tag.Value.length > 256)
      throw new ApiError('InvalidParameterValue', `The value of tag ${tag.Key} must be at most 256 characters long.`);
    if (tag.Key.toLowerCase().startsWith('aws:'))
      throw new ApiError('InvalidParameterValue', `Tag keys may not start with aws: (got ${tag.Key}).`);
  }
  return tags;
}

export function range(params: QueryParams, name: string, min: number, max: number): number | undefined {
  const value = params.integer(name);
  if (value !== undefined && (value < min || value > max)) {
    throw new ApiError(
      'InvalidParameterValue',
      `The parameter ${name} must be between ${min} and ${max} (got ${value}).`,
    );
  }
  return value;
}

export function parseCreateReplicationGroup(params: QueryParams, region: string): CreateGroupSpec {
  const id = checkReplicationGroupId(params.string('ReplicationGroupId'));
  const description = params.string('ReplicationGroupDescription') ?? params.string('Description');
  if (!description) {
    throw new ApiError(
      'InvalidParameterValue',
      'The parameter ReplicationGroupDescription must be provided and must not be blank.',
    );
  }

  // Cluster mode enabled: its own shard plan (cluster-rules.ts); the rest is shared.
  const shards = wantsClusterMode(params) ? planShards(params, id, availabilityZones(region)) : undefined;

  const numCacheClusters = range(params, 'NumCacheClusters', 1, MAX_NODES);
  const replicasPerNodeGroup = range(params, 'ReplicasPerNodeGroup', 0, MAX_NODES - 1);
  if (
    !shards &&
    numCacheClusters !== undefined &&
    replicasPerNodeGroup !== undefined &&
    numCacheClusters !== replicasPerNodeGroup + 1
  ) {
    throw new ApiError(
      'InvalidParameterCombination',
      'NumCacheClusters and ReplicasPerNodeGroup disagree: NumCacheClusters must be ReplicasPerNodeGroup + 1.',
    );
  }
  const nodeCount = shards
    ? shards.reduce((sum, shard) => sum + shard.memberIds.length, 0)
    : (numCacheClusters ?? (replicasPerNodeGroup !== undefined ? replicasPerNodeGroup + 1 : 1));

  const automaticFailover = params.boolean('AutomaticFailoverEnabled') ?? false;
  const multiAZ = params.boolean('MultiAZEnabled') ?? false;
  // Cluster mode enabled requires automatic failover, replicas or not (a one-shard, no-replica cluster is valid).
  if (automaticFailover && nodeCount < 2 && !shards) {
    throw new ApiError(
      'InvalidParameterCombination',
      'Automatic failover needs at least one replica: NumCacheClusters must be at least 2 when AutomaticFailoverEnabled is true.',
    );
  }
  if (multiAZ && !automaticFailover) {
    throw new ApiError('InvalidParameterCombination', 'MultiAZEnabled requires AutomaticFailoverEnabled to be true.');
  }

  const zones = availabilityZones(region);
  const preferred = params.list('PreferredCacheClusterAZs.AvailabilityZone');
  if (preferred.length > 0 && preferred.length !== nodeCount) {
    throw new ApiError(
      'InvalidParameterCombination',
      `PreferredCacheClusterAZs lists ${preferred.length} zones but the group has ${nodeCount} nodes; give one zone per node.`,
    );
  }
  for (const zone of preferred) {
    if (!zones.includes(zone)) {
      throw new ApiError(
        'InvalidParameterValue',
        `${zone} is not an availability zone of ${region} (valid: ${zones.join(', ')}).`,
      );
    }
  }

  const engineRaw = (params.string('Engine') ?? 'redis').toLowerCase();
  if (engineRaw !== 'redis' && engineRaw !== 'valkey') {
    throw new ApiError(
      'InvalidParameterValue',
      `Invalid engine ${engineRaw} for a replication group (valid: redis, valkey).`,
    );
  }
  const engine = engineRaw as EngineName;
  const requestedEngineVersion = params.string('EngineVersion');
  if (requestedEngineVersion !== undefined && !engineVersionKnown(engine, requestedEngineVersion)) {
    throw new ApiError('InvalidParameterCombination', `Cannot find version ${requestedEngineVersion} for ${engine}`);
  }

  const cacheNodeType = checkCacheNodeType(params.string('CacheNodeType') ?? DEFAULT_NODE_TYPE);
  range(params, 'Port', 1, 65535);

  const transitEncryption = params.boolean('TransitEncryptionEnabled') ?? false;
  const modeRaw = params.string('TransitEncryptionMode');
  let transitEncryptionMode: 'preferred' | 'required' | undefined;
  if (modeRaw !== undefined) {
    if (modeRaw !== 'preferred' && modeRaw !== 'required') {
      throw new ApiError(
        'InvalidParameterValue',
        `Invalid value for TransitEncryptionMode: ${modeRaw} (valid: preferred, required).`,
      );
    }
    if (!transitEncryption) {
      throw new ApiError(
        'InvalidParameterCombination',
        'TransitEncryptionMode can only be specified when TransitEncryptionEnabled is true.',
      );
    }
    transitEncryptionMode = modeRaw;
  } else if (transitEncryption) {
    transitEncryptionMode = 'required'; // AWS's default for a new group with TLS on
  }
  const authToken = params.string('AuthToken');
  if (authToken !== undefined) {
    // AWS checks the combination before the token's form.
    if (!transitEncryption) {
      throw new ApiError(
        'InvalidParameterCombination',
        'The AuthToken parameter can only be used when TransitEncryptionEnabled is set to true.',
      );
    }
    checkAuthToken(authToken);
  }

  return {
    id,
    description,
    shards,
    nodeIds: shards
      ? shards.flatMap((shard) => shard.memberIds)
      : Array.from({ length: nodeCount }, (_, index) => `${id}-${String(index + 1).padStart(3, '0')}`),
    availabilityZones:
      shards && preferred.length === 0
        ? shards.flatMap((shard) => shard.availabilityZones)
        : preferred.length > 0
          ? preferred
          : Array.from({ length: nodeCount }, (_, index) => zones[index % zones.length]!),
    engine,
    requestedEngineVersion,
    cacheNodeType,
    automaticFailover,
    multiAZ,
    cacheSubnetGroupName: params.string('CacheSubnetGroupName')?.toLowerCase(),
    securityGroupIds: params.list('SecurityGroupIds.SecurityGroupId'),
    transitEncryption,
    transitEncryptionMode,
    atRestEncryption: params.boolean('AtRestEncryptionEnabled') ?? false,
    authToken,
    tags: parseTags(params.structs('Tags.Tag')),
    snapshotRetentionLimit: range(params, 'SnapshotRetentionLimit', 0, 35) ?? 0,
    snapshotWindow: params.string('SnapshotWindow') ?? '05:00-06:00',
    maintenanceWindow: params.string('PreferredMaintenanceWindow') ?? 'sun:23:00-mon:01:30',
    autoMinorVersionUpgrade: params.boolean('AutoMinorVersionUpgrade') ?? true,
  };
}
