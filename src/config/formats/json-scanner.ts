/**
 * A JSON reader that remembers where everything is, so a merge can replace one value's
 * text and leave every other byte alone (JSON.parse + stringify would reformat the file).
 * It accepts what .NET's configuration reader accepts in appsettings.json: `//` and
 * `/* *\/` comments and trailing commas. Anything else malformed is a ConfigParseError
 * naming the line and column.
 */
import { parseErrorAt } from '../errors.js';

export type JsonNode = JsonObject | JsonArray | JsonScalar;

interface Span {
  /** Offset of the first character. */
  start: number;
  /** Offset just past the last character. */
  end: number;
}

export interface JsonMember {
  key: string;
  keyStart: number;
  value: JsonNode;
}

export interface JsonObject extends Span {
  kind: 'object';
  members: JsonMember[];
  /** A comma follows the last member (allowed in appsettings.json). */
  trailingComma: boolean;
}

export interface JsonArray extends Span {
  kind: 'array';
  items: JsonNode[];
}

export interface JsonScalar extends Span {
  kind: 'string' | 'number' | 'boolean' | 'null';
  value: string | number | boolean | null;
}

export function parseJsonWithPositions(text: string): JsonNode {
  const scanner = new Scanner(text);
  scanner.skipTrivia();
  const value = scanner.value();
  scanner.skipTrivia();
  if (scanner.position < text.length) throw scanner.error('unexpected text after the end of the JSON document');
  return value;
}

class Scanner {
  position = 0;

  constructor(private readonly text: string) {
    // A UTF-8 byte order mark is allowed before the document.
    if (text.charCodeAt(0) === 0xfeff) this.position = 1;
  }

  error(reason: string, at = this.position) {
    return parseErrorAt(this.text, at, reason);
  }

  skipTrivia(): void {
    const text = this.text;
    for (;;) {
      const c = text[this.position];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        this.position++;
      } else if (c === '/' && text[this.position + 1] === '/') {
        while (this.position < text.length && text[this.position] !== '\n' && text[this.position] !== '\r')
          this.position++;
      } else if (c === '/' && text[this.position + 1] === '*') {
        const close = text.indexOf('*/', this.position + 2);
        if (close === -1) throw this.error('a /* comment is never closed');
        this.position = close + 2;
      } else {
        return;
      }
    }
  }

  value(): JsonNode {
    const c = this.text[this.position];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') {
      const start = this.position;
      const value = this.string();
      return { kind: 'string', start, end: this.position, value };
    }
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.position)) {
        const start = this.position;
        this.position += word.length;
        return { kind: value === null ? 'null' : 'boolean', start, end: this.position, value };
      }
    }
    const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.position, this.position + 64));
    if (number) {
      const start = this.position;
      this.position += number[0].length;
      return { kind: 'number', start, end: this.position, value: Number(number[0]) };
    }
    if (c === undefined) throw this.error('unexpected end of file: a value is missing');
    throw this.error(`unexpected ${JSON.stringify(c)}: expected a value`);
  }

  private object(): JsonObject {
    const start = this.position++;
    const members: JsonMember[] = [];
    let trailingComma = false;
    this.skipTrivia();
    while (this.text[this.position] !== '}') {
      if (this.text[this.position] !== '"') {
        throw this.error(
          this.position >= this.text.length
            ? "unexpected end of file: expected '}'"
            : 'expected a "quoted" key or \'}\'',
        );
      }
      const keyStart = this.position;
      const key = this.string();
      this.skipTrivia();
      if (this.text[this.position] !== ':') throw this.error(`expected ':' after the key ${JSON.stringify(key)}`);
      this.position++;
      this.skipTrivia();
      const value = this.value();
      members.push({ key, keyStart, value });
      this.skipTrivia();
      trailingComma = false;
      if (this.text[this.position] === ',') {
        this.position++;
        trailingComma = true;
        this.skipTrivia();
      } else if (this.text[this.position] !== '}') {
        throw this.error(
          this.position >= this.text.length ? "unexpected end of file: expected '}'" : "expected ',' or '}'",
        );
      }
    }
    this.position++;
    return { kind: 'object', start, end: this.position, members, trailingComma };
  }

  private array(): JsonArray {
    const start = this.position++;
    const items: JsonNode[] = [];
    this.skipTrivia();
    while (this.text[this.position] !== ']') {
      if (this.position >= this.text.length) throw this.error("unexpected end of file: expected ']'");
      items.push(this.value());
      this.skipTrivia();
      if (this.text[this.position] === ',') {
        this.position++;
        this.skipTrivia();
      } else if (this.text[this.position] !== ']') {
        throw this.error(
          this.position >= this.text.length ? "unexpected end of file: expected ']'" : "expected ',' or ']'",
        );
      }
    }
    this.position++;
    return { kind: 'array', start, end: this.position, items };
  }

  private string(): string {
    const start = this.position;
    const text = this.text;
    let i = start + 1;
    for (; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 0x22) break;
      if (code < 0x20)
        throw this.error('a string cannot contain a line break or control character (missing closing "?)', i);
      if (code === 0x5c) {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw this.error('invalid \\u escape', i);
          i += 5;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
          i++;
        } else {
          throw this.error('invalid escape in a string', i);
        }
      }
    }
    if (i >= text.length) throw this.error('a string is never closed (missing ")', start);
    this.position = i + 1;
    return JSON.parse(text.slice(start, i + 1)) as string;
  }
}
