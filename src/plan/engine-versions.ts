/**
 * Choosing and checking the engine version against what DescribeCacheEngineVersions
 * offers. Pure: the list is passed in.
 */
import { UsageError } from '../errors.js';
import type { Engine } from './rules.js';

/**
 * What ElastiCache offers for node-based groups, newest first, as AWS's "Engine versions and
 * upgrading in ElastiCache" page lists them (checked December 2026): Valkey 7.2-9.1, Redis OSS
 * 4.0.10-7.1. From Valkey 7.2 and Redis OSS 6.0 on there is one version per minor line (`7.1`),
 * older ones are named with their patch. Used where the endpoint does not implement
 * DescribeCacheEngineVersions, and as the local emulator's list.
 */
export const BUILT_IN_ENGINE_VERSIONS: Record<Engine, readonly string[]> = {
  redis: ['7.1', '7.0', '6.2', '6.0', '5.0.6', '4.0.10'],
  valkey: ['9.1', '9.0', '8.2', '8.1', '8.0', '7.2'],
};

/** Numeric comparison of dotted versions: 7.1 > 7.0.15 > 6.2. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const pb = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Newest first, without duplicates. */
export function sortVersions(versions: readonly string[]): string[] {
  return [...new Set(versions)].sort((a, b) => compareVersions(b, a));
}

/** The requested version if offered (exactly, or `7.0` matching an offered `7.0.x`), else the newest. */
export function chooseEngineVersion(engine: Engine, offered: readonly string[], requested?: string): string {
  const sorted = sortVersions(offered);
  if (sorted.length === 0) throw new UsageError(`--engine ${engine}: AWS offers no ${engine} versions in this region`);
  if (requested === undefined) return sorted[0]!;
  if (sorted.includes(requested)) return requested;
  const prefixed = sorted.find((version) => version.startsWith(requested + '.'));
  if (prefixed) return requested;
  throw new UsageError(`--engine-version must be one of ${sorted.join(', ')} for ${engine} (got ${requested})`);
}

/** In-transit and at-rest encryption arrived with Redis 3.2.6, cluster mode with 3.2.4; Valkey always has them. */
export function checkVersionFeatures(
  engine: Engine,
  version: string,
  features: {
    transitEncryption: boolean;
    atRestEncryption: boolean;
    clusterMode?: string;
    shards?: number;
    replicas?: number;
  },
): void {
  if (engine !== 'redis') return;
  if (features.clusterMode === 'compatible' && compareVersions(version, '7.0') < 0)
    throw new UsageError(`--cluster-mode compatible needs redis 7.0 or newer (got --engine-version ${version})`);
  const nodes = (features.shards ?? 1) * ((features.replicas ?? 0) + 1);
  // AWS: a quota above 90 nodes per cluster applies from Redis OSS 5.0.6 (any Valkey).
  if (
    features.clusterMode !== undefined &&
    features.clusterMode !== 'disabled' &&
    nodes > 90 &&
    compareVersions(version, '5.0.6') < 0
  )
    throw new UsageError(
      `${nodes} nodes (--shards x (1 + --replicas)) needs redis 5.0.6 or newer: older versions have at most 90 nodes per cluster (got --engine-version ${version})`,
    );
  if (
    features.clusterMode !== undefined &&
    features.clusterMode !== 'disabled' &&
    compareVersions(version, '3.2.4') < 0
  )
    throw new UsageError(
      `cluster mode ${features.clusterMode} needs redis 3.2.4 or newer (got --engine-version ${version})`,
    );
  if (compareVersions(version, '3.2.6') >= 0) return;
  if (features.transitEncryption)
    throw new UsageError(`--transit-encryption needs redis 3.2.6 or newer (got --engine-version ${version})`);
  if (features.atRestEncryption)
    throw new UsageError(`--at-rest-encryption needs redis 3.2.6 or newer (got --engine-version ${version})`);
}

/**
 * The default parameter group with `cluster-enabled yes` for the engine version's family,
 * which CreateReplicationGroup needs for cluster mode enabled (e.g. default.redis7.cluster.on,
 * default.redis6.x.cluster.on, default.valkey8.cluster.on).
 */
export function clusterParameterGroup(engine: Engine, version: string): string {
  const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  if (engine === 'valkey') return `default.valkey${major}.cluster.on`;
  if (major >= 7) return `default.redis${major}.cluster.on`;
  if (major === 6) return 'default.redis6.x.cluster.on';
  return `default.redis${major}.${minor}.cluster.on`;
}

/**
 * The ClusterMode request parameter came with online cluster-mode migration (Redis OSS 7.0,
 * Valkey 7.2); older engines turn cluster mode on by the cluster.on parameter group alone.
 */
export function takesClusterModeParameter(engine: Engine, version: string | undefined): boolean {
  return engine === 'valkey' || (version !== undefined && compareVersions(version, '7.0') >= 0);
}
