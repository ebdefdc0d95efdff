/** Runs the built CLI as a user would: a child process, its exit code, stdout and stderr. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { STILL_OPEN_MESSAGE } from '../../src/exit-when-done.js';

export const CLI_PATH = fileURLToPath(new URL('../../../bin/elasticache-kit.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
}

export async function runCli(args: string[], options: CliRunOptions = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd,
    // Tests never reach for the EC2 instance metadata service: no address but loopback is ours.
    env: { ...process.env, NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  try {
    const [code, signal] = (await new Promise((resolve) => child.on('close', (c, s) => resolve([c, s])))) as [
      number | null,
      NodeJS.Signals | null,
    ];
    const keptOpen = keptOpenError(args, stderr);
    if (keptOpen) throw keptOpen;
    return { code, signal, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A finished command whose process something kept running (src/exit-when-done.ts) is a bug
 * however the test goes on: a user's CI job would have waited for it.
 */
function keptOpenError(args: string[], stderr: string): Error | undefined {
  return stderr.includes(STILL_OPEN_MESSAGE)
    ? new Error(`elasticache-kit ${args.join(' ')} left something open when it finished:\n${stderr}`)
    : undefined;
}

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr matches (true) or the process ended first (false). */
  stderrMatches(pattern: RegExp): Promise<boolean>;
  /** The exit code once it has ended. */
  exited: Promise<number | null>;
}

/**
 * Starts the built CLI and leaves it running, for tests that act while it works (a
 * failover, Ctrl-C). The caller signals it; it is SIGKILLed in `t.after` as a last resort.
 */
export function spawnCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; after: (fn: () => void) => void },
): RunningCli {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  options.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: (matched: boolean) => void }> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const waiter of waiters.filter((w) => w.pattern.test(stderr))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(true);
    }
  });
  const exited = new Promise<number | null>((resolve, reject) =>
    child.on('close', (code) => {
      for (const waiter of waiters.splice(0)) waiter.resolve(false);
      const keptOpen = keptOpenError(args, stderr);
      if (keptOpen) reject(keptOpen);
      else resolve(code);
    }),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    stderrMatches: (pattern) =>
      pattern.test(stderr)
        ? Promise.resolve(true)
        : child.exitCode !== null
          ? Promise.resolve(false)
          : new Promise((resolve) => waiters.push({ pattern, resolve })),
    exited,
  };
}

/**
 * Load for the bench tests that check what bench reports (nodes, keys, errors, failover,
 * redirects), not how fast it goes: one load thread, open loop at 250 ops/s. A closed
 * loop spends every core of a CI machine for the whole run (bench, its load workers and
 * redis-server), which the neighbouring test files then wait for; and the open loop's
 * clock costs CPU by the send (each one a timer wake-up), 0.17 of a core at 1,000 ops/s
 * against 0.085 at 250. Append a `--rate` of your own after it to change the pace (the
 * last one given wins).
 */
export const PACED_LOAD = ['--threads', '1', '--rate', '250'] as const;

/**
 * `bench <id>` against an emulator with JSON output, a short warmup and 2 connections per
 * node, then `extra`: the runs the bench-on-emulator tests start and act on.
 */
export function benchOnEmulatorArgs(endpointUrl: string, id: string, extra: string[]): string[] {
  return [
    '--endpoint-url',
    endpointUrl,
    '--output',
    'json',
    'bench',
    id,
    '--warmup',
    '0.2',
    '--clients',
    '2',
    ...extra,
  ];
}
