/** Small helpers for byte-preserving edits: look at the layout around an offset, splice text in. */

export function lineStartOf(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

/** Offset of the line break (or end of text) after `offset`. */
export function lineEndOf(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

/** The whitespace before `offset` on its line, or undefined if something else precedes it there. */
export function indentBefore(text: string, offset: number): string | undefined {
  const start = lineStartOf(text, offset);
  const before = text.slice(start, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

export function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

export function newlineOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** One indentation step: a tab if the file indents with tabs, else the smallest space run seen (2-8), else two spaces. */
export function indentUnitOf(text: string): string {
  const indents = [...text.matchAll(/(?:^|\n)([ \t]+)(?=\S)/g)].map((m) => m[1]!);
  if (indents.length === 0) return '  ';
  if (indents.filter((i) => i.startsWith('\t')).length > indents.length / 2) return '\t';
  const sizes = indents
    .filter((i) => !i.includes('\t'))
    .map((i) => i.length)
    .filter((n) => n >= 2);
  const smallest = sizes.length ? Math.min(...sizes) : 2;
  return ' '.repeat(Math.min(Math.max(smallest, 2), 8));
}

/** The leading whitespace of the line that contains `offset`. */
export function lineIndentOf(text: string, offset: number): string {
  const start = lineStartOf(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}
