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
export const DEFAULT_LOCAL_HOST = '127.0.0.1';

/** The port `--local` talks to: ELASTICACHE_KIT_LOCAL_PORT or 4566. */
export function localPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ELASTICACHE_KIT_LOCAL_PORT;
  if (raw === undefined || raw === '') return DEFAULT_LOCAL_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`ELASTICACHE_KIT_LOCAL_PORT must be a port number 1-65535 (got ${raw})`);
  }
  return port;
}

export function localEndpointUrl(env: NodeJS.ProcessEnv = process.env): string {
  return `http://${DEFAULT_LOCAL_HOST}:${localPort(env)}`;
}
