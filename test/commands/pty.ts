/**
 * A pseudo-terminal session for interactive tests: the CLI runs under util-linux
 * `script`, which gives it a real TTY (stdin and stdout), so the real inquirer prompts
 * appear. The test reads the screen (ANSI codes stripped) and types keys with small
 * delays, as a person would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI_PATH } from '../helpers/cli.js';

// CSI sequences, OSC sequences, charset selection and keypad modes.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007|\u001b[()][A-Z0-9]|\u001b[=>78]/g;

export const KEYS = { enter: '\r', down: '\u001b[B', up: '\u001b[A', backspace: '\u007f', ctrlC: '\u0003' } as const;

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

export class PtySession {
  /** Everything the program drew, without ANSI codes. */
  screen = '';
  private cursor = 0;
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(cliArgs: string[], env: NodeJS.ProcessEnv) {
    // A sized terminal: prompts lay out by its width.
    const command = `stty cols 200 rows 60; exec ${quote(process.execPath)} ${quote(CLI_PATH)} ${cliArgs.map(quote).join(' ')}`;
    this.child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', TERM: 'xterm-256color', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const append = (chunk: Buffer) => {
      this.screen += chunk.toString('utf8').replace(ANSI, '').replace(/\r/g, '');
    };
    this.child.stdout!.on('data', append);
    this.child.stderr!.on('data', append);
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  /** Waits until `pattern` appears after the previous match; returns the text up to it. */
  async expect(pattern: string | RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.screen.slice(this.cursor);
      const index = typeof pattern === 'string' ? rest.indexOf(pattern) : rest.search(pattern);
      if (index >= 0) {
        const length =
          typeof pattern === 'string' ? pattern.length : (rest.slice(index).match(pattern)?.[0].length ?? 0);
        this.cursor += index + length;
        return rest.slice(0, index + length);
      }
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`timed out waiting for ${String(pattern)}; screen since the last match:\n${rest}`);
      }
      await sleep(25);
    }
  }

  /** Types text one character at a time (prompts read keypresses). */
  async type(text: string, delayMs = 15): Promise<void> {
    for (const char of text) {
      this.child.stdin!.write(char);
      await sleep(delayMs);
    }
  }

  async press(key: keyof typeof KEYS, times = 1): Promise<void> {
    for (let i = 0; i < times; i++) {
      this.child.stdin!.write(KEYS[key]);
      await sleep(40);
    }
  }

  /** Answers a prompt: waits for its text, optionally types, then Enter. */
  async answer(prompt: string | RegExp, text = ''): Promise<void> {
    await this.expect(prompt);
    await sleep(50);
    if (text) await this.type(text);
    await this.press('enter');
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
