/**
 * The engine versions DescribeCacheEngineVersions reports, like the real list (oldest
 * first; the last of each engine is the default). The nodes themselves run whatever
 * redis-server/valkey-server is installed, and Describe* reports that binary's version.
 */
export type EngineName = 'redis' | 'valkey';

export interface EngineVersionEntry {
  engine: EngineName;
  version: string;
  family: string;
}

export const ENGINE_VERSIONS: readonly EngineVersionEntry[] = [
  { engine: 'redis', version: '4.0.10', family: 'redis4.0' },
  { engine: 'redis', version: '5.0.6', family: 'redis5.0' },
  { engine: 'redis', version: '6.0', family: 'redis6.x' },
  { engine: 'redis', version: '6.2', family: 'redis6.x' },
  { engine: 'redis', version: '7.0', family: 'redis7' },
  { engine: 'redis', version: '7.1', family: 'redis7' },
  { engine: 'valkey', version: '7.2', family: 'valkey7' },
  { engine: 'valkey', version: '8.0', family: 'valkey8' },
  { engine: 'valkey', version: '8.1', family: 'valkey8' },
];

export function defaultEngineVersion(engine: EngineName): EngineVersionEntry {
  return ENGINE_VERSIONS.filter((entry) => entry.engine === engine).at(-1)!;
}

/** `7.1`, `7.1.0`, `7` and `6.x` all name a listed version. */
export function engineVersionKnown(engine: EngineName, requested: string): boolean {
  const wanted = requested.replace(/\.x$/, '');
  return ENGINE_VERSIONS.some(
    (entry) =>
      entry.engine === engine &&
      (entry.version === wanted || entry.version.startsWith(wanted + '.') || wanted.startsWith(entry.version + '.')),
  );
}

/** The parameter group family a version belongs to (`7.0.15` → `redis7`). */
export function familyOf(engine: EngineName, version: string): string {
  const major = Number(version.split('.')[0]);
  if (engine === 'valkey') return `valkey${major}`;
  if (major >= 7) return 'redis7';
  if (major === 6) return 'redis6.x';
  return `redis${version.split('.').slice(0, 2).join('.')}`;
}
