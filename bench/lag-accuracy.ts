/**
 * Lag accuracy: with the emulator's replication delay set to 0, 5 and 20 ms, does
 * `bench` report a lag p50 within 1 ms + 10% of the delay? Prints a table; exit 1 if a
 * row fails. Not a test (timing on a shared machine); run it by hand:
 *
 *   npm run build && node dist/bench/lag-accuracy.js [--delays 0,5,20] [--test-time 5] [--clients 5]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ElastiCacheClient, CreateReplicationGroupCommand } from '@aws-sdk/client-elasticache';
import { EC2Client } from '@aws-sdk/client-ec2';
import { startEmulator } from '../src/local/server.js';
import { waitForReplicationGroup } from '../src/aws/wait.js';
import type { BenchReport } from '../src/bench/report.js';

const CLI = fileURLToPath(new URL('../../bin/elasticache-kit.js', import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const delays = flag('--delays', '0,5,20').split(',').map(Number);
const testTime = flag('--test-time', '5');
const clients = flag('--clients', '5');
const credentials = { accessKeyId: 'AKIALAGACCURACY00000', secretAccessKey: 'local' };

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
  const stateDir = await mkdtemp(join(tmpdir(), 'eck-lag-accuracy-'));
  const emulator = await startEmulator({ host: '127.0.0.1', port: 0, stateDir, replicationDelayMs: delay });
  const config = { region: 'us-east-1', endpoint: emulator.url, credentials };
  const elasticache = new ElastiCacheClient(config);
  const ec2 = new EC2Client(config);
  try {
    await elasticache.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'lag-accuracy',
        ReplicationGroupDescription: 'lag accuracy',
        Engine: 'redis',
        NumCacheClusters: 3,
      }),
    );
    await waitForReplicationGroup({ elasticache, ec2, region: 'us-east-1', local: true }, 'lag-accuracy', {
      until: 'available',
      timeoutMs: 60_000,
      pollMs: 100,
    });
    const env = {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
    };
    // Load alongside the probes (--clients per node): lag under load.
    const result = await runCli(
      [
        '--endpoint-url',
        emulator.url,
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
    elasticache.destroy();
    ec2.destroy();
    await emulator.close();
    await rm(stateDir, { recursive: true, force: true });
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
