/**
 * `local start|stop|status`: parse and validate flags → core/local (start here or in the
 * background, stop it and anything it left behind, or report what runs) → render.
 */
import { UsageError, messageOf } from '../errors.js';
import { localPort } from '../globals.js';
import { renderKeyValues, renderTable } from '../ui/table.js';
import { formatHostPort } from '../topology.js';
import type { CommandContext } from './lazy.js';

interface LocalOptions {
  port?: number;
  host?: string;
  stateDir?: string;
  redisServer?: string;
  /** Numbers checked by their argParser (src/commands/local.ts). */
  replicationDelayMs?: number;
  lifecycleMs?: number;
  instances?: number;
  foreground?: boolean;
}

export async function run(context: CommandContext<LocalOptions>): Promise<void> {
  switch (context.command.name()) {
    case 'start':
      return start(context);
    case 'stop':
      return stop(context);
    case 'status':
      return status(context);
    case 'ca':
      return ca(context);
    default:
      throw new UsageError(`unknown local command ${context.command.name()} (use start, stop, status or ca)`);
  }
}

/** --port (checked by its argParser, src/commands/local.ts), else ELASTICACHE_KIT_LOCAL_PORT or 4566. */
function portOf(flag: number | undefined): number {
  return flag ?? localPort();
}

function parseHost(raw: string | undefined): string {
  const host = raw ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new UsageError(`--host must be an IP address or host name (got ${host})`);
  return host;
}

async function stateDirOf(raw: string | undefined): Promise<string> {
  const { defaultStateDir } = await import('../local/state.js');
  const { resolve } = await import('node:path');
  if (raw !== undefined && raw.trim() === '') throw new UsageError('--state-dir must not be empty');
  return resolve(raw ?? defaultStateDir());
}

async function start(context: CommandContext<LocalOptions>): Promise<void> {
  const { options, output } = context;
  const port = portOf(options.port);
  const host = parseHost(options.host);
  const replicationDelayMs = options.replicationDelayMs ?? 0;
  const lifecycleMs = options.lifecycleMs ?? 0;
  const instances = options.instances ?? 0;
  const stateDir = await stateDirOf(options.stateDir);

  const log = (line: string) => output.info(`${new Date().toISOString()} ${line}`);
  const { startLocal } = await import('../core/local.js');
  const started = await startLocal(
    {
      port,
      host,
      stateDir,
      replicationDelayMs,
      lifecycleMs,
      instances,
      foreground: options.foreground === true,
      ...(options.redisServer !== undefined ? { redisServer: options.redisServer } : {}),
    },
    log,
  );
  if (started.kind === 'already-running') {
    output.info(`The emulator is already running at ${started.url}.`);
    return;
  }
  if (started.kind === 'background') {
    const { start: result, engine } = started;
    if (output.json) {
      output.printJson({
        url: result.url,
        pid: result.pid ?? null,
        alreadyRunning: result.alreadyRunning,
        stateDir,
        logFile: result.logFile,
      });
      return;
    }
    if (result.alreadyRunning) output.info(`The emulator is already running at ${result.url}.`);
    else
      output.info(
        `Started the emulator at ${result.url} (pid ${result.pid}; ${engine.engine} ${engine.version}; log: ${result.logFile}).`,
      );
    output.result(
      `${result.url}\n\nUse it with:\n  export AWS_ENDPOINT_URL=${result.url}\n  elasticache-kit --local …   (or any AWS SDK/CLI with dummy credentials)\nStop it with: elasticache-kit local stop`,
    );
    return;
  }

  const emulator = started.emulator;
  output.info(
    `Emulator ready at ${emulator.url} (state: ${stateDir}). Ctrl-C or \`elasticache-kit local stop\` stops it.`,
  );
  output.info(`  export AWS_ENDPOINT_URL=${emulator.url}`);

  // SIGTERM (local stop) and Ctrl-C are the normal way out: stop every node, exit 0.
  await new Promise<void>((resolve) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals) => {
      if (stopping) {
        if (signal === 'SIGINT') process.exit(130);
        return;
      }
      stopping = true;
      log(`${signal}: stopping`);
      void emulator
        .close()
        .catch((error) => log(`stop failed: ${messageOf(error)}`))
        .finally(resolve);
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
    process.on('SIGHUP', shutdown);
  });
  process.exit(0);
}

async function stop(context: CommandContext<LocalOptions>): Promise<void> {
  const { output } = context;
  const stateDir = await stateDirOf(context.options.stateDir);
  const { stopLocal } = await import('../core/local.js');
  const result = await stopLocal(stateDir);
  if (output.json) {
    output.printJson({ stateDir, ...result });
    return;
  }
  if (result.wasRunning) output.result(`Stopped the emulator at ${result.url} (pid ${result.pid}).`);
  else output.result(`No emulator was running (state dir ${stateDir}).`);
  if (result.killedOrphans.length > 0)
    output.info(`Killed ${result.killedOrphans.length} leftover node process(es): ${result.killedOrphans.join(' ')}`);
}

/** Prints the CA path only (so `$(elasticache-kit local ca)` works), making the material when missing. */
async function ca(context: CommandContext<LocalOptions>): Promise<void> {
  const stateDir = await stateDirOf(context.options.stateDir);
  const { ensureTlsMaterial } = await import('../local/tls-material.js');
  const { readState } = await import('../local/state.js');
  const host = readState(stateDir).server?.host ?? '127.0.0.1';
  const material = ensureTlsMaterial(stateDir, host);
  if (context.output.json) context.output.printJson({ caCertificate: material.caCertFile });
  else context.output.result(material.caCertFile);
}

async function status(context: CommandContext<LocalOptions>): Promise<void> {
  const { output } = context;
  const stateDir = await stateDirOf(context.options.stateDir);
  const { localStatus } = await import('../core/local.js');
  const report = await localStatus(stateDir);
  const { caCertPath } = await import('../local/tls-material.js');
  const { existsSync } = await import('node:fs');
  const caCertificate = existsSync(caCertPath(stateDir)) ? caCertPath(stateDir) : undefined;
  if (output.json) {
    output.printJson({ ...report, caCertificate });
    return;
  }
  if (!report.running) {
    output.result(`The emulator is not running (state dir ${stateDir}).`);
    if (report.orphanPids.length > 0)
      output.warn(
        `${report.orphanPids.length} node process(es) of a previous emulator still run; \`elasticache-kit local stop\` kills them.`,
      );
    return;
  }
  let text = renderKeyValues([
    ['URL', report.url],
    ['PID', report.pid],
    ['Started', report.startedAt],
    ['State dir', stateDir],
    ['CA certificate', caCertificate ?? '(none yet: made with the first TLS group, or by `elasticache-kit local ca`)'],
    ['Groups', report.groups.length],
    ['Serverless caches', report.serverlessCaches.length],
  ]);
  if (report.groups.length > 0) {
    text +=
      '\n' +
      renderTable(
        ['GROUP', 'REGION', 'STATUS', 'ENGINE', 'PRIMARY', 'READER', 'NODES'],
        report.groups.map((group) => [
          group.id,
          group.region,
          group.status,
          `${group.engine} ${group.engineVersion}${group.engineBinaryVersion ? ` (runs ${group.engineBinaryVersion})` : ''}`,
          group.primaryEndpoint ? formatHostPort(group.primaryEndpoint) : undefined,
          group.readerEndpoint ? formatHostPort(group.readerEndpoint) : undefined,
          group.nodes.map((node) => `${node.nodeId}:${node.port ?? '-'}(${node.role})`).join(' '),
        ]),
      );
  }
  if (report.serverlessCaches.length > 0) {
    text +=
      '\n' +
      renderTable(
        ['SERVERLESS CACHE', 'REGION', 'STATUS', 'ENGINE', 'ENDPOINT', 'READER', 'NODES'],
        report.serverlessCaches.map((cache) => [
          cache.name,
          cache.region,
          cache.status,
          `${cache.engine} ${cache.engineVersion}`,
          cache.endpoint ? formatHostPort(cache.endpoint) : undefined,
          cache.readerEndpoint ? formatHostPort(cache.readerEndpoint) : undefined,
          cache.nodes.map((node) => `${node.nodeId}:${node.port ?? '-'}(${node.role})`).join(' '),
        ]),
      );
  }
  output.result(text);
}
