import { parseInteger } from './flags.js';

/** The options every command accepts (AWS CLI habits). */
export interface GlobalOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  /** Target the local emulator, starting it when it is not running. */
  local?: boolean;
  output: OutputFormat;
  /** Commander's `--no-color` sets this false. */
  color: boolean;
  debug?: boolean;
}

export type OutputFormat = 'json' | 'table';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['json', 'table'];

export const DEFAULT_LOCAL_PORT = 4566;
/** A TCP port: the emulator's HTTP port (local start --port, ELASTICACHE_KIT_LOCAL_PORT). */
export const TCP_PORT = { min: 1, max: 65_535 } as const;
export const DEFAULT_LOCAL_HOST = '127.0.0.1';

/** The port `--local` talks to: ELASTICACHE_KIT_LOCAL_PORT or 4566. */
export function localPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ELASTICACHE_KIT_LOCAL_PORT;
  if (raw === undefined || raw === '') return DEFAULT_LOCAL_PORT;
  return parseInteger('ELASTICACHE_KIT_LOCAL_PORT', raw, TCP_PORT);
}

export function localEndpointUrl(env: NodeJS.ProcessEnv = process.env): string {
  return `http://${DEFAULT_LOCAL_HOST}:${localPort(env)}`;
}
