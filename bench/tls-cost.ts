/**
 * What in-transit encryption costs, in one run against one local group: elasticache-kit
 * bench ops/s with TLS against without, and redis-benchmark --tls against plain, each as a
 * ratio. (Redis's own figure for TLS is about -23% for one client.)
 *
 * The group is created with TransitEncryptionMode `preferred`, so its primary endpoint takes
 * TLS and plain RESP on the same port, in front of the same redis-server: the only thing
 * that differs between the two sides is TLS. Rounds alternate plain and TLS so other load on
 * the machine hits both; medians are compared. Not a test; run it by hand:
 *
 *   npm run build && node dist/bench/tls-cost.js [--rounds 3] [--seconds 3] [--clients 1,50]
 */
import { mkdtempSync, rmSync } from 'node:fs';
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
import { CLI, exec, flag, median, redisBenchmarkOpsPerSec } from './script-kit.js';

const rounds = Number(flag('--rounds', '3'));
const seconds = Number(flag('--seconds', '3'));
const clientCounts = flag('--clients', '1,50').split(',').map(Number);

async function ours(port: number, clients: number, tls: string[]): Promise<number> {
  const result = await exec(process.execPath, [
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
    '--test-time',
    String(seconds),
    '--warmup',
    '1',
    '--lag-probes',
    '0',
  ]);
  if (result.code !== 0) throw new Error(`bench failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as BenchReport).total.opsPerSec;
}

async function redisBenchmark(port: number, clients: number, tls: string[]): Promise<number> {
  const requests = clients === 1 ? 30_000 : 200_000;
  return redisBenchmarkOpsPerSec([
    ...['-h', '127.0.0.1', '-p', String(port), ...tls],
    ...['-c', String(clients), '-r', '10000', '-n', String(requests), '-t', 'set,get'],
  ]);
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
      oursPlain: [] as number[],
      oursTls: [] as number[],
      rbPlain: [] as number[],
      rbTls: [] as number[],
    };
    for (let round = 0; round < rounds; round++) {
      figures.oursPlain.push(await ours(port, clients, []));
      figures.oursTls.push(await ours(port, clients, ['--tls', '--ca', ca]));
      figures.rbPlain.push(await redisBenchmark(port, clients, []));
      figures.rbTls.push(await redisBenchmark(port, clients, ['--tls', '--cacert', ca]));
      process.stderr.write(
        `  clients ${clients} round ${round + 1}: bench ${figures.oursPlain.at(-1)!.toFixed(0)} / tls ${figures.oursTls.at(-1)!.toFixed(0)}; redis-benchmark ${figures.rbPlain.at(-1)!.toFixed(0)} / tls ${figures.rbTls.at(-1)!.toFixed(0)}\n`,
      );
    }
    const [op, ot, rp, rt] = [
      median(figures.oursPlain),
      median(figures.oursTls),
      median(figures.rbPlain),
      median(figures.rbTls),
    ];
    rows.push(['bench', String(clients), op.toFixed(0), ot.toFixed(0), (ot / op).toFixed(2)]);
    rows.push(['redis-benchmark', String(clients), rp.toFixed(0), rt.toFixed(0), (rt / rp).toFixed(2)]);
  }
  const header = ['tool', 'clients', 'plain ops/s', 'tls ops/s', 'tls/plain'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padStart(widths[i]!)).join('  '));
} finally {
  elasticache.destroy();
  await emulator.close();
  rmSync(stateDir, { recursive: true, force: true });
}
