/** The demo's flags, checked before anything starts (exit 2 naming the flag). */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';

export interface DemoFlags {
  id?: string;
  dir?: string;
  replicationDelayMs?: string;
  testTime?: string;
  engine?: string;
  keep?: boolean;
}

export interface DemoOptions {
  id: string;
  dir: string;
  replicationDelayMs: number;
  testTimeS: number;
  engine: 'redis' | 'valkey';
  keep: boolean;
}

export const DEMO_DEFAULTS = { id: 'demo', dir: 'elasticache-kit-demo', replicationDelayMs: 1, testTimeS: 10, engine: 'redis' } as const;

export function parseDemoOptions(flags: DemoFlags, cwd: string): DemoOptions {
  const id = flags.id ?? DEMO_DEFAULTS.id;
  if (!/^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,39}$/.test(id) || id.endsWith('-')) {
    throw new UsageError(`--id must be 1-40 letters, digits and hyphens, start with a letter, no "--" and no trailing hyphen (got ${id})`);
  }
  const engine = flags.engine ?? DEMO_DEFAULTS.engine;
  if (engine !== 'redis' && engine !== 'valkey') throw new UsageError(`--engine must be redis or valkey (got ${engine})`);
  return {
    id: id.toLowerCase(),
    dir: resolve(cwd, flags.dir ?? DEMO_DEFAULTS.dir),
    replicationDelayMs: integerFlag('--replication-delay-ms', flags.replicationDelayMs, DEMO_DEFAULTS.replicationDelayMs, 0, 10_000),
    testTimeS: integerFlag('--test-time', flags.testTime, DEMO_DEFAULTS.testTimeS, 1, 600),
    engine,
    keep: Boolean(flags.keep),
  };
}

function integerFlag(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} must be a whole number ${min}-${max} (got ${raw})`);
  }
  return value;
}
