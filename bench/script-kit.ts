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

/** The middle value (the upper middle for an even count): robust against one noisy round. */
export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Runs redis-benchmark with `argv` (plus --csv) and returns the mean ops/s of its SET and
 * GET rows ("SET","rps",…); throws with its output when it fails or prints no figures.
 */
export async function redisBenchmarkOpsPerSec(argv: string[]): Promise<number> {
  const result = await exec(process.env.REDIS_BENCHMARK ?? 'redis-benchmark', [...argv, '--csv']);
  if (result.code !== 0) throw new Error(`redis-benchmark failed: ${result.stderr}`);
  const rps = result.stdout
    .trim()
    .split('\n')
    .filter((line) => /^"(SET|GET)"/.test(line))
    .map((line) => Number(line.split('","')[1]!.replace(/"/g, '')));
  if (rps.length === 0) throw new Error(`no figures in redis-benchmark output:\n${result.stdout}`);
  return rps.reduce((a, b) => a + b, 0) / rps.length;
}
