/**
 * Starts the emulator as a background process: `elasticache-kit local start --foreground`
 * detached from the caller, its output appended to <stateDir>/emulator.log. Used by
 * `local start` and by every command run with `--local` (ensureEmulator).
 */
import { spawn } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from '../errors.js';
import { defaultStateDir } from './state.js';

export const DEFAULT_HOST = '127.0.0.1';
export const LOG_FILE = 'emulator.log';
/** What the emulator answers to a plain GET: how a probe tells it from another server. */
export const BANNER = 'elasticache-kit local emulator';

const CLI_PATH = fileURLToPath(new URL('../../../bin/elasticache-kit.js', import.meta.url));
const START_TIMEOUT_MS = 20_000;
/** The log is appended across runs and started afresh once it passes this size. */
const MAX_LOG_BYTES = 5 * 1024 * 1024;

export interface BackgroundStartOptions {
  port: number;
  host?: string;
  stateDir?: string;
  redisServer?: string;
  replicationDelayMs?: number;
  lifecycleMs?: number;
  instances?: number;
}

export interface BackgroundStartResult {
  url: string;
  /** The server's pid (undefined when one was already running and did not say). */
  pid?: number;
  alreadyRunning: boolean;
  logFile: string;
}

export function emulatorUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * What answers at the URL: our emulator, something else, or nothing. node:http rather
 * than fetch: every `--local` command probes first, and fetch's first use loads undici
 * (about 0.1 s of CPU), while node:http is loaded by the SDK anyway.
 */
export function probe(url: string, timeoutMs = 1000): Promise<'emulator' | 'other' | 'none'> {
  return new Promise((resolve) => {
    let answered = false;
    // agent: false: a connection of its own, closed after the answer (none left in a pool).
    const request = httpGet(url, { timeout: timeoutMs, agent: false }, (response) => {
      answered = true;
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        // The banner is the first line: no need to read on.
        if (text.length >= BANNER.length) response.destroy();
      });
      const settle = () => resolve(text.startsWith(BANNER) ? 'emulator' : 'other');
      response.on('end', settle);
      response.on('close', settle);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve('none'));
    request.on('close', () => {
      if (!answered) resolve('none');
    });
  });
}

/**
 * Starts the emulator in the background unless it already answers at host:port, and
 * waits until it does. Throws a one-line error when the port is taken by something else
 * or the server exits during start (with the last line of its log).
 */
export async function startInBackground(options: BackgroundStartOptions): Promise<BackgroundStartResult> {
  const host = options.host ?? DEFAULT_HOST;
  const stateDir = options.stateDir ?? defaultStateDir();
  const url = emulatorUrl(host, options.port);
  const logFile = join(stateDir, LOG_FILE);
  const found = await probe(url);
  if (found === 'emulator') return { url, alreadyRunning: true, logFile };
  if (found === 'other') {
    throw new Error(
      `port ${options.port} on ${host} is used by another program, not the emulator: pick another port with --port or ELASTICACHE_KIT_LOCAL_PORT`,
    );
  }

  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const log = openSync(logFile, logSize(logFile) > MAX_LOG_BYTES ? 'w' : 'a', 0o600);
  const args = [
    CLI_PATH,
    'local',
    'start',
    '--foreground',
    '--port',
    String(options.port),
    '--host',
    host,
    '--state-dir',
    stateDir,
  ];
  if (options.redisServer) args.push('--redis-server', options.redisServer);
  if (options.replicationDelayMs) args.push('--replication-delay-ms', String(options.replicationDelayMs));
  if (options.lifecycleMs) args.push('--lifecycle-ms', String(options.lifecycleMs));
  if (options.instances) args.push('--instances', String(options.instances));
  let child;
  try {
    child = spawn(process.execPath, args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, NO_COLOR: '1' },
    });
  } finally {
    closeSync(log);
  }
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if ((await probe(url, 500)) === 'emulator') return { url, pid: child.pid, alreadyRunning: false, logFile };
    if (exited !== undefined) {
      throw new Error(`the emulator did not start (exit code ${exited}): ${lastLine(logFile)}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`the emulator did not answer at ${url} within ${START_TIMEOUT_MS / 1000}s; see ${logFile}`);
    }
    await sleep(100);
  }
}

function logSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function lastLine(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    return (lines.at(-1) ?? '').replace(/^elasticache-kit: /, '') || `see ${file}`;
  } catch {
    return `see ${file}`;
  }
}

/**
 * Used by `--local`: when nothing answers at the port, start `local start` in the
 * background and wait until it answers. A clear one-line error when it cannot start.
 */
export async function ensureEmulator(options: { port: number; host?: string; stateDir?: string }): Promise<void> {
  let result: BackgroundStartResult;
  try {
    result = await startInBackground(options);
  } catch (error) {
    throw new CliError(`--local: ${(error as Error).message}`);
  }
  if (!result.alreadyRunning) {
    process.stderr.write(
      `Started the local emulator at ${result.url} (log: ${result.logFile}; stop it with: elasticache-kit local stop)\n`,
    );
  }
}
