/**
 * Commander's output (help, version, usage errors) and the last error message, written
 * without creating process.stdout or process.stderr. Why: creating either on a pipe loads
 * Node's stream and net modules, about 7 ms, while `--help` is a bare Node start (35 ms on
 * Node 24) plus about 15 ms. On POSIX, process.stdout writes files and pipes synchronously
 * too, so the bytes and their order are the same. Streams other than the process's own
 * (tests run the program in-process with theirs) are written as usual.
 */
import { fstatSync, writeSync } from 'node:fs';
import { ExitCode } from '../errors.js';
import type { OutputStreams } from './output.js';

type Which = 'stdout' | 'stderr';
const FD = { stdout: 1, stderr: 2 } as const;

export function writeTo(streams: OutputStreams, which: Which, text: string): void {
  if (streams !== process) {
    streams[which].write(text);
    return;
  }
  let bytes = Buffer.from(text);
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(writeSync(FD[which], bytes));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // `elasticache-kit --help | head`: the reader has gone, its choice, not an error.
      if (code === 'EPIPE') return;
      // A non-blocking pipe that is full: the stream queues the rest and writes it when it can.
      if (code === 'EAGAIN') {
        process[which].write(bytes);
        return;
      }
      throw error;
    }
  }
}

/** The terminal's width, or undefined when not a terminal. */
export function terminalColumns(streams: OutputStreams, which: Which): number | undefined {
  // A pipe or a file is not a character device: answered without creating the stream.
  if (streams === process && !isCharacterDevice(FD[which])) return undefined;
  const stream = streams[which];
  return stream.isTTY ? (stream as NodeJS.WriteStream).columns : undefined;
}

function isCharacterDevice(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice();
  } catch {
    return false; // closed
  }
}

/**
 * `elasticache-kit … | head` closes stdout early: that is the reader's choice, not an error.
 * Set up when a command runs (and writes through process.stdout), not for `--help`.
 */
export function exitQuietlyWhenStdoutCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? ExitCode.ok);
    throw error;
  });
}
