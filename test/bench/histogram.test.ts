import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HdrHistogram, mergeHistograms, highestEquivalentValue } from '../../src/bench/histogram.js';

/** Within the histogram's 3-significant-digit resolution (0.1%) plus one unit. */
function near(actual: number, expected: number, message?: string): void {
  const tolerance = Math.max(1, expected * 0.001);
  assert.ok(Math.abs(actual - expected) <= tolerance, `${message ?? ''} expected ≈${expected}, got ${actual}`);
}

test('uniform 1..100000: percentiles are the matching ranks', () => {
  const h = new HdrHistogram();
  for (let v = 1; v <= 100_000; v++) h.record(v);
  assert.equal(h.totalCount, 100_000);
  near(h.valueAtPercentile(50), 50_000, 'p50');
  near(h.valueAtPercentile(90), 90_000, 'p90');
  near(h.valueAtPercentile(99), 99_000, 'p99');
  near(h.valueAtPercentile(99.9), 99_900, 'p99.9');
  assert.equal(h.max, 100_000);
  assert.equal(h.min, 1);
  near(h.mean(), 50_000.5, 'mean');
});

test('values below 2048 are exact', () => {
  const h = new HdrHistogram();
  for (let v = 0; v < 2000; v++) h.record(v);
  assert.equal(h.valueAtPercentile(50), 999);
  assert.equal(h.valueAtPercentile(100), 1999);
  assert.equal(highestEquivalentValue(1500), 1500);
});

test('constant distribution: every percentile is the constant', () => {
  const h = new HdrHistogram();
  for (let i = 0; i < 10_000; i++) h.record(250);
  const s = h.summary();
  assert.deepEqual(s, { p50: 250, p90: 250, p99: 250, p999: 250, max: 250 });
  assert.equal(h.stdDeviation(), 0);
});

test('exponential distribution: percentiles follow -ln(1-p)·mean', () => {
  const h = new HdrHistogram();
  const mean = 1000;
  const n = 200_000;
  // Deterministic quantiles instead of random draws: the i-th of n evenly spaced quantiles.
  for (let i = 0; i < n; i++) h.record(-Math.log(1 - (i + 0.5) / n) * mean);
  for (const [p, expected] of [
    [50, Math.log(2) * mean],
    [90, Math.log(10) * mean],
    [99, Math.log(100) * mean],
    [99.9, Math.log(1000) * mean],
  ] as const) {
    const got = h.valueAtPercentile(p);
    assert.ok(Math.abs(got - expected) / expected < 0.005, `p${p}: expected ≈${expected.toFixed(0)}, got ${got}`);
  }
});

test('a single outlier shows in max and p99.9 only when it is more than 0.1%', () => {
  const h = new HdrHistogram();
  for (let i = 0; i < 9_999; i++) h.record(100);
  h.record(5_000_000);
  assert.equal(h.valueAtPercentile(99.9), 100);
  assert.equal(h.max, 5_000_000);
  assert.equal(h.valueAtPercentile(100), 5_000_000);
  const few = new HdrHistogram();
  for (let i = 0; i < 99; i++) few.record(100);
  few.record(5_000_000);
  assert.equal(few.valueAtPercentile(99), 100);
  near(few.valueAtPercentile(99.9), 5_000_000, 'p99.9 of 100 values is the outlier');
});

test('merging is the same as recording everything in one histogram', () => {
  const a = new HdrHistogram();
  const b = new HdrHistogram();
  const all = new HdrHistogram();
  for (let v = 1; v <= 5000; v++) {
    a.record(v);
    all.record(v);
  }
  for (let v = 1; v <= 5000; v++) {
    b.record(v * 100);
    all.record(v * 100);
  }
  const merged = mergeHistograms([a, b]);
  assert.equal(merged.totalCount, 10_000);
  for (const p of [10, 50, 75, 90, 99, 99.9, 100])
    assert.equal(merged.valueAtPercentile(p), all.valueAtPercentile(p), `p${p}`);
  // Averaging percentiles would say p50 ≈ 127 500; the merged truth is the 5000th value (4951).
  near(merged.valueAtPercentile(50), 4951, 'merged p50');
});

test('empty histogram reports zeros; huge values are clamped, negatives are 0', () => {
  const h = new HdrHistogram();
  assert.deepEqual(h.summary(), { p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
  assert.equal(
    h
      .outputPercentileDistribution()
      .split('\n')
      .filter((l) => /^\s+\d/.test(l)).length,
    0,
  );
  h.record(-5);
  h.record(1e12);
  assert.equal(h.min, 0);
  assert.equal(h.max, h.highestTrackableValue);
});

test('percentile distribution text is in HdrHistogram format', () => {
  const h = new HdrHistogram();
  for (let v = 1; v <= 10_000; v++) h.record(v * 10); // 10 µs .. 100 ms
  const text = h.outputPercentileDistribution(5, 1000);
  const lines = text.split('\n');
  assert.match(lines[0]!, /^\s+Value\s+Percentile\s+TotalCount\s+1\/\(1-Percentile\)$/);
  assert.equal(lines[1], '');
  const rows = lines.filter((l) => /^\s+\d/.test(l)).map((l) => l.trim().split(/\s+/));
  assert.deepEqual(rows[0], ['0.010', '0.000000000000', '1', '1.00']);
  const last = rows[rows.length - 1]!;
  assert.deepEqual(last, ['100.000', '1.000000000000', '10000']);
  // Percentile levels rise monotonically and get denser towards 100% (5 ticks per half distance).
  const levels = rows.map((r) => Number(r[1]));
  for (let i = 1; i < levels.length; i++) assert.ok(levels[i]! >= levels[i - 1]!);
  assert.ok(levels.includes(0.5) && levels.includes(0.75) && levels.includes(0.9));
  const counts = rows.map((r) => Number(r[2]));
  for (let i = 1; i < counts.length; i++) assert.ok(counts[i]! >= counts[i - 1]!);
  assert.match(text, /#\[Mean {4}=\s+50\.\d{3}, StdDeviation {3}=\s+28\.\d{3}\]/);
  assert.match(text, /#\[Max {5}=\s+100\.000, Total count {4}=\s+10000\]/);
  assert.match(text, /#\[Buckets =\s+22, SubBuckets {5}=\s+2048\]/);
});

test('snapshot round trip keeps every count (for the lag probe thread)', () => {
  const h = new HdrHistogram();
  for (let v = 1; v <= 30_000; v += 7) h.record(v);
  const copy = HdrHistogram.fromSnapshot(structuredClone(h.snapshot()));
  assert.equal(copy.totalCount, h.totalCount);
  assert.equal(copy.min, h.min);
  assert.equal(copy.max, h.max);
  for (const p of [1, 50, 99, 99.9]) assert.equal(copy.valueAtPercentile(p), h.valueAtPercentile(p));
});

test('a snapshot holds the non-empty buckets only, and adding it equals adding the histogram', () => {
  const h = new HdrHistogram();
  for (const v of [3, 3, 3, 900, 2500, 2501, 70_000]) h.record(v);
  const snapshot = h.snapshot();
  // 2500 and 2501 share a bucket (above 2048 a bucket is 2 wide): 4 buckets for 5 distinct values.
  assert.deepEqual(Array.from(snapshot.counts), [3, 1, 2, 1]);
  assert.equal(snapshot.indexes.length, 4);
  assert.ok(snapshot.indexes.every((index, j) => j === 0 || index > snapshot.indexes[j - 1]!));
  const viaSnapshot = new HdrHistogram();
  viaSnapshot.record(5);
  const viaAdd = viaSnapshot.copy();
  viaSnapshot.addSnapshot(snapshot);
  viaAdd.add(h);
  assert.deepEqual(viaSnapshot.snapshot(), viaAdd.snapshot());
  assert.equal(viaSnapshot.totalCount, 8);
  assert.equal(viaSnapshot.max, 70_000);
  const narrow = new HdrHistogram(10_000);
  assert.throws(() => narrow.addSnapshot(snapshot), /larger range/);
});

test('since(earlier copy): the counts recorded in between, min/max within their buckets', () => {
  const h = new HdrHistogram();
  for (const v of [10, 20, 30]) h.record(v);
  const earlier = h.copy();
  for (const v of [5, 4000, 123_456]) h.record(v);
  const interval = h.since(earlier);
  assert.equal(interval.totalCount, 3);
  const direct = new HdrHistogram();
  for (const v of [5, 4000, 123_456]) direct.record(v);
  for (const p of [1, 50, 90, 100]) assert.equal(interval.valueAtPercentile(p), direct.valueAtPercentile(p), `p${p}`);
  assert.equal(interval.min, 5);
  assert.equal(interval.max, 123_456, 'the cumulative max caps the bucket');
  assert.equal(h.since(h.copy()).totalCount, 0);
  assert.throws(() => earlier.since(h), /not an earlier copy/);
});
