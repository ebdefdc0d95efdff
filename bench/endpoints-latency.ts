/**
 * How quick is `endpoints` for a CI step? Starts the emulator with a 1+2 group, then runs
 * the built CLI as CI does (a fresh node process each time) and prints wall-time figures
 * per scenario, next to `--version` (the floor: node plus the CLI shim), and the npm
 * packages the command loads (ioredis, inquirer and ora must not be among them).
 *
 *   npm run build && node dist/bench/endpoints-latency.js [runs=15]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CreateReplicationGroupCommand, ElastiCacheClient, waitUntilReplicationGroupAvailable } from '@aws-sdk/client-elasticache';
import { startEmulator } from '../src/local/server.js';

const runs = Number(process.argv[2] ?? 15);
const CLI = fileURLToPath(new URL('../../bin/elasticache-kit.js', import.meta.url));
const stateDir = mkdtempSync(join(tmpdir(), 'endpoints-latency-'));
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const env = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'AKIABENCH00000000000',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  NO_COLOR: '1',
};

// Records every npm package the child resolves (module hooks run before the CLI does).
const HOOK =
  'data:text/javascript,import {register} from "node:module"; register("data:text/javascript,' +
  'export async function resolve(s,c,n){const r=await n(s,c); if(r.url.includes(\\"/node_modules/\\")) process.stderr.write(\\"LOADED \\"+r.url+\\"\\\\n\\"); return r;}");';

function run(args: string[], extraNodeArgs: string[] = []): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, [...extraNodeArgs, CLI, ...args], { env, cwd: stateDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ ms: performance.now() - started, code, stdout, stderr })));
}

function summary(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `min ${sorted[0]!.toFixed(0)} ms · median ${at(0.5).toFixed(0)} ms · p90 ${at(0.9).toFixed(0)} ms · max ${sorted[sorted.length - 1]!.toFixed(0)} ms`;
}

const emulator = await startEmulator({ host: '127.0.0.1', port: 0, stateDir });
const client = new ElastiCacheClient({ region: 'us-east-1', endpoint: emulator.url, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: 'bench' } });
try {
  await client.send(new CreateReplicationGroupCommand({ ReplicationGroupId: 'demo', ReplicationGroupDescription: 'latency', NumCacheClusters: 3, AutomaticFailoverEnabled: true }));
  await waitUntilReplicationGroupAvailable({ client, minDelay: 1, maxDelay: 1, maxWaitTime: 60 }, { ReplicationGroupId: 'demo' });
  const target = ['--endpoint-url', emulator.url];
  const scenarios: [string, string[]][] = [
    ['--version (node + CLI floor)', ['--version']],
    ['endpoints demo (json)', [...target, 'endpoints', 'demo']],
    ['endpoints demo --format dotenv', [...target, 'endpoints', 'demo', '--format', 'dotenv']],
    ['endpoints demo --format appsettings-xml --out web.config', [...target, 'endpoints', 'demo', '--format', 'appsettings-xml', '--out', 'web.config']],
    // For comparison: the same two API calls from a command that still loads the EC2 client.
    ['wait demo --output json (same calls + EC2 client load)', [...target, '--output', 'json', 'wait', 'demo']],
  ];
  console.log(`endpoints latency: ${runs} runs each after 2 warm-up runs, a fresh node process per run (node ${process.version})`);
  for (const [name, args] of scenarios) {
    for (let i = 0; i < 2; i++) await run(args);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const result = await run(args);
      if (result.code !== 0) throw new Error(`${name} exited ${result.code}: ${result.stderr}`);
      times.push(result.ms);
    }
    console.log(`  ${name.padEnd(58)} ${summary(times)}`);
  }
  const traced = await run([...target, 'endpoints', 'demo'], ['--import', HOOK]);
  const packages = new Set(
    [...traced.stderr.matchAll(/LOADED .*?\/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].map((m) => m[1]!),
  );
  const heavy = ['ioredis', '@inquirer/prompts', 'ora', 'fast-xml-parser', '@aws-sdk/client-ec2'].filter((name) => packages.has(name));
  console.log(`  npm packages imported by endpoints demo (ESM entry points): ${[...packages].join(', ')}`);
  console.log(`  ioredis / inquirer / ora / fast-xml-parser / client-ec2 loaded: ${heavy.length ? heavy.join(', ') : 'none'}`);
} finally {
  client.destroy();
  await emulator.close();
  rmSync(stateDir, { recursive: true, force: true });
}
