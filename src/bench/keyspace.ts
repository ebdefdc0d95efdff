/**
 * The bench keyspace and its wire encoding. Pure: no I/O.
 *
 * Keys are `<prefix>k:<n>` with n zero-padded to a fixed width, so every GET and every
 * SET of the run has the same length and its RESP bytes are a constant head, the digits
 * of n, and a constant tail. The hot path writes those bytes straight into the output
 * buffer: no string, no closure, no Buffer per operation.
 */

export type KeyPattern = 'R' | 'G' | 'S';

export const OP_GET = 0;
export const OP_SET = 1;

export class Keyspace {
  readonly keyMaximum: number;
  readonly width: number;
  /** The key text before the digits, e.g. `eck:bench:ab12:k:`. */
  readonly keyPrefix: string;
  private readonly getHead: Buffer;
  private readonly setHead: Buffer;
  private readonly getTail: Buffer;
  private readonly setTail: Buffer;
  readonly getLength: number;
  readonly setLength: number;
  readonly maxCommandLength: number;

  constructor(options: { prefix: string; keyMaximum: number; value: Buffer; ttlMs: number }) {
    this.keyMaximum = options.keyMaximum;
    this.width = String(Math.max(0, options.keyMaximum - 1)).length;
    this.keyPrefix = options.prefix + 'k:';
    const keyBytes = Buffer.byteLength(this.keyPrefix) + this.width;
    const prefix = Buffer.from(this.keyPrefix);
    this.getHead = Buffer.concat([Buffer.from(`*2\r\n$3\r\nGET\r\n$${keyBytes}\r\n`), prefix]);
    this.setHead = Buffer.concat([Buffer.from(`*5\r\n$3\r\nSET\r\n$${keyBytes}\r\n`), prefix]);
    this.getTail = Buffer.from('\r\n');
    const ttl = String(Math.max(1, Math.round(options.ttlMs)));
    this.setTail = Buffer.concat([
      Buffer.from(`\r\n$${options.value.length}\r\n`),
      options.value,
      Buffer.from(`\r\n$2\r\nPX\r\n$${ttl.length}\r\n${ttl}\r\n`),
    ]);
    this.getLength = this.getHead.length + this.width + this.getTail.length;
    this.setLength = this.setHead.length + this.width + this.setTail.length;
    this.maxCommandLength = Math.max(this.getLength, this.setLength);
  }

  keyName(n: number): string {
    return this.keyPrefix + String(n).padStart(this.width, '0');
  }

  /** Writes `GET <key n>` at `offset`; returns the offset after it. */
  encodeGet(out: Buffer, offset: number, n: number): number {
    // TypedArray#set is a plain memcpy; Buffer#copy adds argument checks per call.
    out.set(this.getHead, offset);
    offset += this.getHead.length;
    offset = this.writeDigits(out, offset, n);
    out[offset++] = 13;
    out[offset++] = 10;
    return offset;
  }

  /** Writes `SET <key n> <value> PX <ttl>` at `offset`; returns the offset after it. */
  encodeSet(out: Buffer, offset: number, n: number): number {
    out.set(this.setHead, offset);
    offset = this.writeDigits(out, offset + this.setHead.length, n);
    out.set(this.setTail, offset);
    offset += this.setTail.length;
    return offset;
  }

  private writeDigits(out: Buffer, offset: number, n: number): number {
    const end = offset + this.width;
    for (let i = end - 1; i >= offset; i--) {
      out[i] = 48 + (n % 10);
      n = Math.floor(n / 10);
    }
    return end;
  }
}

/**
 * Picks key indexes 0..keyMaximum-1: R uniform, G gaussian around the middle (standard
 * deviation a sixth of the range, as memtier_benchmark), S sequential (wrapping).
 */
export class KeyPicker {
  private sequence: number;
  private spare = NaN;

  /**
   * `keys`: pick among these key indexes only (a cluster shard's keys); the pattern then
   * applies to their positions in the list.
   */
  constructor(
    readonly pattern: KeyPattern,
    readonly keyMaximum: number,
    start = 0,
    private readonly keys?: Uint32Array,
  ) {
    this.sequence = start % keyMaximum;
  }

  next(): number {
    return this.keys ? this.keys[this.position()]! : this.position();
  }

  private position(): number {
    const max = this.keyMaximum;
    if (this.pattern === 'R') return Math.floor(Math.random() * max);
    if (this.pattern === 'S') {
      const n = this.sequence;
      this.sequence = n + 1 === max ? 0 : n + 1;
      return n;
    }
    const n = Math.round(max / 2 + this.gaussian() * (max / 6));
    return n < 0 ? 0 : n >= max ? max - 1 : n;
  }

  /** Box-Muller, using both values of each pair. */
  private gaussian(): number {
    if (!Number.isNaN(this.spare)) {
      const value = this.spare;
      this.spare = NaN;
      return value;
    }
    let u = 0;
    while (u === 0) u = Math.random();
    const v = Math.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/**
 * SET:GET as a repeating sequence (1:10 → one SET then ten GETs), deterministic so short
 * runs keep the exact mix.
 */
export class RatioSequence {
  private position = 0;
  private readonly period: number;

  constructor(
    readonly sets: number,
    readonly gets: number,
  ) {
    this.period = sets + gets;
    if (this.period <= 0) throw new RangeError('ratio must have at least one SET or GET');
  }

  next(): number {
    const p = this.position;
    this.position = p + 1 === this.period ? 0 : p + 1;
    return p < this.sets ? OP_SET : OP_GET;
  }
}
