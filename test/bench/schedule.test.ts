/**
 * Open-loop latency start: the timer's own lateness is not server latency, a real delay
 * in sending (blocked loop, full window) still is (coordinated omission).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TIMER_SLACK_MS, latencyStart } from '../../src/bench/schedule.js';

test('a send late only by the timer quantum is timed from when it was sent', () => {
  assert.equal(latencyStart(100, 101.2), 101.2);
  assert.equal(latencyStart(100, 100 + TIMER_SLACK_MS), 100 + TIMER_SLACK_MS);
  assert.equal(latencyStart(100, 99.5), 100, 'never before the intended time');
});

test('a send held back longer than the slack is timed from its intended time', () => {
  assert.equal(latencyStart(100, 100 + TIMER_SLACK_MS + 0.01), 100);
  assert.equal(latencyStart(100, 600), 100, 'a 500 ms hold-up shows in full');
});
