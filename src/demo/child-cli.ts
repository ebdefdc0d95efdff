/**
 * The demo runs each step as the elasticache-kit command a user would type, and shows
 * it. That keeps the demo honest (it can only do what the commands do) and teaches the
 * commands. A step's stdout goes to our stderr: the demo's own stdout carries only its
 * final summary (or one JSON document with --output json).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Output } from '../ui/output.js';

const CLI_PATH = fileURLToPath(new URL('../../../bin/elasticache-kit.js', import.meta.url));

export interface StepResult {
  code: number;
  /** The step's stdout, when captured. */
  stdout: string;
}

export class ChildCli {
  private current: ChildProcess | undefined;

  constructor(
    private readonly output: Output,
    /** Global flags every step gets (e.g. --local, --no-color). */
    private readonly globalArgs: string[],
  ) {}

  /** Runs one step; `capture` keeps its stdout instead of showing it. */
  async run(args: string[], options: { capture?: boolean; quiet?: boolean } = {}): Promise<StepResult> {
    if (!options.quiet)
      this.output.info(this.output.paintErr('cyan', `$ elasticache-kit ${args.map(shellWord).join(' ')}`));
    const child = spawn(process.execPath, [CLI_PATH, ...this.globalArgs, ...args], {
      stdio: ['ignore', 'pipe', options.quiet ? 'pipe' : 'inherit'],
      env: process.env,
    });
    this.current = child;
    let stdout = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (options.capture) stdout += chunk;
      else this.output.streams.stderr.write(chunk);
    });
    child.stderr?.resume();
    const code = await new Promise<number>((resolve) => {
      child.on('error', () => resolve(1));
      child.on('close', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 + 2 : 1)));
    });
    this.current = undefined;
    return { code, stdout };
  }

  /**
   * Ctrl-C: the step in flight must stop and clean up its own work (bench removes its
   * keys). On a terminal it got the same SIGINT as we did, so it is given a moment to
   * finish by itself; a second SIGINT would make it skip its cleanup. Only when it is
   * still running (we were signalled alone) is it told, and at last killed.
   */
  async interrupt(): Promise<void> {
    const child = this.current;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const within = (ms: number) => Promise.race([exited.then(() => true), sleep(ms).then(() => false)]);
    if (child.exitCode !== null || child.signalCode !== null || (await within(2_000))) return;
    child.kill('SIGINT');
    if (await within(15_000)) return;
    child.kill('SIGKILL');
    await exited;
  }
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
