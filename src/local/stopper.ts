/**
 * `local stop` and `local status` from the outside: both read the state file, so they
 * work from any shell, and stop also cleans up after a server that died (its nodes'
 * pids are in the state file).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { probe } from './launcher.js';
import { isEngineCommandLine, killOrphans, processCommandLine } from './orphans.js';
import { groupPids, processAlive, readState, writeState, type Endpoint, type GroupStatus } from './state.js';

export interface StopResult {
  wasRunning: boolean;
  url?: string;
  pid?: number;
  /** Node processes killed because the server was no longer there to stop them. */
  killedOrphans: number[];
}

const GRACEFUL_STOP_MS = 15_000;

/** True when the pid is (still) an emulator server: it answers at its URL, or its command line says so. */
async function isEmulatorProcess(pid: number, url: string): Promise<boolean> {
  if ((await probe(url)) === 'emulator') return true;
  const commandLine = processCommandLine(pid) ?? '';
  return commandLine.includes('elasticache-kit') && commandLine.includes('local') && !isEngineCommandLine(commandLine);
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

export async function stopEmulator(stateDir: string): Promise<StopResult> {
  const state = readState(stateDir);
  const server = state.server;
  let wasRunning = false;
  if (
    server &&
    server.pid !== process.pid &&
    processAlive(server.pid) &&
    (await isEmulatorProcess(server.pid, server.url))
  ) {
    wasRunning = true;
    // SIGTERM: the server stops its nodes itself and clears the state file.
    process.kill(server.pid, 'SIGTERM');
    if (!(await waitForExit(server.pid, GRACEFUL_STOP_MS))) {
      process.kill(server.pid, 'SIGKILL');
      await waitForExit(server.pid, 2000);
    }
  }
  const after = readState(stateDir);
  const killedOrphans = await killOrphans(groupPids(after));
  if (after.server || after.groups.length > 0 || (after.serverlessCaches ?? []).length > 0) {
    after.server = undefined;
    after.groups = [];
    after.serverlessCaches = [];
    writeState(stateDir, after);
  }
  return { wasRunning, url: server?.url, pid: server?.pid, killedOrphans };
}

export interface StatusReport {
  running: boolean;
  url?: string;
  pid?: number;
  host?: string;
  port?: number;
  startedAt?: string;
  stateDir: string;
  groups: Array<{
    id: string;
    region: string;
    status: GroupStatus;
    engine: string;
    engineVersion: string;
    /** The real binary's version, when it differs from the reported one. */
    engineBinaryVersion?: string;
    primaryEndpoint?: Endpoint;
    readerEndpoint?: Endpoint;
    nodes: Array<{ nodeId: string; role: string; port?: number; pid?: number; availabilityZone: string }>;
  }>;
  serverlessCaches: Array<{
    name: string;
    region: string;
    status: string;
    engine: string;
    engineVersion: string;
    endpoint?: Endpoint;
    readerEndpoint?: Endpoint;
    userGroupId?: string;
    ecpuPerSecondMaximum?: number;
    nodes: Array<{ nodeId: string; role: string; port?: number; pid?: number }>;
  }>;
  /** Node processes still alive although no server runs (local stop kills them). */
  orphanPids: number[];
}

export async function emulatorStatus(stateDir: string): Promise<StatusReport> {
  const state = readState(stateDir);
  const server = state.server;
  const running = Boolean(server && processAlive(server.pid) && (await probe(server.url)) === 'emulator');
  const groups = running
    ? state.groups.map((group) => ({
        id: group.id,
        region: group.region,
        status: group.status,
        engine: group.engine,
        engineVersion: group.engineVersion,
        ...(group.engineBinaryVersion ? { engineBinaryVersion: group.engineBinaryVersion } : {}),
        primaryEndpoint: group.primaryEndpoint,
        readerEndpoint: group.readerEndpoint,
        nodes: group.nodes.map((node) => ({
          nodeId: node.nodeId,
          role: node.role,
          port: node.port,
          pid: node.pid,
          availabilityZone: node.availabilityZone,
        })),
      }))
    : [];
  const serverlessCaches = running
    ? (state.serverlessCaches ?? []).map((cache) => ({
        name: cache.name,
        region: cache.region,
        status: cache.status,
        engine: cache.engine,
        engineVersion: cache.fullEngineVersion,
        endpoint: cache.endpoint,
        readerEndpoint: cache.readerEndpoint,
        userGroupId: cache.userGroupId,
        ecpuPerSecondMaximum: cache.cacheUsageLimits?.ecpuPerSecond?.maximum,
        nodes: cache.nodes.map((node) => ({ nodeId: node.nodeId, role: node.role, port: node.port, pid: node.pid })),
      }))
    : [];
  return {
    running,
    url: running ? server!.url : undefined,
    pid: running ? server!.pid : undefined,
    host: running ? server!.host : undefined,
    port: running ? server!.port : undefined,
    startedAt: running ? server!.startedAt : undefined,
    stateDir,
    groups,
    serverlessCaches,
    orphanPids: running
      ? []
      : groupPids(state).filter((pid) => processAlive(pid) && isEngineCommandLine(processCommandLine(pid) ?? '')),
  };
}
