/**
 * bench --threads 1 against --threads 2, on a local redis-server with two I/O threads
 * (io-threads 2, io-threads-do-reads yes) that this script starts on loopback and stops
 * at the end; the same for memtier_benchmark --threads 1 vs 2 when it is installed. The
 * total connections are the same in both (bench --clients is per node and split between
 * threads; memtier -c is per thread, so it gets 50 and 25). Rounds alternate the settings
 * so that other work on the machine hits both; the medians are compared, as ratios.
 * Not a test; run it by hand:
 *
 *   npm run build && node dist/bench/threads.js [--rounds 3] [--seconds 3] [--pipeline 16]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisNode } from '../src/local/redis-node.js';
import type { BenchReport } from '../src/bench/report.js';
import { exec, execBenchJson, flag, median, memtierFlags } from './script-kit.js';

const MEMTIER = process.env.MEMTIER_BENCHMARK ?? 'memtier_benchmark';
const rounds = Number(flag('--rounds', '3'));
const seconds = Number(flag('--seconds', '3'));
const pipeline = Number(flag('--pipeline', '16'));
const clients = 50;

async function benchOps(port: number, threads: number): Promise<number> {
  const result = await execBenchJson([
    '--primary',
    `127.0.0.1:${port}`,
    '--threads',
    String(threads),
    '--clients',
    String(clients),
    '--pipeline',
    String(pipeline),
    '--ratio',
    '1:10',
    '--data-size',
    '32',
    '--test-time',
    String(seconds),
    '--warmup',
    '0.5',
    '--lag-probes',
    '0',
  ]);
  if (result.code !== 0) throw new Error(`bench --threads ${threads} failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as BenchReport).total.opsPerSec;
}

async function memtierOps(port: number, threads: number): Promise<number> {
  const result = await exec(
    MEMTIER,
    memtierFlags({
      port,
      threads,
      clientsPerThread: clients / threads,
      seconds,
      extra: ['--pipeline', String(pipeline)],
    }),
  );
  if (result.code !== 0) throw new Error(`memtier_benchmark failed: ${result.stderr}`);
  const totals = /^Totals\s+([\d.]+)/m.exec(result.stdout);
  if (!totals) throw new Error(`no Totals line in memtier output:\n${result.stdout}`);
  return Number(totals[1]);
}

async function compare(name: string, run: (threads: number) => Promise<number>): Promise<void> {
  const figures: Record<1 | 2, number[]> = { 1: [], 2: [] };
  for (let round = 0; round < rounds; round++) {
    for (const threads of round % 2 === 0 ? ([1, 2] as const) : ([2, 1] as const))
      figures[threads].push(await run(threads));
  }
  const one = median(figures[1]);
  const two = median(figures[2]);
  console.log(
    `${name}: --threads 1 ${Math.round(one).toLocaleString('en-US')} ops/s, --threads 2 ${Math.round(two).toLocaleString('en-US')} ops/s, ratio ${(two / one).toFixed(2)}× (median of ${rounds}; rounds 1: ${figures[1].map(Math.round).join(', ')}; 2: ${figures[2].map(Math.round).join(', ')})`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'eck-bench-threads-'));
const server = await RedisNode.start({
  binary: process.env.REDIS_SERVER ?? 'redis-server',
  host: '127.0.0.1',
  dir,
  extraConfig: ['io-threads 2', 'io-threads-do-reads yes'],
});
try {
  console.log(
    `redis-server on 127.0.0.1:${server.port} with io-threads 2; ${clients} connections, pipeline ${pipeline}, SET:GET 1:10, ${seconds} s per run`,
  );
  await compare('elasticache-kit bench', (threads) => benchOps(server.port, threads));
  if (spawnSync(MEMTIER, ['--version']).error) console.log(`memtier_benchmark: skipped (${MEMTIER} is not installed)`);
  else await compare('memtier_benchmark', (threads) => memtierOps(server.port, threads));
} finally {
  await server.stop(2000);
  rmSync(dir, { recursive: true, force: true });
}
