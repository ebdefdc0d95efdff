/**
 * Does the open loop (--rate) add its own latency? Starts its own redis-server, then runs
 * the built CLI as a user would: p50 at 1,000 ops/s against the idle server (memtier shows
 * about 0.055 ms here), and p99 at the same rate while the server stalls once for 500 ms
 * (DEBUG SLEEP 0.5): the stall must show, not hide (coordinated omission).
 *
 * The same two figures for memtier_benchmark --rate-limiting (same rate over the same
 * connections) when it is installed (MEMTIER_BENCHMARK names another binary), in the same run.
 *
 *   npm run build && node dist/bench/open-loop.js
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { memtierFlags } from './script-kit.js';

const CLI = fileURLToPath(new URL('../../bin/elasticache-kit.js', import.meta.url));
const MEMTIER = process.env.MEMTIER_BENCHMARK ?? 'memtier_benchmark';
const RATE = 1000;
const CLIENTS = 10;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Figures {
  p50: number;
  p99: number;
  max: number;
  opsPerSec: number;
  /** The client's CPU time (user + system) over its wall time, in % of one core. */
  cpuPercent: number;
}

/** GNU time's `client-cpu %U %S %e` line as % of one core (user + system over wall time). */
function clientCpuPercent(stderr: string): number {
  const cpu = /client-cpu ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
  return cpu ? Math.round(((Number(cpu[1]) + Number(cpu[2])) / Number(cpu[3])) * 100) : Number.NaN;
}

function bench(port: number, seconds: number): Promise<Figures> {
  const args = [
    // GNU time reports the client's own CPU use: the schedule must not spin a core.
    '-f',
    'client-cpu %U %S %e',
    process.execPath,
    CLI,
    '--output',
    'json',
    'bench',
    '--primary',
    `127.0.0.1:${port}`,
    '--rate',
    String(RATE),
    '--clients',
    String(CLIENTS),
    '--test-time',
    String(seconds),
    '--warmup',
    '0.5',
    '--lag-probes',
    '0',
  ];
  const child = spawn('/usr/bin/time', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench exited ${code}: ${err}`));
      const report = JSON.parse(out) as {
        total: { opsPerSec: number; latencyMs: { p50: number; p99: number; max: number } };
      };
      const cpuPercent = clientCpuPercent(err);
      resolve({ ...report.total.latencyMs, opsPerSec: report.total.opsPerSec, cpuPercent });
    }),
  );
}

/** memtier at the same total rate: --rate-limiting is per connection. Figures from its JSON output. */
function memtier(port: number, seconds: number): Promise<Figures> {
  const json = join(dir, `memtier-${seconds}.json`);
  const args = [
    '-f',
    'client-cpu %U %S %e',
    MEMTIER,
    ...memtierFlags({
      port,
      threads: 1,
      clientsPerThread: CLIENTS,
      seconds,
      extra: ['--rate-limiting', String(RATE / CLIENTS), '--print-percentiles', '50,99,100', '--json-out-file', json],
    }),
  ];
  const child = spawn('/usr/bin/time', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`memtier_benchmark exited ${code}: ${err.slice(-500)}`));
      const totals = (
        JSON.parse(readFileSync(json, 'utf8')) as {
          'ALL STATS': { Totals: { 'Ops/sec': number; 'Percentile Latencies': Record<string, number> } };
        }
      )['ALL STATS'].Totals;
      // Keys are `p<percentile>` cut to memtier's 7-character buffer ("p50.00", "p100.0"): match by value.
      const latency = (percentile: number) =>
        Object.entries(totals['Percentile Latencies']).find(([key]) => Number(key.slice(1)) === percentile)?.[1] ??
        Number.NaN;
      const cpuPercent = clientCpuPercent(err);
      resolve({
        p50: latency(50),
        p99: latency(99),
        max: latency(100),
        opsPerSec: Math.round(totals['Ops/sec']),
        cpuPercent,
      });
    }),
  );
}

/** Idle, then one 500 ms stall (DEBUG SLEEP) well inside a 4 s measured run: the two lines per tool. */
async function measure(name: string, run: (port: number, seconds: number) => Promise<Figures>, startMs: number) {
  const idle = await run(port, 3);
  console.log(
    `${name} idle server, --rate ${RATE}:  p50 ${idle.p50} ms  p99 ${idle.p99} ms  (${idle.opsPerSec} ops/s, client CPU ${idle.cpuPercent}%)`,
  );
  const running = run(port, 4);
  await sleep(startMs);
  spawn('redis-cli', ['-p', String(port), 'DEBUG', 'SLEEP', '0.5'], { stdio: 'ignore' });
  const stalled = await running;
  console.log(
    `${name} one 500 ms stall:     p50 ${stalled.p50} ms  p99 ${stalled.p99} ms  max ${stalled.max} ms  (client CPU ${stalled.cpuPercent}%)`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'open-loop-'));
const port = await freePort();
const server = spawn(
  'redis-server',
  ['--port', String(port), '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes', '--dir', dir],
  { stdio: 'ignore' },
);
const cli = (...args: string[]) => spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' });
try {
  for (let i = 0; i < 50 && cli('PING').stdout.trim() !== 'PONG'; i++) await sleep(100);
  await measure('elasticache-kit bench', bench, 3000); // node start + warmup 0.5 s, then inside the measured 4 s
  if (spawnSync(MEMTIER, ['--version']).error) console.log(`memtier_benchmark: skipped (${MEMTIER} is not installed)`);
  else await measure('memtier_benchmark', memtier, 2000);
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
