/**
 * `--hdr-log PREFIX`: HdrHistogram interval logs (format 1.3, PREFIX<node>.hlog) that
 * HistogramLogAnalyzer and HdrHistogram's HistogramLogReader read. Each line carries one
 * histogram in HdrHistogram's V2 compressed encoding: a zlib-deflated V2 encoding (40-byte
 * header, then counts as ZigZag LEB128 with runs of zeros as negative numbers), behind an
 * 8-byte compressed-encoding header, in base64. Values are µs; the max column is in ms.
 * Pure except writeHdrLog's caller doing the file I/O.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { HdrHistogram, type HistogramSnapshot } from './histogram.js';

/** HdrHistogram's V2 cookies; 0x10 marks the word-size nibble as V2 (TLZE) encoding. */
const V2_ENCODING_COOKIE = 0x1c849303 | 0x10;
const V2_COMPRESSED_COOKIE = 0x1c849304 | 0x10;
const SIGNIFICANT_DIGITS = 3;

function zigZagLeb128(out: number[], value: number): void {
  // ZigZag without 32-bit bit ops: counts go up to 2^53.
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  while (v >= 128) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

function readZigZagLeb128(buf: Buffer, at: { i: number }): number {
  let v = 0;
  let scale = 1;
  for (;;) {
    const b = buf[at.i++]!;
    v += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) break;
    scale *= 128;
  }
  return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
}

/** The V2 compressed encoding of a histogram (what a .hlog line carries, before base64). */
export function encodeCompressed(h: HdrHistogram): Buffer {
  const { indexes, counts } = h.snapshot();
  const payload: number[] = [];
  // Non-empty buckets' counts; a run of empty ones between them as -length (a single one as 0).
  let next = 0;
  for (let j = 0; j < indexes.length; j++) {
    const zeros = indexes[j]! - next;
    if (zeros > 0) zigZagLeb128(payload, zeros > 1 ? -zeros : 0);
    zigZagLeb128(payload, counts[j]!);
    next = indexes[j]! + 1;
  }
  const header = Buffer.alloc(40);
  header.writeInt32BE(V2_ENCODING_COOKIE, 0);
  header.writeInt32BE(payload.length, 4);
  header.writeInt32BE(0, 8); // normalizingIndexOffset
  header.writeInt32BE(SIGNIFICANT_DIGITS, 12);
  header.writeBigInt64BE(1n, 16); // lowestDiscernibleValue
  header.writeBigInt64BE(BigInt(h.highestTrackableValue), 24);
  header.writeDoubleBE(1.0, 32); // integerToDoubleValueConversionRatio
  const compressed = deflateSync(Buffer.concat([header, Buffer.from(payload)]));
  const outer = Buffer.alloc(8);
  outer.writeInt32BE(V2_COMPRESSED_COOKIE, 0);
  outer.writeInt32BE(compressed.length, 4);
  return Buffer.concat([outer, compressed]);
}

/** Decodes what encodeCompressed wrote (and what HdrHistogram writes with 3 significant digits). */
export function decodeCompressed(buf: Buffer): HdrHistogram {
  if ((buf.readInt32BE(0) & ~0xf0) !== (0x1c849304 & ~0xf0))
    throw new Error('not an HdrHistogram V2 compressed encoding');
  const inner = inflateSync(buf.subarray(8, 8 + buf.readInt32BE(4)));
  if ((inner.readInt32BE(0) & ~0xf0) !== (0x1c849303 & ~0xf0)) throw new Error('not an HdrHistogram V2 encoding');
  const payloadLength = inner.readInt32BE(4);
  if (inner.readInt32BE(12) !== SIGNIFICANT_DIGITS) throw new Error('only 3 significant digits are supported');
  const highest = Number(inner.readBigInt64BE(24));
  const indexes: number[] = [];
  const counts: number[] = [];
  const at = { i: 40 };
  let index = 0;
  let total = 0;
  while (at.i < 40 + payloadLength) {
    const c = readZigZagLeb128(inner, at);
    if (c < 0) {
      index += -c;
    } else {
      if (c > 0) {
        indexes.push(index);
        counts.push(c);
        total += c;
      }
      index++;
    }
  }
  const snap: HistogramSnapshot = {
    highestTrackableValue: Math.min(highest, 0xffffffff),
    indexes: Uint32Array.from(indexes),
    counts: Float64Array.from(counts),
    total,
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
  };
  // min/max to bucket precision, as HdrHistogram does after decoding.
  const probe = HdrHistogram.fromSnapshot(snap);
  snap.min = total > 0 ? probe.valueAtPercentile(0) : Number.MAX_SAFE_INTEGER;
  snap.max = total > 0 ? probe.valueAtPercentile((100 * (total - 0.4)) / total) : 0;
  return HdrHistogram.fromSnapshot(snap);
}

export interface HdrLogInterval {
  /** Seconds after the log's start time. */
  startS: number;
  lengthS: number;
  histogram: HdrHistogram;
}

/** The text of one .hlog file: header, then one line per interval. */
export function hdrLogText(tag: string, startedAt: Date, intervals: HdrLogInterval[]): string {
  const start = startedAt.getTime() / 1000;
  const lines = [
    '#[Histogram log format version 1.3]',
    `#[StartTime: ${start.toFixed(3)} (seconds since epoch), ${startedAt.toUTCString()}]`,
    `#[BaseTime: ${start.toFixed(3)} (seconds since epoch)]`,
    '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"',
  ];
  const safeTag = tag.replace(/[\s,]/g, '_');
  for (const interval of intervals) {
    const max = (interval.histogram.max / 1000).toFixed(3);
    lines.push(
      `Tag=${safeTag},${interval.startS.toFixed(3)},${interval.lengthS.toFixed(3)},${max},${encodeCompressed(interval.histogram).toString('base64')}`,
    );
  }
  return lines.join('\n') + '\n';
}
