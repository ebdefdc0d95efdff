/**
 * elasticache-kit bench against `redis-benchmark --cluster`, in the same run, on the same local
 * 3-shard Redis Cluster (no replicas: redis-benchmark loads primaries only), with the same total
 * clients, pipeline, data size and threads, SET-only then GET-only. Prints ops/s for each and
 * the ratio bench / redis-benchmark (the goal is at least 1.0).
 *
 * Like for like: redis-benchmark spreads -c clients over the primaries, so bench gets
 * --clients c/3 per primary. Its -t set/get send plain SETs, while bench writes every key with
 * a TTL (SET k v PX ttl, a little more work for the server): any difference that leaves
 * favours redis-benchmark. redis-benchmark pins its keys to a node with a hash tag per node;
 * bench routes untagged keys by CRC16 slot, as an app's client does.
 *
 * With --rounds N the tools alternate N times and the medians are compared (other work on the
 * machine then hits both). Not a test; run it by hand (about 20 s a round):
 *
 *   npm run build && node dist/bench/vs-cluster.js [--rounds 1] [--clients 48] [--pipeline 16] [--seconds 3] [--threads 2]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterRuntime, evenSlotRanges } from '../src/local/cluster-runtime.js';
import { findEngineBinary } from '../src/local/engine-binary.js';
import type { BenchReport } from '../src/bench/report.js';
import { exec, execBenchJson, flag, median, singleCommandBenchFlags } from './script-kit.js';

const REDIS_BENCHMARK = process.env.REDIS_BENCHMARK ?? 'redis-benchmark';
const SHARDS = 3;
const clients = Number(flag('--clients', '48'));
const pipeline = Number(flag('--pipeline', '16'));
const seconds = Number(flag('--seconds', '3'));
const threads = Number(flag('--threads', '2'));
const rounds = Number(flag('--rounds', '1'));
const dataSize = 32;
const keyspace = 10_000;

async function redisBenchmark(seed: string, command: 'set' | 'get', expectedOpsPerSec: number): Promise<number> {
  const [host, port] = seed.split(':') as [string, string];
  const requests = Math.max(50_000, Math.round(expectedOpsPerSec * seconds));
  const result = await exec(REDIS_BENCHMARK, [
    '--cluster',
    '-h',
    host,
    '-p',
    port,
    '-c',
    String(clients),
    '-P',
    String(pipeline),
    '-d',
    String(dataSize),
    '-r',
    String(keyspace),
    '-n',
    String(requests),
    '--threads',
    String(threads),
    '-t',
    command,
    '--csv',
  ]);
  if (result.code !== 0) throw new Error(`redis-benchmark failed: ${result.stderr}`);
  const row = result.stdout
    .trim()
    .split('\n')
    .find((line) => line.startsWith(`"${command.toUpperCase()}"`));
  const rps = Number(row?.split('","')[1]?.replace(/"/g, ''));
  if (!Number.isFinite(rps)) throw new Error(`no figures in redis-benchmark output:\n${result.stdout}`);
  return rps;
}

async function ours(seed: string, command: 'set' | 'get'): Promise<{ opsPerSec: number; perShard: number[] }> {
  const result = await execBenchJson([
    '--primary',
    seed,
    '--clients',
    String(Math.max(1, Math.round(clients / SHARDS))),
    '--threads',
    String(threads),
    ...singleCommandBenchFlags({ command, pipeline, dataSize, keyspace, seconds }),
  ]);
  if (result.code !== 0) throw new Error(`bench failed: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as BenchReport;
  if (report.total.errors > 0) throw new Error(`bench counted ${report.total.errors} errors`);
  return { opsPerSec: report.total.opsPerSec, perShard: (report.shards ?? []).map((s) => s.opsPerSec) };
}

const dataDir = mkdtempSync(join(tmpdir(), 'eck-vs-cluster-'));
const runtime = await ClusterRuntime.start({
  groupId: 'vs',
  shards: evenSlotRanges(SHARDS).map((slots, index) => {
    const nodeGroupId = String(index + 1).padStart(4, '0');
    return { nodeGroupId, slots: [slots], memberIds: [`vs-${nodeGroupId}-001`] };
  }),
  engineBinary: findEngineBinary('redis').path,
  host: '127.0.0.1',
  dataDir,
});
try {
  const seed = `${runtime.configurationEndpoint.address}:${runtime.configurationEndpoint.port}`;
  console.log(
    `${SHARDS}-shard Redis Cluster (configuration endpoint ${seed}); ${clients} clients in total, pipeline ${pipeline}, ${dataSize}-byte values, ${keyspace} keys, ${threads} threads, ~${seconds} s per run, ${rounds} round(s)${rounds > 1 ? ', medians' : ''}\n`,
  );
  const rows: string[][] = [];
  for (const command of ['set', 'get'] as const) {
    const runs: Array<{ us: Awaited<ReturnType<typeof ours>>; rb: number }> = [];
    for (let round = 0; round < rounds; round++) {
      const us = await ours(seed, command);
      runs.push({ us, rb: await redisBenchmark(seed, command, us.opsPerSec) });
    }
    const rb = median(runs.map((r) => r.rb));
    const us = runs.find((r) => r.us.opsPerSec === median(runs.map((x) => x.us.opsPerSec)))!.us;
    rows.push([
      command.toUpperCase(),
      Math.round(rb).toLocaleString('en-US'),
      us.opsPerSec.toLocaleString('en-US'),
      (us.opsPerSec / rb).toFixed(2),
      us.perShard.map((n) => n.toLocaleString('en-US')).join(' / '),
    ]);
  }
  const header = [
    'command',
    'redis-benchmark ops/s',
    'bench ops/s',
    'bench / redis-benchmark',
    'bench per shard ops/s',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
} finally {
  await runtime.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
