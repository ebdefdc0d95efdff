/**
 * local start|stop|status: the emulator's lifecycle without the terminal. Starting checks
 * the engine binary first (one line with the install hint), then starts the emulator in
 * the background (or in this process); errors become one line with the fix.
 */
import { CliError, UsageError, messageOf } from '../errors.js';
import type { BackgroundStartResult } from '../local/launcher.js';
import type { Emulator } from '../local/server.js';

export interface LocalStartRequest {
  host: string;
  port: number;
  stateDir: string;
  replicationDelayMs: number;
  /** Minimum length of creating/modifying/deleting; default 0. */
  lifecycleMs?: number;
  /** Emulated EC2 instances (Role=bastion) for SSM Run Command. */
  instances?: number;
  redisServer?: string;
  /** Run the emulator in this process (until a signal) instead of in the background. */
  foreground: boolean;
}

export type LocalStartResult =
  | { kind: 'background'; start: BackgroundStartResult; engine: { engine: string; version: string } }
  /** --foreground, but an emulator already answers on that address. */
  | { kind: 'already-running'; url: string }
  | { kind: 'foreground'; emulator: Emulator };

export async function startLocal(request: LocalStartRequest, log: (line: string) => void): Promise<LocalStartResult> {
  // Before anything starts: the engine must be there.
  const { findEngineBinary } = await import('../local/engine-binary.js');
  let engine;
  try {
    engine = findEngineBinary('redis', request.redisServer);
  } catch (error) {
    throw new CliError(messageOf(error));
  }
  const launcher = await import('../local/launcher.js');
  const { host, port, stateDir, redisServer, replicationDelayMs, lifecycleMs, instances } = request;
  if (!request.foreground) {
    try {
      const start = await launcher.startInBackground({
        port,
        host,
        stateDir,
        redisServer,
        replicationDelayMs,
        lifecycleMs,
        instances,
      });
      return { kind: 'background', start, engine };
    } catch (error) {
      throw new CliError(messageOf(error));
    }
  }
  const url = launcher.emulatorUrl(host, port);
  if ((await launcher.probe(url)) === 'emulator') return { kind: 'already-running', url };
  const { startEmulator } = await import('../local/server.js');
  try {
    return {
      kind: 'foreground',
      emulator: await startEmulator({
        host,
        port,
        stateDir,
        replicationDelayMs,
        lifecycleMs,
        redisServer,
        log,
        instances,
      }),
    };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new CliError(`port ${port} on ${host} is already in use: pick another with --port`);
    if (code === 'EADDRNOTAVAIL') throw new UsageError(`--host ${host} is not an address of this machine`);
    throw new CliError(messageOf(error));
  }
}

/** Stops the emulator of the state dir and any node process it left behind. */
export async function stopLocal(stateDir: string) {
  const { stopEmulator } = await import('../local/stopper.js');
  return stopEmulator(stateDir);
}

/** Whether it runs, and its groups. */
export async function localStatus(stateDir: string) {
  const { emulatorStatus } = await import('../local/stopper.js');
  return emulatorStatus(stateDir);
}
