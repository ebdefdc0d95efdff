/**
 * The engine versions the emulator offers: the CLI's list of what ElastiCache offers
 * (src/plan/engine-versions.ts), oldest first (the last of each engine is the default).
 * A group reports the patch version AWS reports for its line (`6.2` → `6.2.6`), so a request
 * for `6.2` reads back as AWS would answer it; the nodes themselves run whatever
 * redis-server/valkey-server is installed, and `local status` shows that binary's version.
 */
import { BUILT_IN_ENGINE_VERSIONS, compareVersions } from '../plan/engine-versions.js';

export type EngineName = 'redis' | 'valkey';

export interface EngineVersionEntry {
  engine: EngineName;
  /** As DescribeCacheEngineVersions names it: `7.1`, or `5.0.6` before one-version-per-minor. */
  version: string;
  family: string;
  /** What DescribeCacheClusters reports for a node of this line. */
  patch: string;
}

/**
 * The patch each line reports. Seen in real DescribeCacheClusters answers: 6.2.6, 7.0.7, 7.1.0,
 * valkey 7.2.6 (AWS's release notes), 8.0.1. The others are the line's `.0` until known.
 */
const PATCH: Record<string, string> = {
  'redis 6.0': '6.0.5',
  'redis 6.2': '6.2.6',
  'redis 7.0': '7.0.7',
  'redis 7.1': '7.1.0',
  'valkey 7.2': '7.2.6',
  'valkey 8.0': '8.0.1',
};

export const ENGINE_VERSIONS: readonly EngineVersionEntry[] = (['redis', 'valkey'] as const).flatMap((engine) =>
  [...BUILT_IN_ENGINE_VERSIONS[engine]].sort(compareVersions).map((version) => ({
    engine,
    version,
    family: familyOf(engine, version),
    patch: PATCH[`${engine} ${version}`] ?? (version.split('.').length > 2 ? version : `${version}.0`),
  })),
);

export function defaultEngineVersion(engine: EngineName): EngineVersionEntry {
  return ENGINE_VERSIONS.filter((entry) => entry.engine === engine).at(-1)!;
}

/** The listed line a request names: `7.1`, `7.1.0`, `7` (newest 7.x) and `6.x` all name one. */
export function findEngineVersion(engine: EngineName, requested: string): EngineVersionEntry | undefined {
  const wanted = requested.replace(/\.x$/, '');
  return ENGINE_VERSIONS.filter(
    (entry) =>
      entry.engine === engine &&
      (entry.version === wanted ||
        entry.patch === wanted ||
        entry.version.startsWith(wanted + '.') ||
        wanted.startsWith(entry.version + '.')),
  ).at(-1);
}

export function engineVersionKnown(engine: EngineName, requested: string): boolean {
  return findEngineVersion(engine, requested) !== undefined;
}

/** The version a new group reports: its requested line's patch, else the default's. */
export function reportedEngineVersion(engine: EngineName, requested: string | undefined): string {
  return ((requested !== undefined && findEngineVersion(engine, requested)) || defaultEngineVersion(engine)).patch;
}

/** The parameter group family a version belongs to (`7.0.15` → `redis7`). */
export function familyOf(engine: EngineName, version: string): string {
  const major = Number(version.split('.')[0]);
  if (engine === 'valkey') return `valkey${major}`;
  if (major >= 7) return 'redis7';
  if (major === 6) return 'redis6.x';
  return `redis${version.split('.').slice(0, 2).join('.')}`;
}
