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
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import type { BenchReport } from '../src/bench/report.js';
import { CLI, exec, flag, startEmulatedGroup } from './script-kit.js';

const testTime = flag('--test-time', '3');
const clients = flag('--clients', '4');
const startIn = flag('--start-in', '3');
const warmup = '0.5';

const group = await startEmulatedGroup({ id: 'workers', nodes: 2, instances: 2 });
try {
  const described = await group.ec2.send(new DescribeInstancesCommand({}));
  const ids = (described.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId!));
  // The child CLIs: the emulator's credentials and region; the workers run this checkout.
  Object.assign(process.env, group.env, { ELASTICACHE_KIT_WORKER_COMMAND: `${process.execPath} ${CLI}` });
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
      group.url,
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
  await group.close();
}
