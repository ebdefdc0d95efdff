/** The demo's flags, checked before anything starts (exit 2 naming the flag). */
import { resolve } from 'node:path';
import { validateReplicationGroupId } from '../names.js';
import { DEMO_DEFAULTS, type DEMO_ENGINES } from './defaults.js';

export { DEMO_DEFAULTS } from './defaults.js';

/** As commander hands them over: numbers and the engine already checked by their argParser (src/commands/demo.ts). */
export interface DemoFlags {
  id?: string;
  dir?: string;
  replicationDelayMs?: number;
  testTime?: number;
  engine?: (typeof DEMO_ENGINES)[number];
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

export function parseDemoOptions(flags: DemoFlags, cwd: string): DemoOptions {
  return {
    id: validateReplicationGroupId(flags.id ?? DEMO_DEFAULTS.id, '--id'),
    dir: resolve(cwd, flags.dir ?? DEMO_DEFAULTS.dir),
    replicationDelayMs: flags.replicationDelayMs ?? DEMO_DEFAULTS.replicationDelayMs,
    testTimeS: flags.testTime ?? DEMO_DEFAULTS.testTimeS,
    engine: flags.engine ?? DEMO_DEFAULTS.engine,
    keep: Boolean(flags.keep),
  };
}
