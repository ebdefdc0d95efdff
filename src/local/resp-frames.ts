/**
 * Where RESP frames end, without decoding them: what a proxy needs to count requests and
 * match each reply to its request. RESP2 and RESP3 types; client requests may also be
 * inline commands (one line). Iterative, so deeply nested replies cannot overflow the stack.
 */

/** Types whose frame is one line: simple string, error, integer, null, double, boolean, big number. */
const LINE_TYPES = new Set(['+', '-', ':', '_', ',', '#', '(']);
/** Types with a length and a payload: bulk string, bulk error, verbatim string. */
const BULK_TYPES = new Set(['$', '!', '=']);
/** Aggregates of N frames: array, set, push. */
const ARRAY_TYPES = new Set(['*', '~', '>']);
/** Aggregates of N key/value pairs: map, attribute. */
const MAP_TYPES = new Set(['%', '|']);

/**
 * The offset just past the frame that starts at `offset`, or undefined while it is
 * incomplete; then `wanted.bytes` (when given) is a lower bound of the bytes from `offset`
 * the frame needs, so a caller can wait for them instead of parsing again on every chunk.
 */
export function frameEnd(buffer: Buffer, offset: number, wanted?: { bytes: number }): number | undefined {
  const incomplete = (bytes: number) => {
    if (wanted) wanted.bytes = bytes - offset;
    return undefined;
  };
  let position = offset;
  let remaining = 1;
  while (remaining > 0) {
    if (position >= buffer.length) return incomplete(position + 1);
    const lineEnd = buffer.indexOf('\r\n', position);
    if (lineEnd < 0) return incomplete(buffer.length + 1);
    const type = String.fromCharCode(buffer[position]!);
    const afterLine = lineEnd + 2;
    remaining--;
    if (LINE_TYPES.has(type)) {
      position = afterLine;
    } else if (BULK_TYPES.has(type)) {
      const length = Number(buffer.toString('latin1', position + 1, lineEnd));
      if (!Number.isInteger(length)) throw new Error(`bad RESP bulk length at ${position}`);
      if (length < 0) {
        position = afterLine;
      } else {
        if (buffer.length < afterLine + length + 2) return incomplete(afterLine + length + 2);
        position = afterLine + length + 2;
      }
    } else if (ARRAY_TYPES.has(type) || MAP_TYPES.has(type)) {
      const count = Number(buffer.toString('latin1', position + 1, lineEnd));
      if (!Number.isInteger(count)) throw new Error(`bad RESP aggregate length at ${position}`);
      position = afterLine;
      if (count > 0) remaining += MAP_TYPES.has(type) ? count * 2 : count;
    } else {
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)} at ${position}`);
    }
  }
  return position;
}

/**
 * The end of one client request at `offset`: a RESP array, or an inline command (a line
 * ending in \n, as redis accepts them from telnet). Undefined while incomplete.
 */
export function requestEnd(buffer: Buffer, offset: number, wanted?: { bytes: number }): number | undefined {
  if (offset >= buffer.length) return undefined;
  if (buffer[offset] === 0x2a /* '*' */) return frameEnd(buffer, offset, wanted);
  const newline = buffer.indexOf(0x0a, offset);
  return newline < 0 ? undefined : newline + 1;
}

/** The command name of a request frame (upper case), '' for an empty inline line. */
export function requestName(frame: Buffer): string {
  if (frame[0] === 0x2a) {
    // *N\r\n$len\r\nNAME\r\n…
    const firstLine = frame.indexOf('\r\n');
    if (firstLine < 0 || frame[firstLine + 2] !== 0x24 /* '$' */) return '';
    const lengthEnd = frame.indexOf('\r\n', firstLine + 2);
    const length = Number(frame.toString('latin1', firstLine + 3, lengthEnd));
    if (!Number.isInteger(length) || length < 0) return '';
    return frame.toString('latin1', lengthEnd + 2, lengthEnd + 2 + length).toUpperCase();
  }
  return (frame.toString('latin1').trim().split(/\s+/, 1)[0] ?? '').toUpperCase();
}

/**
 * Bytes received but not yet parsed. Chunks are joined only when a parse is worth trying
 * (enough bytes for the frame's known part), so a large value arriving in many chunks is
 * copied a few times, not once per chunk.
 */
export class PendingBytes {
  private chunks: Buffer[] = [];
  private length = 0;
  /** Do not try to parse before this many bytes are buffered. */
  private wanted = 0;

  get size(): number {
    return this.length;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** All buffered bytes as one Buffer, or undefined while the frame still lacks bytes. */
  take(): Buffer | undefined {
    if (this.length === 0 || this.length < this.wanted) return undefined;
    const joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
    this.chunks = [joined];
    return joined;
  }

  /** Keeps `buffer` from `consumed` on; `wanted`: the bytes the unfinished frame needs at least. */
  keep(buffer: Buffer, consumed: number, wanted: number): void {
    const rest = consumed >= buffer.length ? undefined : buffer.subarray(consumed);
    this.chunks = rest ? [rest] : [];
    this.length = rest?.length ?? 0;
    this.wanted = rest ? wanted : 0;
  }
}
