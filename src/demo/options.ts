/** The demo's flags, checked before anything starts (exit 2 naming the flag). */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { integerFlag, REPLICATION_DELAY_MS } from '../flags.js';
import { validateReplicationGroupId } from '../names.js';

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

export const DEMO_DEFAULTS = {
  id: 'demo',
  dir: 'elasticache-kit-demo',
  replicationDelayMs: 1,
  testTimeS: 10,
  engine: 'redis',
} as const;

export function parseDemoOptions(flags: DemoFlags, cwd: string): DemoOptions {
  const id = flags.id ?? DEMO_DEFAULTS.id;
  const engine = flags.engine ?? DEMO_DEFAULTS.engine;
  if (engine !== 'redis' && engine !== 'valkey')
    throw new UsageError(`--engine must be redis or valkey (got ${engine})`);
  return {
    id: validateReplicationGroupId(id, '--id'),
    dir: resolve(cwd, flags.dir ?? DEMO_DEFAULTS.dir),
    replicationDelayMs: integerFlag('--replication-delay-ms', flags.replicationDelayMs, {
      ...REPLICATION_DELAY_MS,
      fallback: DEMO_DEFAULTS.replicationDelayMs,
    }),
    testTimeS: integerFlag('--test-time', flags.testTime, { min: 1, max: 600, fallback: DEMO_DEFAULTS.testTimeS }),
    engine,
    keep: Boolean(flags.keep),
  };
}
