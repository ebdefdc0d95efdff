/**
 * Lag accuracy: with the emulator's replication delay set to 0, 5 and 20 ms, does
 * `bench` report a lag p50 within 1 ms + 10% of the delay? Prints a table; exit 1 if a
 * row fails. Not a test (timing on a shared machine); run it by hand:
 *
 *   npm run build && node dist/bench/lag-accuracy.js [--delays 0,5,20] [--test-time 5] [--clients 5]
 */
import { spawn } from 'node:child_process';
import type { BenchReport } from '../src/bench/report.js';
import { CLI, flag, startEmulatedGroup } from './script-kit.js';

const delays = flag('--delays', '0,5,20').split(',').map(Number);
const testTime = flag('--test-time', '5');
const clients = flag('--clients', '5');

function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...argv], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Row {
  delay: number;
  replica: string;
  p50: number;
  p99: number;
  rtt: number;
  stale: number;
  pass: boolean;
}

async function measure(delay: number): Promise<Row[]> {
  const group = await startEmulatedGroup({ id: 'lag-accuracy', nodes: 3, replicationDelayMs: delay });
  try {
    const env = group.env;
    // Load alongside the probes (--clients per node): lag under load.
    const result = await runCli(
      [
        '--endpoint-url',
        group.url,
        '--output',
        'json',
        'bench',
        'lag-accuracy',
        '--test-time',
        testTime,
        '--clients',
        clients,
        '--lag-probes',
        '50',
      ],
      env,
    );
    if (result.code !== 0) throw new Error(`bench failed (${result.code}): ${result.stderr}`);
    const report = JSON.parse(result.stdout) as BenchReport;
    return report.replication.map((r) => ({
      delay,
      replica: r.node,
      p50: r.lagMs.p50,
      p99: r.lagMs.p99,
      rtt: r.pollRttMs.p50,
      stale: r.staleReadRatio,
      pass: Math.abs(r.lagMs.p50 - delay) <= 1 + 0.1 * delay,
    }));
  } finally {
    await group.close();
  }
}

console.log(`load: --clients ${clients} per node, ${testTime} s, 50 probes/s`);
const rows: Row[] = [];
for (const delay of delays) rows.push(...(await measure(delay)));
const line = (cells: Array<string | number>) => cells.map((c) => String(c).padStart(12)).join(' ');
console.log(
  line(['delay ms', 'replica', 'lag p50 ms', 'lag p99 ms', 'poll rtt ms', 'stale reads', 'bound ms', 'result']),
);
for (const r of rows) {
  console.log(
    line([
      r.delay,
      r.replica,
      r.p50,
      r.p99,
      r.rtt,
      `${(r.stale * 100).toFixed(1)}%`,
      `±${(1 + 0.1 * r.delay).toFixed(1)}`,
      r.pass ? 'pass' : 'FAIL',
    ]),
  );
}
process.exitCode = rows.every((r) => r.pass) ? 0 : 1;
