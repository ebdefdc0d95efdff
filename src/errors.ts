/**
 * Exit codes and the error types that carry them. Every failure the user sees is a
 * CliError: one line that names the cause and the fix, plus the exit code of DESIGN.md.
 */
export const ExitCode = {
  ok: 0,
  /** Failure at run time: an AWS, network or process error. */
  failure: 1,
  /** Usage or validation error: nothing was changed. */
  usage: 2,
  notFound: 3,
  timedOut: 4,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.failure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** Bad flags or values. Thrown before any call that changes anything. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.usage);
    this.name = 'UsageError';
  }
}

export class NotFoundError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.notFound);
    this.name = 'NotFoundError';
  }
}

export class WaitTimeoutError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.timedOut);
    this.name = 'WaitTimeoutError';
  }
}

export class InterruptedError extends CliError {
  constructor(message = 'interrupted') {
    super(message, ExitCode.interrupted);
    this.name = 'InterruptedError';
  }
}

/** The one-line text of any thrown value, for messages that wrap another error. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
