/**
 * Hash slots of a cluster-mode-enabled group, pure: AWS's even split, the `Slots` text
 * form ("0-5461" or "0-100,200-300"), and the rebalance plan of a shard count change
 * (which slots move from which shard to which). Shared by the emulator (which moves the
 * slots for real) and `scale` (which shows the split before anything changes).
 */

export const SLOT_COUNT = 16384;

export interface SlotRange {
  start: number;
  end: number;
}

/**
 * AWS's even split: the remainder goes to the first shards, so 3 shards get
 * 0-5461, 5462-10922, 10923-16383.
 */
export function evenSlotRanges(shards: number): SlotRange[] {
  const sizes = evenSlotCounts(shards);
  const ranges: SlotRange[] = [];
  let start = 0;
  for (const size of sizes) {
    ranges.push({ start, end: start + size - 1 });
    start += size;
  }
  return ranges;
}

/** How many slots each of `shards` shards owns after an even split (remainder to the first). */
export function evenSlotCounts(shards: number): number[] {
  if (!Number.isInteger(shards) || shards < 1 || shards > SLOT_COUNT)
    throw new Error(`shards must be 1..${SLOT_COUNT} (got ${shards})`);
  const base = Math.floor(SLOT_COUNT / shards);
  const extra = SLOT_COUNT % shards;
  return Array.from({ length: shards }, (_, index) => base + (index < extra ? 1 : 0));
}

/** Parses NodeGroupConfiguration.Slots ("0-5460" or "0-100,200-300"). */
export function parseSlotRanges(text: string): SlotRange[] {
  return text.split(',').map((part) => {
    const match = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part);
    if (!match) throw new Error(`slot range "${part}" is not START-END`);
    const start = Number(match[1]);
    const end = Number(match[2]);
    if (start > end || end >= SLOT_COUNT) throw new Error(`slot range "${part}" must be within 0-${SLOT_COUNT - 1}`);
    return { start, end };
  });
}

export function formatSlotRanges(ranges: SlotRange[]): string {
  return ranges.map((range) => `${range.start}-${range.end}`).join(',');
}

/** Every slot of the ranges, ascending. */
export function slotsOf(ranges: SlotRange[]): number[] {
  return ranges.flatMap((range) => Array.from({ length: range.end - range.start + 1 }, (_, i) => range.start + i));
}

/** Ascending slots folded back into ranges. */
export function rangesOf(slots: number[]): SlotRange[] {
  const sorted = [...slots].sort((a, b) => a - b);
  const ranges: SlotRange[] = [];
  for (const slot of sorted) {
    const last = ranges.at(-1);
    if (last && last.end + 1 === slot) last.end = slot;
    else ranges.push({ start: slot, end: slot });
  }
  return ranges;
}

export interface SlotMove {
  from: string;
  to: string;
  slots: number[];
}

export interface Rebalance {
  /** The final shards in order, each with its slots. */
  shards: { nodeGroupId: string; slots: SlotRange[] }[];
  /** What migrates, grouped by donor and recipient (contiguous slots where possible). */
  moves: SlotMove[];
}

/**
 * The plan of a shard count change, moving as few slots as possible (like
 * `redis-cli --cluster rebalance`): removed shards give all their slots, kept shards
 * that own more than an even share give their highest ones, and shards under their share
 * (new ones, in order) take them. Final counts are the even split's, in final order.
 */
export function rebalanceSlots(current: { nodeGroupId: string; slots: SlotRange[] }[], finalIds: string[]): Rebalance {
  const coveredNow = current.reduce((sum, shard) => sum + slotsOf(shard.slots).length, 0);
  if (coveredNow !== SLOT_COUNT)
    throw new Error(`the current shards own ${coveredNow} slots, not all ${SLOT_COUNT}: cannot rebalance`);
  const targets = new Map(evenSlotCounts(finalIds.length).map((count, index) => [finalIds[index]!, count]));
  const owned = new Map<string, number[]>(finalIds.map((id) => [id, []]));
  const pool: { slot: number; from: string }[] = [];
  for (const shard of current) {
    const slots = slotsOf(shard.slots);
    const keep = targets.get(shard.nodeGroupId) ?? 0;
    owned.set(shard.nodeGroupId, slots.slice(0, Math.min(keep, slots.length)));
    for (const slot of slots.slice(keep)) pool.push({ slot, from: shard.nodeGroupId });
    if (!targets.has(shard.nodeGroupId)) owned.delete(shard.nodeGroupId);
  }
  pool.sort((a, b) => a.slot - b.slot);
  const moves: SlotMove[] = [];
  let next = 0;
  for (const id of finalIds) {
    const mine = owned.get(id)!;
    while (mine.length < targets.get(id)! && next < pool.length) {
      const { slot, from } = pool[next++]!;
      mine.push(slot);
      const last = moves.at(-1);
      if (last && last.from === from && last.to === id) last.slots.push(slot);
      else moves.push({ from, to: id, slots: [slot] });
    }
  }
  if (next !== pool.length)
    throw new Error('rebalance left slots unassigned (the current shards do not cover all slots)');
  return {
    shards: finalIds.map((id) => ({ nodeGroupId: id, slots: rangesOf(owned.get(id)!) })),
    moves,
  };
}

/** The node group ids ElastiCache gives an even split ("0001", "0002", …) and their slot ranges. */
export function evenSlotSplit(shards: number): { nodeGroupId: string; slots: string }[] {
  return evenSlotRanges(shards).map((range, index) => ({
    nodeGroupId: String(index + 1).padStart(4, '0'),
    slots: formatSlotRanges([range]),
  }));
}
