/**
 * Redis Cluster's 16384 hash slots and how ElastiCache splits them between shards. Pure:
 * the emulator forms its clusters with it, and create-cluster's review shows the split.
 */

export const SLOT_COUNT = 16384;

/**
 * AWS's even split: the remainder goes to the first shards, so 3 shards get
 * 0-5461, 5462-10922, 10923-16383.
 */
export function evenSlotRanges(shards: number): { start: number; end: number }[] {
  if (!Number.isInteger(shards) || shards < 1 || shards > SLOT_COUNT)
    throw new Error(`shards must be 1..${SLOT_COUNT} (got ${shards})`);
  const base = Math.floor(SLOT_COUNT / shards);
  const extra = SLOT_COUNT % shards;
  const ranges: { start: number; end: number }[] = [];
  let start = 0;
  for (let index = 0; index < shards; index++) {
    const size = base + (index < extra ? 1 : 0);
    ranges.push({ start, end: start + size - 1 });
    start += size;
  }
  return ranges;
}

/** Parses NodeGroupConfiguration.Slots ("0-5460" or "0-100,200-300"). */
export function parseSlotRanges(text: string): { start: number; end: number }[] {
  return text.split(',').map((part) => {
    const match = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part);
    if (!match) throw new Error(`slot range "${part}" is not START-END`);
    const start = Number(match[1]);
    const end = Number(match[2]);
    if (start > end || end >= SLOT_COUNT) throw new Error(`slot range "${part}" must be within 0-${SLOT_COUNT - 1}`);
    return { start, end };
  });
}

export function formatSlotRanges(ranges: { start: number; end: number }[]): string {
  return ranges.map((range) => `${range.start}-${range.end}`).join(',');
}

/** The node group ids ElastiCache gives an even split ("0001", "0002", …) and their slot ranges. */
export function evenSlotSplit(shards: number): { nodeGroupId: string; slots: string }[] {
  return evenSlotRanges(shards).map((range, index) => ({
    nodeGroupId: String(index + 1).padStart(4, '0'),
    slots: formatSlotRanges([range]),
  }));
}
