/**
 * The open loop's clock: it wakes from its timer a quantum before a send is due and polls
 * the rest, so a send is not a timer quantum late (which would count as latency, since
 * every request is timed from its intended time); it never sends early, and it does not
 * poll while nothing can be sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import {
  MAX_SLEEP_MS,
  OpenLoopClock,
  POLL_PRECISE_MS,
  POLL_SLICE_MS,
  POLL_WINDOW_MS,
  pauseBefore,
  sleepBefore,
  type Scheduled,
} from '../../src/bench/schedule.js';

test('the timer is set to wake at least a poll window before the send is due', () => {
  assert.equal(sleepBefore(5.4), 4, 'wakes 1.4 ms early: a timer firing up to a quantum late is still on time');
  assert.ok(sleepBefore(3)! <= 3 - POLL_WINDOW_MS);
  assert.equal(sleepBefore(POLL_WINDOW_MS), null, 'inside the window: poll, do not sleep');
  assert.equal(sleepBefore(0.2), null);
  assert.equal(sleepBefore(-3), null, 'overdue: next loop turn');
  assert.equal(sleepBefore(500), MAX_SLEEP_MS, 'never sleeps long (a connection may come up)');
  assert.equal(sleepBefore(Number.POSITIVE_INFINITY), MAX_SLEEP_MS, 'nothing can send: a short sleep, no polling');
});

test('inside the window: slices while a reply is awaited, one sleep when all are answered', () => {
  assert.equal(pauseBefore(0.8, false), POLL_SLICE_MS, 'a reply may land: read it within a slice');
  assert.equal(pauseBefore(0.8, true), 0.8 - POLL_PRECISE_MS, 'nothing can land: sleep until just before the send');
  assert.ok(pauseBefore(POLL_PRECISE_MS + 0.01, false) <= 0.01 + 1e-9, 'never past the precise part');
  assert.equal(pauseBefore(POLL_PRECISE_MS, true), 0, 'the last part is polled outright');
  assert.equal(pauseBefore(-1, true), 0, 'overdue: send now');
});

/** Sends `count` requests `interval` ms apart from `first`, recording when each really went. */
function schedule(first: number, interval: number, count: number): Scheduled & { sentLate: number[] } {
  let next = first;
  const sentLate: number[] = [];
  return {
    sentLate,
    inFlight: 0,
    nextDue: () => (sentLate.length < count ? next : Number.POSITIVE_INFINITY),
    tick(now) {
      while (sentLate.length < count && next <= now) {
        sentLate.push(performance.now() - next);
        next += interval;
      }
    },
  };
}

test('every send goes out, none before its time, and the clock stops when told', async () => {
  const member = schedule(performance.now() + 5, 4, 25);
  const clock = new OpenLoopClock([member]);
  clock.start();
  while (member.sentLate.length < 25) await new Promise((resolve) => setTimeout(resolve, 5));
  clock.stop();
  assert.ok(
    member.sentLate.every((late) => late >= 0),
    `a send went early: ${member.sentLate.filter((late) => late < 0).join(', ')}`,
  );
});

test('nothing to send (a full window): sleeps instead of polling', async () => {
  let ticks = 0;
  const blocked: Scheduled = { inFlight: 1, nextDue: () => Number.POSITIVE_INFINITY, tick: () => void ticks++ };
  const clock = new OpenLoopClock([blocked]);
  clock.start();
  await new Promise((resolve) => setTimeout(resolve, 100));
  clock.stop();
  const after = ticks;
  assert.ok(ticks >= 2 && ticks <= 100 / MAX_SLEEP_MS + 2, `${ticks} ticks in 100 ms`);
  await new Promise((resolve) => setTimeout(resolve, 3 * MAX_SLEEP_MS));
  assert.equal(ticks, after, 'no tick after stop()');
});
