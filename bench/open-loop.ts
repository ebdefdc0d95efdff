/**
 * Does the open loop (--rate) add its own latency? Starts its own redis-server, then runs
 * the built CLI as a user would: p50 at 1,000 ops/s against the idle server (memtier shows
 * about 0.055 ms here), and p99 at the same rate while the server stalls once for 500 ms
 * (DEBUG SLEEP 0.5): the stall must show, not hide (coordinated omission).
 *
 *   npm run build && node dist/bench/open-loop.js
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../bin/elasticache-kit.js', import.meta.url));

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
    '1000',
    '--clients',
    '10',
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
      const cpu = /client-cpu ([\d.]+) ([\d.]+) ([\d.]+)/.exec(err);
      const cpuPercent = cpu ? Math.round(((Number(cpu[1]) + Number(cpu[2])) / Number(cpu[3])) * 100) : Number.NaN;
      resolve({ ...report.total.latencyMs, opsPerSec: report.total.opsPerSec, cpuPercent });
    }),
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
  const idle = await bench(port, 3);
  console.log(
    `idle server, --rate 1000:          p50 ${idle.p50} ms  p99 ${idle.p99} ms  (${idle.opsPerSec} ops/s, client CPU ${idle.cpuPercent}%)`,
  );
  const running = bench(port, 4);
  await sleep(3000); // node start + warmup 0.5 s, then well inside the measured 4 s
  spawn('redis-cli', ['-p', String(port), 'DEBUG', 'SLEEP', '0.5'], { stdio: 'ignore' });
  const stalled = await running;
  console.log(
    `one 500 ms stall, --rate 1000:     p50 ${stalled.p50} ms  p99 ${stalled.p99} ms  max ${stalled.max} ms  (client CPU ${stalled.cpuPercent}%)`,
  );
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
