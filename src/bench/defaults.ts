/**
 * bench's defaults, read by the flag definitions (their help text, src/commands/bench.ts)
 * and by the validation that applies them (options.ts): one number each. No imports, so
 * `bench --help` loads nothing for it.
 */
export const DEFAULTS = {
  clients: 50,
  pipeline: 1,
  ratio: '1:10',
  dataSize: 32,
  keyMaximum: 10_000,
  keyPattern: 'R',
  readFrom: 'all',
  testTime: 10,
  warmup: 1,
  lagProbes: 20,
  requestTimeoutMs: 5000,
  /** --workers: seconds from now to the shared start (delivery, npx, prefill). */
  startInS: 30,
  /** --workers: seconds to wait for every worker past the expected end. */
  workerTimeoutS: 300,
} as const;

export const KEY_PATTERNS = ['R', 'G', 'S'] as const;
export const READ_FROM = ['primary', 'replicas', 'all'] as const;
