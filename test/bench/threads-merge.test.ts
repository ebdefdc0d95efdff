/**
 * --threads merges histograms by summing bucket counts after they cross a thread
 * boundary (structured clone of typed arrays): the merged percentiles must equal those
 * of one histogram holding every sample, which averaging percentiles would not give.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HdrHistogram } from '../../src/bench/histogram.js';
import { NodeStats } from '../../src/bench/stats.js';
import { mergeNodeStats, snapshotNodeStats } from '../../src/bench/load-thread.js';
import { splitEvenly } from '../../src/bench/threaded-load.js';

/** A deterministic pseudo-random sequence (no Math.random: a failure must reproduce). */
function samples(seed: number, count: number, scale: number): number[] {
  let x = seed;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(1 + Math.floor((x / 2147483648) ** 3 * scale));
  }
  return out;
}

test('merged per-thread histograms have the percentiles of the concatenated samples', () => {
  // Two threads with very different latency: a fast one and a slow one.
  const parts = [samples(7, 50_000, 2_000), samples(11, 5_000, 900_000)];
  const all = new HdrHistogram();
  const stats = parts.map((values) => {
    const s = new NodeStats();
    for (const v of values) {
      s.getLatency.record(v);
      all.record(v);
    }
    s.ops = s.gets = values.length;
    return structuredClone(snapshotNodeStats(s));
  });
  const merged = mergeNodeStats(stats, 0);
  assert.equal(merged.ops, 55_000);
  assert.equal(merged.getLatency.totalCount, all.totalCount);
  for (const p of [0, 1, 25, 50, 90, 99, 99.9, 99.99, 100]) {
    assert.equal(merged.getLatency.valueAtPercentile(p), all.valueAtPercentile(p), `p${p}`);
  }
  assert.equal(merged.getLatency.max, all.max);
  assert.equal(merged.getLatency.min, all.min);
  // What an average of the threads' p99 would say is far from the truth: the test can tell.
  const averaged =
    (HdrHistogram.fromSnapshot(stats[0]!.getLatency).valueAtPercentile(99) +
      HdrHistogram.fromSnapshot(stats[1]!.getLatency).valueAtPercentile(99)) /
    2;
  assert.ok(Math.abs(averaged - all.valueAtPercentile(99)) > all.valueAtPercentile(99) * 0.1);
});

test('unavailability windows seen by several threads merge into one', () => {
  const a = new NodeStats();
  const b = new NodeStats();
  a.markFailure(100, 'down');
  a.markSuccess(300);
  b.markFailure(150, 'down');
  b.markSuccess(400);
  b.markFailure(1000, 'again');
  const merged = mergeNodeStats([snapshotNodeStats(a), snapshotNodeStats(b)], 0);
  assert.deepEqual(merged.unavailable, [
    { startMs: 100, endMs: 400, reason: 'down' },
    { startMs: 1000, reason: 'again' },
  ]);
});

test('clients split between threads differ by at most one and add up', () => {
  assert.deepEqual(splitEvenly(5, 2), [3, 2]);
  assert.deepEqual(splitEvenly(4, 4), [1, 1, 1, 1]);
  assert.equal(
    splitEvenly(1000, 7).reduce((a, b) => a + b, 0),
    1000,
  );
});
