/**
 * Redis Cluster key → hash slot: CRC16 (XMODEM: polynomial 0x1021, initial 0, no reflection)
 * of the key, or of its hash tag (the text between the first `{` and the next `}` when that
 * is not empty), mod 16384. Pure: no I/O. Reference: the Redis Cluster specification,
 * "Keys distribution model" (crc16("123456789") = 0x31C3).
 */

export const SLOT_COUNT = 16384;

const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

/** CRC16-XMODEM of bytes[start..end), continuing from `crc` (0 to start afresh). */
export function crc16(bytes: Uint8Array | string, crc = 0, start = 0, end?: number): number {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const stop = end ?? data.length;
  for (let i = start; i < stop; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ data[i]!) & 0xff]!;
  return crc;
}

/** The part of the key that is hashed: its hash tag when it has a non-empty one, else all of it. */
function hashedRange(key: Uint8Array): [number, number] {
  const open = key.indexOf(0x7b /* { */);
  if (open < 0) return [0, key.length];
  const close = key.indexOf(0x7d /* } */, open + 1);
  if (close < 0 || close === open + 1) return [0, key.length];
  return [open + 1, close];
}

export function hashSlot(key: string | Uint8Array): number {
  const bytes = typeof key === 'string' ? Buffer.from(key) : key;
  const [start, end] = hashedRange(bytes);
  return crc16(bytes, 0, start, end) & (SLOT_COUNT - 1);
}

/**
 * The slot of every bench key `<keyPrefix><n zero-padded to width>`, n = 0..count-1. The
 * prefix's CRC is computed once; the digits are counted like an odometer, keeping the CRC after
 * each digit position, so the next key costs only the positions that changed (about 1.1 table
 * steps a key: 10 M keys in a few tens of ms). A prefix with a `{` falls back to hashSlot per
 * key (its tag decides).
 */
export function keySlots(keyPrefix: string, width: number, count: number): Uint16Array {
  const slots = new Uint16Array(count);
  if (keyPrefix.includes('{')) {
    for (let n = 0; n < count; n++) slots[n] = hashSlot(keyPrefix + String(n).padStart(width, '0'));
    return slots;
  }
  const digits = new Uint8Array(width); // all '0' (as digit values 0-9)
  // crcs[i]: the CRC after the prefix and the first i digits.
  const crcs = new Uint16Array(width + 1);
  crcs[0] = crc16(keyPrefix);
  const step = (crc: number, digit: number) => ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ (48 + digit)) & 0xff]!;
  for (let i = 0; i < width; i++) crcs[i + 1] = step(crcs[i]!, 0);
  for (let n = 0; n < count; n++) {
    slots[n] = crcs[width]! & (SLOT_COUNT - 1);
    // Next number: carry from the last digit; recompute the CRCs from the first changed position.
    let i = width - 1;
    while (i >= 0 && digits[i] === 9) digits[i--] = 0;
    if (i < 0) break;
    digits[i]!++;
    for (let j = i; j < width; j++) crcs[j + 1] = step(crcs[j]!, digits[j]!);
  }
  return slots;
}

/** A hash tag (`{…}` content) whose slot lies in `owns`: pins a key to one shard. */
export function tagForSlots(owns: (slot: number) => boolean, seed = 's'): string {
  for (let i = 0; i < 1_000_000; i++) {
    const tag = `${seed}${i}`;
    if (owns(crc16(tag) & (SLOT_COUNT - 1))) return tag;
  }
  throw new Error('no hash tag maps to these slots');
}
