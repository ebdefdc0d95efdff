/**
 * What every benchmark script shares: the CLI it drives, its `--name value` flags, running a
 * program to completion, and the median of a round's figures.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The shipped CLI (the bin shim), as a user runs it. */
export const CLI = fileURLToPath(new URL('../../bin/elasticache-kit.js', import.meta.url));

const args = process.argv.slice(2);

/** The value after `name` on the script's command line, or the fallback. */
export function flag(name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
}

/** True when the bare switch is on the script's command line. */
export function hasSwitch(name: string): boolean {
  return args.includes(name);
}

/** Runs a program to its end and collects its output (colour off, so figures parse). */
export function exec(
  command: string,
  argv: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `elasticache-kit --output json bench <argv>` to its end, through `runner` (exec, or one that pins a core). */
export function execBenchJson(argv: string[], runner: typeof exec = exec): ReturnType<typeof exec> {
  return runner(process.execPath, [CLI, '--output', 'json', 'bench', ...argv]);
}

/**
 * bench's flags for a SET-only or GET-only run on primaries, the like-for-like of
 * redis-benchmark's SET and GET tests: one warm-up second, no lag probes.
 */
export function singleCommandBenchFlags(options: {
  command: 'set' | 'get';
  pipeline: number;
  dataSize: number;
  keyspace: number;
  seconds: number;
}): string[] {
  return [
    '--pipeline',
    String(options.pipeline),
    '--data-size',
    String(options.dataSize),
    '--key-maximum',
    String(options.keyspace),
    '--ratio',
    options.command === 'set' ? '1:0' : '0:1',
    '--read-from',
    'primary',
    '--test-time',
    String(options.seconds),
    '--warmup',
    '1',
    '--lag-probes',
    '0',
  ];
}

/** The middle value (the upper middle for an even count): robust against one noisy round. */
export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** redis-benchmark --csv rows "SET","rps",… / "GET","rps",… → their ops/s; throws when there are none. */
export function redisBenchmarkRps(stdout: string): number[] {
  const rps = stdout
    .trim()
    .split('\n')
    .filter((line) => /^"(SET|GET)"/.test(line))
    .map((line) => Number(line.split('","')[1]!.replace(/"/g, '')));
  if (rps.length === 0) throw new Error(`no figures in redis-benchmark output:\n${stdout}`);
  return rps;
}

/** Runs redis-benchmark with `argv` (plus --csv): the mean ops/s of its SET and GET rows. */
export async function redisBenchmarkOpsPerSec(argv: string[]): Promise<number> {
  const result = await exec(process.env.REDIS_BENCHMARK ?? 'redis-benchmark', [...argv, '--csv']);
  if (result.code !== 0) throw new Error(`redis-benchmark failed: ${result.stderr}`);
  const rps = redisBenchmarkRps(result.stdout);
  return rps.reduce((a, b) => a + b, 0) / rps.length;
}

/** An emulator on a free port with one replication group, for the scripts that bench it. */
export interface EmulatedGroup {
  url: string;
  elasticache: import('@aws-sdk/client-elasticache').ElastiCacheClient;
  ec2: import('@aws-sdk/client-ec2').EC2Client;
  /** What a child CLI needs to talk to it: the dummy credentials and the region. */
  env: NodeJS.ProcessEnv;
  /** Stops the emulator and every node, removes its state dir. */
  close(): Promise<void>;
}

export async function startEmulatedGroup(options: {
  id: string;
  /** Nodes in the group (primary + replicas). */
  nodes: number;
  replicationDelayMs?: number;
  /** Emulated EC2 instances (Role=bastion) for bench --workers. */
  instances?: number;
}): Promise<EmulatedGroup> {
  const [{ mkdtemp, rm }, { tmpdir }, { join }, { CreateReplicationGroupCommand, ElastiCacheClient }, { EC2Client }] =
    await Promise.all([
      import('node:fs/promises'),
      import('node:os'),
      import('node:path'),
      import('@aws-sdk/client-elasticache'),
      import('@aws-sdk/client-ec2'),
    ]);
  const [{ startEmulator }, { waitForReplicationGroup }] = await Promise.all([
    import('../src/local/server.js'),
    import('../src/aws/wait.js'),
  ]);
  const credentials = { accessKeyId: 'AKIABENCHSCRIPT00000', secretAccessKey: 'local' };
  const stateDir = await mkdtemp(join(tmpdir(), `eck-${options.id}-`));
  const emulator = await startEmulator({
    host: '127.0.0.1',
    port: 0,
    stateDir,
    replicationDelayMs: options.replicationDelayMs ?? 0,
    instances: options.instances ?? 0,
  });
  const config = { region: 'us-east-1', endpoint: emulator.url, credentials };
  const elasticache = new ElastiCacheClient(config);
  const ec2 = new EC2Client(config);
  const close = async () => {
    elasticache.destroy();
    ec2.destroy();
    await emulator.close();
    await rm(stateDir, { recursive: true, force: true });
  };
  try {
    await elasticache.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: options.id,
        ReplicationGroupDescription: `bench script ${options.id}`,
        Engine: 'redis',
        NumCacheClusters: options.nodes,
      }),
    );
    await waitForReplicationGroup({ elasticache, ec2, region: 'us-east-1', local: true }, options.id, {
      until: 'available',
      timeoutMs: 60_000,
      pollMs: 100,
    });
  } catch (error) {
    await close();
    throw error;
  }
  const env = {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  return { url: emulator.url, elasticache, ec2, env, close };
}

/**
 * memtier_benchmark's flags for the scripts' common workload (SET:GET 1:10, 32-byte values,
 * 10,000 keys) against 127.0.0.1:port, with the run's own extras (rate, pipeline, outputs).
 */
export function memtierFlags(options: {
  port: number;
  threads: number;
  clientsPerThread: number;
  seconds: number;
  extra?: string[];
}): string[] {
  return [
    '-s',
    '127.0.0.1',
    '-p',
    String(options.port),
    '--protocol',
    'redis',
    '--threads',
    String(options.threads),
    '-c',
    String(options.clientsPerThread),
    '--ratio',
    '1:10',
    '-d',
    '32',
    '--key-maximum',
    '10000',
    '--test-time',
    String(options.seconds),
    '--hide-histogram',
    ...(options.extra ?? []),
  ];
}
