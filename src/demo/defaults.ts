/**
 * The demo's defaults and limits, read by its flag definitions (help text,
 * src/commands/demo.ts) and by options.ts: one number each. No imports.
 */
export const DEMO_DEFAULTS = {
  id: 'demo',
  dir: 'elasticache-kit-demo',
  replicationDelayMs: 1,
  testTimeS: 10,
  engine: 'redis',
} as const;

/** demo --test-time: whole seconds of bench load. */
export const DEMO_TEST_TIME_S = { min: 1, max: 600 } as const;
export const DEMO_ENGINES = ['redis', 'valkey'] as const;

/**
 * The demo's bench: connections per node, and the open loop's ops/s across the group
 * (plenty of reads after writes on each replica, a fraction of one core).
 */
export const DEMO_BENCH = { clients: 10, rate: 2000 } as const;
