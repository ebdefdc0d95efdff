/**
 * What in-transit encryption costs, in one run against one local group: elasticache-kit
 * bench ops/s with TLS against without, and redis-benchmark --tls against plain, each as a
 * ratio. (Redis's own figure for TLS is about -23% for one client.)
 *
 * The group is created with TransitEncryptionMode `preferred`, so its primary endpoint takes
 * TLS and plain RESP on the same port, in front of the same redis-server: the only thing
 * that differs between the two sides is TLS. Rounds alternate plain and TLS so other load on
 * the machine hits both; medians are compared. Throughput on a shared machine swings with its
 * load, so the script also prints each client's own CPU time per operation (user + sys, from
 * /usr/bin/time): TLS's cost to the client barely depends on what else runs. Not a test; run it by hand:
 *
 *   npm run build && node dist/bench/tls-cost.js [--rounds 3] [--seconds 3] [--clients 1,50]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateReplicationGroupCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  waitUntilReplicationGroupAvailable,
} from '@aws-sdk/client-elasticache';
import { startEmulator } from '../src/local/server.js';
import { caCertPath } from '../src/local/tls-material.js';
import type { BenchReport } from '../src/bench/report.js';
import { CLI, exec, flag, median, redisBenchmarkRps } from './script-kit.js';

const REDIS_BENCHMARK = process.env.REDIS_BENCHMARK ?? 'redis-benchmark';
const rounds = Number(flag('--rounds', '3'));
const seconds = Number(flag('--seconds', '3'));
const clientCounts = flag('--clients', '1,50').split(',').map(Number);

const TIME = '/usr/bin/time';
const hasTime = existsSync(TIME);

interface Figure {
  opsPerSec: number;
  /** The client's CPU (user + sys) per operation in µs, start-up included; NaN without /usr/bin/time. */
  cpuUsPerOp: number;
}

/** Runs a client under /usr/bin/time (when there is one) and returns its output and CPU seconds. */
async function timed(command: string, argv: string[]) {
  if (!hasTime) return { ...(await exec(command, argv)), cpuSeconds: Number.NaN };
  const out = join(stateDir, `time-${process.hrtime.bigint()}`);
  const result = await exec(TIME, ['-f', '%U %S', '-o', out, command, ...argv]);
  const [user, sys] = readFileSync(out, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
  return { ...result, cpuSeconds: user! + sys! };
}

/** One bench run; `length` is `--test-time S` or `--requests N`. */
async function benchRun(port: number, clients: number, tls: string[], length: string[]) {
  const result = await timed(process.execPath, [
    CLI,
    '--output',
    'json',
    'bench',
    '--primary',
    `127.0.0.1:${port}`,
    ...tls,
    '--clients',
    String(clients),
    '--ratio',
    '1:1',
    '--read-from',
    'primary',
    '--key-maximum',
    '10000',
    ...length,
    '--warmup',
    '0',
    '--lag-probes',
    '0',
  ]);
  if (result.code !== 0) throw new Error(`bench failed: ${result.stderr}`);
  return { total: (JSON.parse(result.stdout) as BenchReport).total, cpuSeconds: result.cpuSeconds };
}

/**
 * bench's figures; its CPU per op leaves out what a run costs before the load (Node's
 * start-up, the connections and their TLS handshakes), measured by a run of one request per
 * connection, so what remains is the steady per-operation cost.
 */
async function ours(port: number, clients: number, tls: string[]): Promise<Figure> {
  const baseline = await benchRun(port, clients, tls, ['--requests', String(clients)]);
  const run = await benchRun(port, clients, tls, ['--test-time', String(seconds)]);
  return {
    opsPerSec: run.total.opsPerSec,
    cpuUsPerOp: ((run.cpuSeconds - baseline.cpuSeconds) * 1e6) / run.total.ops,
  };
}

async function redisBenchmark(port: number, clients: number, tls: string[]): Promise<Figure> {
  const requests = clients === 1 ? 30_000 : 200_000;
  const result = await timed(REDIS_BENCHMARK, [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    ...tls,
    '-c',
    String(clients),
    '-r',
    '10000',
    '-n',
    String(requests),
    '-t',
    'set,get',
    '--csv',
  ]);
  if (result.code !== 0) throw new Error(`redis-benchmark failed: ${result.stderr}`);
  const rps = redisBenchmarkRps(result.stdout);
  // -t set,get runs `requests` of each.
  return {
    opsPerSec: rps.reduce((a, b) => a + b, 0) / rps.length,
    cpuUsPerOp: (result.cpuSeconds * 1e6) / (2 * requests),
  };
}

const stateDir = mkdtempSync(join(tmpdir(), 'eck-tls-cost-'));
const emulator = await startEmulator({ host: '127.0.0.1', port: 0, stateDir, replicationDelayMs: 0 });
const elasticache = new ElastiCacheClient({
  region: 'us-east-1',
  endpoint: emulator.url,
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
try {
  await elasticache.send(
    new CreateReplicationGroupCommand({
      ReplicationGroupId: 'tls-cost',
      ReplicationGroupDescription: 'tls cost',
      NumCacheClusters: 1,
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'preferred',
    }),
  );
  await waitUntilReplicationGroupAvailable(
    { client: elasticache, minDelay: 1, maxDelay: 1, maxWaitTime: 60 },
    { ReplicationGroupId: 'tls-cost' },
  );
  const group = (await elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'tls-cost' })))
    .ReplicationGroups![0]!;
  const port = group.NodeGroups![0]!.PrimaryEndpoint!.Port!;
  const ca = caCertPath(stateDir);
  console.log(
    `one local group (TransitEncryptionMode preferred), primary endpoint 127.0.0.1:${port}; SET:GET 1:1, ${rounds} alternating rounds of ~${seconds} s, medians\n`,
  );
  const rows: string[][] = [];
  for (const clients of clientCounts) {
    const figures = {
      oursPlain: [] as Figure[],
      oursTls: [] as Figure[],
      rbPlain: [] as Figure[],
      rbTls: [] as Figure[],
    };
    for (let round = 0; round < rounds; round++) {
      figures.oursPlain.push(await ours(port, clients, []));
      figures.oursTls.push(await ours(port, clients, ['--tls', '--ca', ca]));
      figures.rbPlain.push(await redisBenchmark(port, clients, []));
      figures.rbTls.push(await redisBenchmark(port, clients, ['--tls', '--cacert', ca]));
      const show = (figure: Figure) => `${figure.opsPerSec.toFixed(0)} (${figure.cpuUsPerOp.toFixed(1)} µs cpu/op)`;
      process.stderr.write(
        `  clients ${clients} round ${round + 1}: bench ${show(figures.oursPlain.at(-1)!)} / tls ${show(figures.oursTls.at(-1)!)}; redis-benchmark ${show(figures.rbPlain.at(-1)!)} / tls ${show(figures.rbTls.at(-1)!)}\n`,
      );
    }
    for (const [tool, plain, tls] of [
      ['bench', figures.oursPlain, figures.oursTls],
      ['redis-benchmark', figures.rbPlain, figures.rbTls],
    ] as const) {
      const ops = [median(plain.map((f) => f.opsPerSec)), median(tls.map((f) => f.opsPerSec))] as const;
      const cpu = [median(plain.map((f) => f.cpuUsPerOp)), median(tls.map((f) => f.cpuUsPerOp))] as const;
      rows.push([
        tool,
        String(clients),
        ops[0].toFixed(0),
        ops[1].toFixed(0),
        (ops[1] / ops[0]).toFixed(2),
        cpu[0].toFixed(1),
        cpu[1].toFixed(1),
        (cpu[1] - cpu[0]).toFixed(1),
      ]);
    }
  }
  const header = [
    'tool',
    'clients',
    'plain ops/s',
    'tls ops/s',
    'tls/plain',
    'plain µs cpu/op',
    'tls µs cpu/op',
    'tls extra µs/op',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padStart(widths[i]!)).join('  '));
} finally {
  elasticache.destroy();
  await emulator.close();
  rmSync(stateDir, { recursive: true, force: true });
}
