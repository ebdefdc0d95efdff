/**
 * Runs the CLI inside the test process: the same commander program (src/cli.ts `run`),
 * with stdout and stderr captured and no terminal, giving the exit code the process would
 * end with. A run costs the command's own work instead of a Node start-up and the bundle's
 * load (0.2-0.3 s of CPU). The rule for the end-to-end files: the real binary
 * (helpers/cli.ts) runs each command flow at least once, and every run whose subject is the
 * process (its exact stdout, a secret never printed, a signal, a timing, what it leaves
 * running); the other runs, whose result is read afterwards, come here. Bad-input tables run
 * their rows here and a few through the binary, which must answer the same.
 *
 * Calls run one at a time: they share process.env, which the CLI reads (secrets, region),
 * and the working directory (relative --out paths).
 *
 * What is captured is what the CLI writes through commander and `Output` (the streams
 * given to `run`); a write straight to process.stdout/stderr would escape it, which is
 * what the rows compared with the real binary would show.
 */
import { Readable, Writable } from 'node:stream';
import { run } from '../../src/cli.js';
import type { CliResult } from './cli.js';

class Capture extends Writable {
  text = '';
  readonly isTTY = false;
  constructor() {
    super({
      decodeStrings: false,
      write: (chunk: string | Buffer, _encoding, done) => {
        this.text += String(chunk);
        done();
      },
    });
  }
}

/** Not a terminal: the CLI never prompts, as in CI. */
function noTerminal(): NodeJS.ReadableStream & { isTTY: false } {
  return Object.assign(Readable.from([]), { isTTY: false as const });
}

let queue: Promise<unknown> = Promise.resolve();

export interface InProcessOptions {
  /** Applied to process.env for the call (an empty string sets the variable empty, as for a child process). */
  env?: NodeJS.ProcessEnv;
  /** The working directory for the call. */
  cwd?: string;
}

/** `elasticache-kit <args>` in-process; env and working directory are restored afterwards. */
export function runCliInProcess(args: string[], options: InProcessOptions = {}): Promise<CliResult> {
  const result = queue.then(() => runOnce(args, options));
  queue = result.catch(() => undefined);
  return result;
}

async function runOnce(args: string[], options: InProcessOptions): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const restoreEnv = applyEnv({ NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true', ...options.env });
  const previousCwd = process.cwd();
  if (options.cwd) process.chdir(options.cwd);
  try {
    const code = await run(['node', 'elasticache-kit', ...args], { stdout, stderr, stdin: noTerminal() });
    return { code, signal: null, stdout: stdout.text, stderr: stderr.text };
  } finally {
    process.chdir(previousCwd);
    restoreEnv();
  }
}

function applyEnv(env: NodeJS.ProcessEnv): () => void {
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(env)) {
    saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
