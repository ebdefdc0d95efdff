/** What the CLI does without ICU (which costs a process ~10-20 ms to load): the same results as Intl. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareIds } from '../../src/names.js';
import { groupedNumber } from '../../src/ui/numbers.js';

test('groupedNumber writes what toLocaleString("en-US") writes, without Intl', () => {
  const values = [
    0,
    1,
    12,
    999,
    1000,
    1234,
    12_345,
    999_999,
    1_000_000,
    1_234_567_890,
    250,
    2000,
    -1,
    -1000,
    -1234.5,
    0.5,
    0.0005,
    0.0004,
    1.0005,
    2.5,
    1234.5678,
    1234.9999,
    999.9996,
    16_384,
    0.1 + 0.2,
    Number.MAX_SAFE_INTEGER,
    -0.0004,
    -0,
    NaN,
    Infinity,
    -Infinity,
  ];
  // And a spread of random magnitudes and fractions, seeded for repeatability.
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = 0; i < 500; i++) values.push((random() - 0.3) * 10 ** Math.floor(random() * 12));
  for (const value of values) assert.equal(groupedNumber(value), value.toLocaleString('en-US'), `for ${value}`);
});

test('compareIds orders ids and ISO timestamps as localeCompare does', () => {
  const ids = [
    'demo-002',
    'demo-001',
    'demo-0001-003',
    'demo-0010-001',
    'demo-0002-001',
    'a',
    'a-1',
    'b',
    '2026-12-03T10:00:00.000Z x',
    '2026-12-03T09:59:59.999Z y',
  ];
  assert.deepEqual(
    [...ids].sort(compareIds),
    [...ids].sort((a, b) => a.localeCompare(b)),
  );
  assert.equal(compareIds('demo-001', 'demo-001'), 0);
  assert.ok(compareIds('demo-001', 'demo-002') < 0 && compareIds('demo-002', 'demo-001') > 0);
});
