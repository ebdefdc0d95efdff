/**
 * Where text goes: stdout carries results (tables, JSON, config text), stderr carries
 * progress, warnings and errors. Colour only on a TTY, never with NO_COLOR or --no-color.
 */
import type { GlobalOptions, OutputFormat } from '../globals.js';

export interface OutputStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

type Style = 'red' | 'yellow' | 'green' | 'cyan' | 'bold' | 'dim';

// Our own codes rather than util.styleText: its checks look at process.stdout and the
// environment, while the decision here belongs to the stream we actually write to.
const ANSI: Record<Style, [number, number]> = {
  red: [31, 39],
  yellow: [33, 39],
  green: [32, 39],
  cyan: [36, 39],
  bold: [1, 22],
  dim: [2, 22],
};

function styleText(style: Style, text: string): string {
  const [open, close] = ANSI[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

export class Output {
  readonly format: OutputFormat;
  readonly debugEnabled: boolean;
  private readonly colorOut: boolean;
  private readonly colorErr: boolean;

  constructor(
    globals: Pick<GlobalOptions, 'output' | 'color' | 'debug'>,
    readonly streams: OutputStreams = process,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.format = globals.output;
    this.debugEnabled = Boolean(globals.debug);
    const colorAllowed = globals.color !== false && !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb';
    this.colorOut = colorAllowed && Boolean(streams.stdout.isTTY);
    this.colorErr = colorAllowed && Boolean(streams.stderr.isTTY);
  }

  /** A person at a terminal: both stdin and stdout are TTYs (prompts are allowed). */
  get interactive(): boolean {
    return Boolean(this.streams.stdin?.isTTY && this.streams.stdout.isTTY);
  }

  /** stderr is a terminal: spinners instead of plain progress lines. */
  get stderrIsTTY(): boolean {
    return Boolean(this.streams.stderr.isTTY);
  }

  get json(): boolean {
    return this.format === 'json';
  }

  /** A result on stdout, as is (a trailing newline is added when missing). */
  result(text: string): void {
    this.streams.stdout.write(text.endsWith('\n') || text === '' ? text : text + '\n');
  }

  /** Exactly one JSON document on stdout. */
  printJson(value: unknown): void {
    this.streams.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }

  info(text: string): void {
    this.streams.stderr.write(text + '\n');
  }

  warn(text: string): void {
    this.streams.stderr.write(this.paintErr('yellow', 'warning: ') + text + '\n');
  }

  error(text: string): void {
    this.streams.stderr.write(this.paintErr('red', 'elasticache-kit: ') + text + '\n');
  }

  debug(text: string): void {
    if (this.debugEnabled) this.streams.stderr.write(this.paintErr('dim', `debug: ${text}`) + '\n');
  }

  /** Colour for text headed to stdout. */
  paint(style: Style, text: string): string {
    return this.colorOut ? styleText(style, text) : text;
  }

  /** Colour for text headed to stderr. */
  paintErr(style: Style, text: string): string {
    return this.colorErr ? styleText(style, text) : text;
  }
}
