/**
 * Line-based merge shared by dotenv and shell files: replace the value of each owned
 * `NAME=value` (or `export NAME=value`) line in place, append the owned names that are
 * missing, and keep every other byte: comments, blank lines, unrelated keys, their order,
 * the file's line endings and whether it ends with a newline.
 */
import { ConfigParseError } from '../errors.js';
import type { EnvEntry } from './env-keys.js';

export interface LineStyle {
  /** The value as this format writes it (quoted where needed). */
  quote(value: string): string;
  /** `export ` for shell files, '' for dotenv. */
  newLinePrefix: string;
  /** dotenv: a line that is not NAME=value, a comment or blank is an error (we might misread it). */
  strict: boolean;
}

const ASSIGNMENT = /^(\s*)(export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)(\s*=[ \t]*)/;

interface Line {
  text: string;
  /** '\n', '\r\n', '\r' or '' for the last line without one. */
  ending: string;
}

export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const pattern = /([^\r\n]*)(\r\n|\n|\r|$)/g;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (match[0] === '') break; // the empty match at the very end
    lines.push({ text: match[1] ?? '', ending: match[2] ?? '' });
  }
  return lines;
}

export function newlineOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/**
 * Where the value that starts at `rest` ends. For quoted values it may end on a later
 * line; returns the line index and the offset in that line just past the value, or
 * undefined when the quote is never closed.
 */
function valueEnd(lines: Line[], index: number, start: number): { line: number; offset: number } | undefined {
  const first = lines[index]!.text;
  const quote = first[start];
  if (quote !== '"' && quote !== "'" && quote !== '`') {
    // Unquoted: up to an inline comment (whitespace then #), trailing blanks excluded.
    const rest = first.slice(start);
    const comment = rest.search(/\s#/);
    const value = comment === -1 ? rest : rest.slice(0, comment);
    return { line: index, offset: start + value.trimEnd().length };
  }
  let line = index;
  let position = start + 1;
  for (;;) {
    const text = lines[line]!.text;
    for (let i = position; i < text.length; i++) {
      if (quote === '"' && text[i] === '\\') {
        i++;
        continue;
      }
      if (text[i] === quote) return { line, offset: i + 1 };
    }
    line++;
    position = 0;
    if (line >= lines.length) return undefined;
  }
}

/** `clear`: owned names to empty where the file has them, never added (see staleNames). */
export function mergeEnvLines(
  existing: string,
  entries: EnvEntry[],
  style: LineStyle,
  clear: readonly string[] = [],
): string {
  const lines = splitLines(existing);
  const owned = new Map([...clear.map((name): EnvEntry => [name, '']), ...entries]);
  const written = new Set<string>();
  const out: string[] = [];

  for (let i = 0; i < lines.length; i++) {
    const { text, ending } = lines[i]!;
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      out.push(text + ending);
      continue;
    }
    const match = ASSIGNMENT.exec(text);
    if (!match) {
      if (style.strict) {
        throw new ConfigParseError('expected NAME=value, a # comment or a blank line', i + 1, 1);
      }
      out.push(text + ending);
      continue;
    }
    const name = match[3]!;
    const valueStart = match[0].length;
    const end = valueEnd(lines, i, valueStart);
    if (!end) {
      if (style.strict)
        throw new ConfigParseError(`the quoted value of ${name} is never closed`, i + 1, valueStart + 1);
      out.push(text + ending);
      continue;
    }
    const value = owned.get(name);
    if (value === undefined) {
      // Not ours: copy the whole (possibly multi-line) assignment as it is.
      for (let j = i; j <= end.line; j++) out.push(lines[j]!.text + lines[j]!.ending);
      i = end.line;
      continue;
    }
    // Ours: new value, same spelling of the name, `export` and `=`; an inline comment stays.
    const last = lines[end.line]!;
    out.push(text.slice(0, valueStart) + style.quote(value) + last.text.slice(end.offset) + last.ending);
    written.add(name);
    i = end.line;
  }

  const missing = entries.filter(([name]) => !written.has(name));
  if (missing.length === 0) return out.join('');
  const newline = newlineOf(existing);
  const endsWithNewline = existing === '' || /[\r\n]$/.test(existing);
  const added = missing.map(([name, value]) => `${style.newLinePrefix}${name}=${style.quote(value)}`).join(newline);
  return out.join('') + (existing === '' || endsWithNewline ? '' : newline) + added + (endsWithNewline ? newline : '');
}
