/**
 * elasticache-kit bench against redis-benchmark, in the same run, on the same local
 * redis-server, with the same clients, pipeline, data size and command: SET-only and
 * GET-only (redis-benchmark runs each command as its own test, so our --ratio 1:0 and
 * 0:1 are the like-for-like runs), at --clients 50 with --pipeline 1 and 16.
 *
 * Same command on the wire: bench writes every key with a TTL (SET k v PX ttl), which
 * costs the server more than a plain SET (the expires dict), so redis-benchmark is given
 * that exact command (`SET key:__rand_int__ <32 bytes> PX 3600000`) instead of `-t set`.
 * Its SET run also fills its keyspace, so its GETs hit, as ours do after the prefill.
 *
 * Latency semantics match: redis-benchmark times each request from the write of its
 * batch to the first read event carrying replies; we time each request from its write
 * to the read event that carried its reply. Both report HDR percentiles in ms.
 *
 * Rounds alternate the two tools so that noise from other work on the machine hits both;
 * the medians are compared. Not a test; run it by hand:
 *
 *   npm run build && node dist/bench/vs-redis-benchmark.js [--rounds 3] [--seconds 3] [--no-pin]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisNode } from '../src/local/redis-node.js';
import type { BenchReport } from '../src/bench/report.js';
import { exec, execBenchJson, flag, hasSwitch, median, singleCommandBenchFlags } from './script-kit.js';

const REDIS_BENCHMARK = process.env.REDIS_BENCHMARK ?? 'redis-benchmark';
const rounds = Number(flag('--rounds', '3'));
const seconds = Number(flag('--seconds', '3'));
const clients = 50;
const dataSize = 32;
const keyspace = 10_000;

interface Figures {
  opsPerSec: number;
  p50: number;
  p99: number;
}

/*
 * On a machine with two or more cores the server gets core 0 and the load generators core 1
 * (taskset, when it is there): otherwise the scheduler moves them around and a round's
 * figure depends on where they landed more than on either tool. `--no-pin` turns it off.
 */
const pin = !hasSwitch('--no-pin') && availableParallelism() >= 2 && spawnSync('taskset', ['-V']).status === 0;

function run(command: string, argv: string[]): ReturnType<typeof exec> {
  return pin ? exec('taskset', ['-c', '1', command, ...argv]) : exec(command, argv);
}

async function redisBenchmark(
  port: number,
  pipeline: number,
  command: 'set' | 'get',
  expectedOpsPerSec: number,
): Promise<Figures> {
  // -n sized for about `seconds` of load at the rate seen so far.
  const requests = Math.max(100_000, Math.round(expectedOpsPerSec * seconds));
  const value = 'x'.repeat(dataSize);
  const commandLine =
    command === 'set' ? ['SET', 'key:__rand_int__', value, 'PX', '3600000'] : ['GET', 'key:__rand_int__'];
  const result = await run(REDIS_BENCHMARK, [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-c',
    String(clients),
    '-P',
    String(pipeline),
    '-r',
    String(keyspace),
    '-n',
    String(requests),
    '--csv',
    ...commandLine,
  ]);
  if (result.code !== 0) throw new Error(`redis-benchmark failed: ${result.stderr}`);
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  const row = result.stdout.trim().split('\n').pop() ?? '';
  const cells = row.split('","').map((c) => Number(c.replace(/"/g, '')));
  if (!Number.isFinite(cells[1])) throw new Error(`no figures in redis-benchmark output:\n${result.stdout}`);
  return { opsPerSec: cells[1]!, p50: cells[4]!, p99: cells[6]! };
}

async function ours(port: number, pipeline: number, command: 'set' | 'get', attempt = 1): Promise<Figures> {
  const result = await execBenchJson(
    [
      '--primary',
      `127.0.0.1:${port}`,
      '--clients',
      String(clients),
      ...singleCommandBenchFlags({ command, pipeline, dataSize, keyspace, seconds }),
    ],
    run,
  );
  // One retry: other people's builds may rewrite dist/ under a running benchmark.
  if (result.code !== 0 && attempt === 1) return ours(port, pipeline, command, 2);
  if (result.code !== 0) throw new Error(`bench failed: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as BenchReport;
  const node = report.nodes[0]!;
  const latency = node.latencyMsByCommand[command];
  return { opsPerSec: node.opsPerSec, p50: latency.p50, p99: latency.p99 };
}

const dir = mkdtempSync(join(tmpdir(), 'eck-vs-redis-benchmark-'));
const server = await RedisNode.start({ binary: process.env.REDIS_SERVER ?? 'redis-server', host: '127.0.0.1', dir });
if (pin) spawnSync('taskset', ['-pc', '0', String(server.pid)]);
try {
  console.log(
    `redis-server on port ${server.port}${pin ? ' (pinned to core 0, load generators to core 1)' : ''}; ${clients} clients, ${dataSize}-byte values, ${keyspace} keys, ${rounds} alternating rounds of ~${seconds} s, medians\n`,
  );
  const header = [
    'pipeline',
    'command',
    'rb ops/s',
    'ours ops/s',
    'ratio',
    'rb p50 ms',
    'ours p50',
    'p50 ratio',
    'rb p99 ms',
    'ours p99',
  ];
  const rows: string[][] = [];
  for (const pipeline of [1, 16]) {
    for (const command of ['set', 'get'] as const) {
      const rb: Figures[] = [];
      const us: Figures[] = [];
      let expected = pipeline === 1 ? 100_000 : 800_000;
      for (let round = 0; round < rounds; round++) {
        const a = await redisBenchmark(server.port, pipeline, command, expected);
        expected = a.opsPerSec;
        rb.push(a);
        us.push(await ours(server.port, pipeline, command));
        process.stderr.write(
          `  P${pipeline} ${command} round ${round + 1}: redis-benchmark ${Math.round(a.opsPerSec)} ops/s p50 ${a.p50}, ours ${us[us.length - 1]!.opsPerSec} ops/s p50 ${us[us.length - 1]!.p50}\n`,
        );
      }
      const rbOps = median(rb.map((f) => f.opsPerSec));
      const usOps = median(us.map((f) => f.opsPerSec));
      const rbP50 = median(rb.map((f) => f.p50));
      const usP50 = median(us.map((f) => f.p50));
      rows.push([
        String(pipeline),
        command.toUpperCase(),
        String(Math.round(rbOps)),
        String(Math.round(usOps)),
        (usOps / rbOps).toFixed(2),
        rbP50.toFixed(3),
        usP50.toFixed(3),
        (usP50 / rbP50).toFixed(2),
        median(rb.map((f) => f.p99)).toFixed(3),
        median(us.map((f) => f.p99)).toFixed(3),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log('\nratio = ours / redis-benchmark: throughput goal ≥ 0.90; p50 goal within 20% (0.80-1.20)');
} finally {
  await server.stop(2000);
  rmSync(dir, { recursive: true, force: true });
}
