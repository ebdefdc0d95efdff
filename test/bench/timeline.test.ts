/**
 * The per-second timeline (the HTML report's throughput chart) from the load's running totals:
 * one ops/s point per interval, the intervals' histograms adding up to the whole run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeStats } from '../../src/bench/stats.js';
import { TimelineSampler, type TimelinePoint } from '../../src/bench/timeline.js';

/** A sampler over one node whose running total the test sets; nothing runs on a timer. */
function sampler() {
  const stats = new NodeStats();
  const timeline = new TimelineSampler(() => new Map([['n', stats]]), 0);
  timeline.start(3_600_000);
  const completeAt = (ops: number) => {
    for (let i = 0; i < ops; i++) stats.record(true, 100, 0);
  };
  return { timeline, completeAt };
}

/** Each point as [seconds, ops/s of the one node]. */
const perSecond = (points: TimelinePoint[]) => points.map((p) => [p.tS, p.opsPerSec.n]);

test('a drain after the load stopped is not a last second without ops', () => {
  const { timeline, completeAt } = sampler();
  completeAt(500);
  timeline.sample(1000);
  completeAt(480);
  timeline.sample(2000);
  // The load stops sending at 2.0 s; in-flight requests (redirections after a failover) drain
  // until 2.6 s and 3 of them complete.
  timeline.loadStopped(2000);
  completeAt(3);
  assert.deepEqual(perSecond(timeline.stop(2600)), [
    [1, 500],
    [2, 480],
  ]);
  // The drain's completions are still in the run's histograms: the intervals cover 0–2.6 s.
  assert.deepEqual(
    timeline.intervals.map((i) => [i.startS, i.lengthS, i.byNode.get('n')!.totalCount]),
    [
      [0, 1, 500],
      [1, 1, 480],
      [2, 0.6, 3],
    ],
  );
});

test('a last part-second of load is a point over the time the load sent', () => {
  const { timeline, completeAt } = sampler();
  completeAt(500);
  timeline.sample(1000);
  // Sending until 1.5 s, drained by 1.7 s: 510 more completed since 1.0 s.
  timeline.loadStopped(1500);
  completeAt(510);
  assert.deepEqual(perSecond(timeline.stop(1700)), [
    [1, 500],
    [1.5, 1020],
  ]);
  // Without a separate end of load (the runs that stop at once), the point ends where it stops.
  const again = sampler();
  again.completeAt(300);
  assert.deepEqual(perSecond(again.timeline.stop(600)), [[0.6, 500]]);
});

test('no periodic sample once the load stopped: the drain and the final slot map read send nothing', async () => {
  const stats = new NodeStats();
  const timeline = new TimelineSampler(() => new Map([['n', stats]]), performance.now());
  timeline.start(5);
  stats.record(true, 100, 0);
  await new Promise((resolve) => setTimeout(resolve, 40));
  const sampled = timeline.points.length;
  assert.ok(sampled > 0, 'the timer samples while the load runs');
  timeline.loadStopped();
  await new Promise((resolve) => setTimeout(resolve, 40));
  // Once seen after a failover: a sample 1.5 s after the load stopped, while the final slot map
  // was read, made a last point of 0 ops/s.
  assert.equal(timeline.points.length, sampled);
});
