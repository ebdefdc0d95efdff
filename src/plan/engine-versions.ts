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

/** In-transit and at-rest encryption arrived with Redis 3.2.6; Valkey always has them. */
export function checkVersionFeatures(
  engine: Engine,
  version: string,
  features: { transitEncryption: boolean; atRestEncryption: boolean },
): void {
  if (engine !== 'redis' || compareVersions(version, '3.2.6') >= 0) return;
  if (features.transitEncryption)
    throw new UsageError(`--transit-encryption needs redis 3.2.6 or newer (got --engine-version ${version})`);
  if (features.atRestEncryption)
    throw new UsageError(`--at-rest-encryption needs redis 3.2.6 or newer (got --engine-version ${version})`);
}
