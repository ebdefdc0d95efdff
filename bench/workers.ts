/**
 * bench --workers on the local emulator: one process (no workers), then 1 and 2 emulated
 * bastions through SSM Run Command, against the same 1+1 group. Prints total ops/s, each
 * worker's ops/s, the controller's wall time and what it adds beyond the shared start
 * delay and the load itself (SSM polling, worker start-up, result transfer and merge).
 * On a 2-core machine the workers share the cores with the nodes: the point is the
 * overhead and that the totals add up, not scaling. Run it by hand:
 *
 *   npm run build && node dist/bench/workers.js [--test-time 3] [--clients 4] [--start-in 3]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateReplicationGroupCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { startEmulator } from '../src/local/server.js';
import { waitForReplicationGroup } from '../src/aws/wait.js';
import type { BenchReport } from '../src/bench/report.js';
import { CLI, exec, flag } from './script-kit.js';

const testTime = flag('--test-time', '3');
const clients = flag('--clients', '4');
const startIn = flag('--start-in', '3');
const warmup = '0.5';
const credentials = { accessKeyId: 'AKIABENCHWORKERS0000', secretAccessKey: 'local' };

const stateDir = await mkdtemp(join(tmpdir(), 'eck-bench-workers-'));
const emulator = await startEmulator({ host: '127.0.0.1', port: 0, stateDir, instances: 2 });
const config = { region: 'us-east-1', endpoint: emulator.url, credentials };
const elasticache = new ElastiCacheClient(config);
const ec2 = new EC2Client(config);
try {
  await elasticache.send(
    new CreateReplicationGroupCommand({
      ReplicationGroupId: 'workers',
      ReplicationGroupDescription: 'bench/workers.ts',
      NumCacheClusters: 2,
    }),
  );
  await waitForReplicationGroup(
    { elasticache, ec2, region: 'us-east-1', endpointUrl: emulator.url, local: true },
    'workers',
    { until: 'available', timeoutMs: 60_000, pollMs: 100 },
  );
  const described = await ec2.send(new DescribeInstancesCommand({}));
  const ids = (described.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId!));
  // The child CLIs: the emulator's credentials and region; the workers run this checkout.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    ELASTICACHE_KIT_WORKER_COMMAND: `${process.execPath} ${CLI}`,
  });
  const load = [
    '--test-time',
    testTime,
    '--warmup',
    warmup,
    '--clients',
    clients,
    '--threads',
    '1',
    '--lag-probes',
    '0',
  ];
  const rows: string[][] = [];
  for (const workers of [0, 1, 2]) {
    const distributed = workers === 0 ? [] : ['--workers', ids.slice(0, workers).join(','), '--start-in', startIn];
    const started = performance.now();
    const run = await exec(process.execPath, [
      CLI,
      '--endpoint-url',
      emulator.url,
      '--output',
      'json',
      'bench',
      'workers',
      ...load,
      ...distributed,
    ]);
    const wallS = (performance.now() - started) / 1000;
    if (run.code !== 0) throw new Error(`bench with ${workers} workers failed (${run.code}): ${run.stderr}`);
    const report = JSON.parse(run.stdout) as BenchReport;
    const loadS = Number(warmup) + Number(testTime) + (workers === 0 ? 0 : Number(startIn));
    rows.push([
      workers === 0 ? 'none (one process)' : String(workers),
      report.total.opsPerSec.toLocaleString('en-US'),
      (report.workers ?? []).map((w) => w.opsPerSec.toLocaleString('en-US')).join(' + ') || '-',
      String(report.total.latencyMs.p99),
      wallS.toFixed(1),
      (wallS - loadS).toFixed(1),
    ]);
  }
  const headers = ['workers', 'total ops/s', 'per worker ops/s', 'p99 ms', 'wall s', 'beyond load s'];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  console.log(`--test-time ${testTime} --warmup ${warmup} --clients ${clients} per node, --start-in ${startIn}`);
  console.log(line(headers));
  for (const row of rows) console.log(line(row));
} finally {
  elasticache.destroy();
  ec2.destroy();
  await emulator.close();
  await rm(stateDir, { recursive: true, force: true });
}
