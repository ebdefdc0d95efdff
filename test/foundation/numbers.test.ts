import { test } from 'node:test';
import assert from 'node:assert/strict';
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
