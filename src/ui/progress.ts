/**
 * Progress for long waits: an ora spinner when stderr is a terminal, plain lines on
 * stderr otherwise (CI logs), printed only when the text changes so logs stay short.
 */
import type { Output } from './output.js';

export interface Progress {
  /** Replaces the text shown (spinner) or prints it when it changed (plain). */
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  /** Removes the spinner without a final line (before printing something else). */
  stop(): void;
}

export async function startProgress(output: Output, text: string): Promise<Progress> {
  // A terminal that reports no width (a pty opened without a size) would make ora redraw
  // every frame on a new line: plain lines serve it better.
  const columns = (output.streams.stderr as NodeJS.WriteStream).columns ?? 0;
  if (output.stderrIsTTY && columns > 0) {
    const { default: ora } = await import('ora');
    const spinner = ora({ text, stream: output.streams.stderr as NodeJS.WriteStream, color: 'cyan' }).start();
    return {
      update: (next) => {
        spinner.text = next;
      },
      succeed: (final) => {
        spinner.succeed(final);
      },
      fail: (final) => {
        spinner.fail(final);
      },
      stop: () => {
        spinner.stop();
      },
    };
  }
  let last = '';
  const line = (next: string) => {
    if (next !== last) output.info(next);
    last = next;
  };
  line(text);
  return {
    update: line,
    succeed: (final) => output.info(final),
    fail: (final) => output.info(final),
    stop: () => undefined,
  };
}

/** `1m 05s` style elapsed time, for progress text. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return minutes > 0 ? `${minutes}m ${String(seconds).padStart(2, '0')}s` : `${seconds}s`;
}
