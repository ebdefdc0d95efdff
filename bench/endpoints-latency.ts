/**
 * How quick is `endpoints` for a CI step? Starts the emulator with a 1+2 group, then runs
 * the built CLI as CI does (a fresh node process each time) and prints wall-time figures
 * per scenario, next to `--version` (the floor: node plus the CLI shim), and the npm
 * packages the command loads (ioredis, inquirer and ora must not be among them).
 *
 *   npm run build && node dist/bench/endpoints-latency.js [runs=15]
 *
 * The goal's ratio is against AWS CLI v2: every AWS CLI found ($AWS_CLI, `aws` on PATH,
 * /usr/bin/aws: Debian's awscli package is v2, a pip install is often v1) is measured, and
 * the ratio is judged against the first v2 among them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  CreateReplicationGroupCommand,
  ElastiCacheClient,
  waitUntilReplicationGroupAvailable,
} from '@aws-sdk/client-elasticache';
import { startEmulator } from '../src/local/server.js';

const runs = Number(process.argv[2] ?? 15);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(
    'usage: node dist/bench/endpoints-latency.js [runs=15]   (AWS_CLI=/path/to/aws to compare another AWS CLI)',
  );
  process.exit(2);
}
// ELASTICACHE_KIT_BENCH_BIN points at another shim (e.g. one that loads tsc's dist/src) to compare.
const CLI =
  process.env.ELASTICACHE_KIT_BENCH_BIN ?? fileURLToPath(new URL('../../bin/elasticache-kit.js', import.meta.url));
const stateDir = mkdtempSync(join(tmpdir(), 'endpoints-latency-'));
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const env = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'AKIABENCH00000000000',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1', // the AWS CLI's name for it
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  NO_COLOR: '1',
};

// Records every file the child loaded (the bundle is CommonJS: require's cache holds them all)
// on stderr as it exits.
const HOOK = join(stateDir, 'trace-loads.cjs');
writeFileSync(
  HOOK,
  "process.on('exit', () => require('node:fs').writeSync(2, Object.keys(require.cache).map((f) => 'LOADED ' + f + '\\n').join('')));",
);

type RunResult = { ms: number; code: number | null; stdout: string; stderr: string };

function run(args: string[], extraNodeArgs: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return runProgram(process.execPath, [...extraNodeArgs, CLI, ...args], extraEnv);
}

function runProgram(file: string, argv: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const started = performance.now();
  const child = spawn(file, argv, { env: { ...env, ...extraEnv }, cwd: stateDir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.on('error', () => undefined);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ ms: performance.now() - started, code, stdout, stderr })),
  );
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Times `runs` fresh processes of each scenario after 2 warm-up rounds and prints one line
 * per scenario; returns the medians by name. Interleaved: each round runs every scenario
 * once, so a ratio compares runs taken side by side. (Scenario after scenario, the machine's
 * speed drifts between the two figures of a ratio: this machine's bare `node -e 0` moved
 * from 27 to 36 ms within minutes.)
 */
async function measureInterleaved(scenarios: [name: string, start: () => Promise<RunResult>][]) {
  const times = new Map(scenarios.map(([name]) => [name, [] as number[]]));
  for (let round = -2; round < runs; round++) {
    for (const [name, start] of scenarios) {
      const result = await start();
      if (result.code !== 0) throw new Error(`${name} exited ${result.code}: ${result.stderr}`);
      if (round >= 0) times.get(name)!.push(result.ms);
    }
  }
  for (const [name, ms] of times) console.log(`  ${name.padEnd(58)} ${summary(ms)}`);
  return new Map([...times].map(([name, ms]) => [name, median(ms)]));
}

/** Every distinct AWS CLI installed ($AWS_CLI, `aws` on PATH, /usr/bin/aws), with its version word. */
async function awsClis(): Promise<{ path: string; version: string }[]> {
  const found = new Map<string, string>();
  for (const path of [process.env.AWS_CLI, 'aws', '/usr/bin/aws', '/usr/local/bin/aws']) {
    if (!path) continue;
    const result = await runProgram(path, ['--version']).catch(() => undefined);
    if (result?.code !== 0) continue;
    const version = (result.stdout + result.stderr).trim().split(/\s/)[0]!;
    if (![...found.values()].includes(version)) found.set(path, version);
  }
  return [...found].map(([path, version]) => ({ path, version }));
}

/** The bundle chunks (dist/bundle/*.js) a traced run loaded. */
function stderrChunks(stderr: string): Set<string> {
  return new Set([...stderr.matchAll(/^LOADED (.*\/dist\/bundle\/[^/]+\.js)$/gm)].map((m) => m[1]!));
}

function summary(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `min ${sorted[0]!.toFixed(0)} ms · median ${at(0.5).toFixed(0)} ms · p90 ${at(0.9).toFixed(0)} ms · max ${sorted[sorted.length - 1]!.toFixed(0)} ms`;
}

const emulator = await startEmulator({ host: '127.0.0.1', port: 0, stateDir });
const client = new ElastiCacheClient({
  region: 'us-east-1',
  endpoint: emulator.url,
  credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: 'bench' },
});
try {
  await client.send(
    new CreateReplicationGroupCommand({
      ReplicationGroupId: 'demo',
      ReplicationGroupDescription: 'latency',
      NumCacheClusters: 3,
      AutomaticFailoverEnabled: true,
    }),
  );
  await waitUntilReplicationGroupAvailable(
    { client, minDelay: 1, maxDelay: 1, maxWaitTime: 60 },
    { ReplicationGroupId: 'demo' },
  );
  const target = ['--endpoint-url', emulator.url];
  // --local as a user types it: the CLI probes the emulator's port first, then calls it.
  const localEnv = { ELASTICACHE_KIT_LOCAL_PORT: String(emulator.port), ELASTICACHE_KIT_STATE_DIR: stateDir };
  const LOCAL = '--local endpoints demo (probe + the same calls)';
  const BARE = 'node -e 0 (bare node start)';
  const clis = await awsClis();
  const describe = (version: string) => `${version} describe-replication-groups`;
  const scenarios: [string, () => Promise<RunResult>][] = [
    [BARE, () => runProgram(process.execPath, ['-e', '0'])],
    ...(
      [
        ['--version (node + CLI floor)', ['--version']],
        ['endpoints demo (json)', [...target, 'endpoints', 'demo']],
        ['endpoints demo --format dotenv', [...target, 'endpoints', 'demo', '--format', 'dotenv']],
        [
          'endpoints demo --format appsettings-xml --out web.config',
          [...target, 'endpoints', 'demo', '--format', 'appsettings-xml', '--out', 'web.config'],
        ],
        // For comparison: the same two API calls from another command (neither loads the EC2 client).
        ['wait demo --output json (the same calls)', [...target, '--output', 'json', 'wait', 'demo']],
        ['--help', ['--help']],
      ] as [string, string[]][]
    ).map(([name, args]): [string, () => Promise<RunResult>] => [name, () => run(args)]),
    [LOCAL, () => run(['--local', 'endpoints', 'demo'], [], localEnv)],
    // What a run costs without the compiled code of the previous one (bin/compile-cache.js).
    [
      'endpoints demo, compile cache off',
      () => run([...target, 'endpoints', 'demo'], [], { NODE_DISABLE_COMPILE_CACHE: '1' }),
    ],
    ...clis.map(({ path, version }): [string, () => Promise<RunResult>] => [
      describe(version),
      () =>
        runProgram(path, [
          '--endpoint-url',
          emulator.url,
          'elasticache',
          'describe-replication-groups',
          '--replication-group-id',
          'demo',
        ]),
    ]),
  ];
  console.log(
    `endpoints latency: ${runs} rounds after 2 warm-up rounds, each running every scenario once in a fresh process (node ${process.version})`,
  );
  const medians = await measureInterleaved(scenarios);
  const nodeFloor = medians.get(BARE)!;
  const local = medians.get(LOCAL)!;
  const help = medians.get('--help')!;
  const endpoints = medians.get('endpoints demo (json)')!;
  const awsDescribes = clis.map(({ version }) => ({ version, ms: medians.get(describe(version))! }));
  console.log('start-up goals (medians):');
  console.log(`  endpoints demo: ${endpoints.toFixed(0)} ms (goal <= 300 ms) ${endpoints <= 300 ? 'ok' : 'MISSED'}`);
  console.log(`  --local endpoints demo: ${local.toFixed(0)} ms (goal <= 300 ms) ${local <= 300 ? 'ok' : 'MISSED'}`);
  const v2 = awsDescribes.find((cli) => cli.version.startsWith('aws-cli/2.'));
  for (const cli of awsDescribes) {
    const ratio = endpoints / cli.ms;
    const verdict =
      cli === v2 ? ` (goal <= 0.25x) ${ratio <= 0.25 ? 'ok' : 'MISSED'}` : ' (the goal is set against v2)';
    console.log(`  endpoints / ${cli.version} describe-replication-groups: ${ratio.toFixed(2)}x${verdict}`);
  }
  if (!v2) console.log('  endpoints / AWS CLI v2: not measured (no AWS CLI v2 found; set AWS_CLI=/path/to/aws)');
  const helpRatio = help / nodeFloor;
  console.log(`  --help / bare node: ${helpRatio.toFixed(2)}x (goal <= 1.5x) ${helpRatio <= 1.5 ? 'ok' : 'MISSED'}`);
  const traced = await run([...target, 'endpoints', 'demo'], ['--require', HOOK]);
  // A bundle chunk stands for the npm packages compiled into it, which its source map lists.
  const loaded = [...traced.stderr.matchAll(/^LOADED (.*)$/gm)].map((m) => m[1]!);
  const bundled = [...stderrChunks(traced.stderr)].flatMap(
    (file) => (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources,
  );
  const packages = new Set(
    [...loaded, ...bundled]
      .map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1])
      .filter((name): name is string => name !== undefined),
  );
  const heavy = ['ioredis', '@inquirer/prompts', 'ora', 'fast-xml-parser', '@aws-sdk/client-ec2'].filter((name) =>
    packages.has(name),
  );
  console.log(
    `  bundle files endpoints demo loads: ${stderrChunks(traced.stderr).size} (Node spends about 1 ms on each)`,
  );
  console.log(`  npm packages in what endpoints demo loads (from the source maps): ${[...packages].join(', ')}`);
  console.log(
    `  ioredis / inquirer / ora / fast-xml-parser / client-ec2 loaded: ${heavy.length ? heavy.join(', ') : 'none'}`,
  );
} finally {
  client.destroy();
  await emulator.close();
  rmSync(stateDir, { recursive: true, force: true });
}
