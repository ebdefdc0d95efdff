// The pure slot math: AWS's even split, the Slots text form, and the rebalance plan of a shard count change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evenSlotCounts,
  formatSlotRanges,
  rangesOf,
  rebalanceSlots,
  SLOT_COUNT,
  slotsOf,
  type SlotRange,
} from '../../src/plan/slots.js';

const total = (ranges: SlotRange[]) => ranges.reduce((sum, range) => sum + range.end - range.start + 1, 0);

test('even counts put the remainder on the first shards', () => {
  assert.deepEqual(evenSlotCounts(3), [5462, 5461, 5461]);
  assert.deepEqual(evenSlotCounts(1), [SLOT_COUNT]);
  assert.throws(() => evenSlotCounts(0), /shards must be/);
});

test('ranges fold and unfold', () => {
  assert.deepEqual(rangesOf([5, 1, 2, 3, 9]), [
    { start: 1, end: 3 },
    { start: 5, end: 5 },
    { start: 9, end: 9 },
  ]);
  assert.deepEqual(slotsOf([{ start: 3, end: 5 }]), [3, 4, 5]);
});

test('scale out 2 -> 3: only the excess of each old shard moves, to the new shard', () => {
  const plan = rebalanceSlots(
    [
      { nodeGroupId: '0001', slots: [{ start: 0, end: 8191 }] },
      { nodeGroupId: '0002', slots: [{ start: 8192, end: 16383 }] },
    ],
    ['0001', '0002', '0003'],
  );
  assert.deepEqual(
    plan.shards.map((shard) => total(shard.slots)),
    [5462, 5461, 5461],
  );
  assert.equal(formatSlotRanges(plan.shards[0]!.slots), '0-5461');
  assert.equal(formatSlotRanges(plan.shards[2]!.slots), '5462-8191,13653-16383');
  assert.deepEqual(
    plan.moves.map((move) => [move.from, move.to, move.slots.length]),
    [
      ['0001', '0003', 2730],
      ['0002', '0003', 2731],
    ],
  );
});

test('scale in 3 -> 2: the removed shard gives everything, the kept ones fill up to an even share', () => {
  const plan = rebalanceSlots(
    [
      { nodeGroupId: '0001', slots: [{ start: 0, end: 5461 }] },
      { nodeGroupId: '0002', slots: [{ start: 5462, end: 10922 }] },
      { nodeGroupId: '0003', slots: [{ start: 10923, end: 16383 }] },
    ],
    ['0001', '0003'],
  );
  assert.deepEqual(
    plan.shards.map((shard) => [shard.nodeGroupId, total(shard.slots)]),
    [
      ['0001', 8192],
      ['0003', 8192],
    ],
  );
  assert.ok(plan.moves.every((move) => move.from === '0002'));
  assert.equal(
    plan.moves.reduce((sum, move) => sum + move.slots.length, 0),
    5461,
  );
});

test('an already even split moves nothing', () => {
  const plan = rebalanceSlots([{ nodeGroupId: '0001', slots: [{ start: 0, end: 16383 }] }], ['0001']);
  assert.deepEqual(plan.moves, []);
});

test('current shards that miss slots are refused', () => {
  assert.throws(
    () => rebalanceSlots([{ nodeGroupId: '0001', slots: [{ start: 0, end: 99 }] }], ['0001', '0002']),
    /own 100 slots/,
  );
});
