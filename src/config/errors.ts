/**
 * A config file the tool was asked to merge into cannot be read. The command turns this
 * into exit 1 and leaves the file exactly as it was, so the message must say where to look.
 */
import { CliError, ExitCode } from '../errors.js';

export class ConfigParseError extends CliError {
  constructor(
    /** What is wrong, without the position: `expected '}'`. */
    readonly reason: string,
    /** 1-based line; undefined when the problem is the whole file. */
    readonly line?: number,
    /** 1-based column, where known. */
    readonly column?: number,
    /** The file name, once known (set by the command, not by the pure formats). */
    readonly file?: string,
  ) {
    super(describe(reason, line, column, file), ExitCode.failure);
    this.name = 'ConfigParseError';
  }

  /** The same error, now naming the file it came from. */
  inFile(file: string): ConfigParseError {
    return new ConfigParseError(this.reason, this.line, this.column, file);
  }
}

function describe(reason: string, line?: number, column?: number, file?: string): string {
  const where = line === undefined ? '' : column === undefined ? ` line ${line}` : ` line ${line}, column ${column}`;
  const name = file ?? 'the file';
  return `cannot read ${name}${where ? ' at' + where : ''}: ${reason}`;
}

/** 1-based line and column of a character offset, for error messages. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** A parse error at a character offset. */
export function parseErrorAt(text: string, offset: number, reason: string): ConfigParseError {
  const { line, column } = positionOf(text, offset);
  return new ConfigParseError(reason, line, column);
}
