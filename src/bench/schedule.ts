/**
 * The open loop's (--rate) clock: sends each request at its intended time, to well under a
 * millisecond, without spinning a core.
 *
 * Node's timers have a 1 ms granularity and fire up to a quantum late (more under load).
 * Sending from a 1 ms timer and timing every request from its intended time counted that
 * quantum as server latency (p50 1.2 ms against an idle server where memtier shows
 * 0.055 ms). So the clock sleeps on a timer only until POLL_WINDOW_MS before the next send
 * is due, then polls with setImmediate (and short kernel sleeps) for the rest: each turn still reads every ready
 * socket (replies are timestamped as they arrive), and the send goes out within one loop
 * turn of its intended time. Every request is then timed from its intended send time: a
 * send held back by the client (a blocked event loop, a full window behind a stalled
 * server) counts in full, so coordinated omission cannot hide a stall.
 */
import { performance } from 'node:perf_hooks';

/** Polled (not slept) before a due send: more than a timer's usual lateness. */
export const POLL_WINDOW_MS = 1;
/** The longest sleep: a connection that comes (back) up is served within this. */
export const MAX_SLEEP_MS = 10;
/**
 * Inside the poll window, while a reply is awaited, each turn first sleeps in the kernel
 * for a slice this short (Atomics.wait), not spinning: a fraction of the CPU, and a process
 * that does not spin keeps its scheduling priority on a busy machine. A reply that lands
 * during a slice is read at most this late. The last POLL_PRECISE_MS before a send are polled outright
 * (the kernel's 50 µs timer slack would make the slice itself late).
 */
export const POLL_SLICE_MS = 0.05;
export const POLL_PRECISE_MS = 0.1;
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/**
 * How to wait for a send due `wait` ms from now: null to poll (next loop turn), else a
 * timer delay that wakes at least POLL_WINDOW_MS before it even if the timer fires a
 * quantum late... or early: libuv's millisecond clock can fire a timer up to 1 ms before
 * its delay is up, which the poll window also absorbs.
 */
export function sleepBefore(wait: number): number | null {
  if (wait <= POLL_WINDOW_MS) return null;
  return Math.min(MAX_SLEEP_MS, Math.floor(wait - POLL_WINDOW_MS));
}

/**
 * Inside the poll window: how long to sleep in the kernel before the next loop turn, for a
 * send due `wait` ms from now. A slice while a reply is awaited (it is read at most a slice
 * late); with every request answered no reply can land, so one sleep until just before the
 * send (at 1,000 ops/s on loopback that is most of each window) instead of a loop turn per
 * slice. The last POLL_PRECISE_MS are polled outright: 0.
 */
export function pauseBefore(wait: number, allAnswered: boolean): number {
  if (wait <= POLL_PRECISE_MS) return 0;
  return allAnswered ? wait - POLL_PRECISE_MS : Math.min(POLL_SLICE_MS, wait - POLL_PRECISE_MS);
}

export interface Scheduled {
  /** When this sends next (performance.now() ms); Infinity when it cannot send now. */
  nextDue(): number;
  /** Requests sent and not yet answered: a reply to one of them may land at any moment. */
  readonly inFlight: number;
  /** Sends everything due by `now`; also checks for requests that never got an answer. */
  tick(now: number): void;
}

export class OpenLoopClock {
  private timer?: NodeJS.Timeout;
  private immediate?: NodeJS.Immediate;
  private stopped = false;

  constructor(private readonly members: readonly Scheduled[]) {}

  start(): void {
    this.run();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
  }

  private readonly run = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    if (this.stopped) return;
    const members = this.members;
    for (let i = 0; i < members.length; i++) members[i]!.tick(performance.now());
    let due = Number.POSITIVE_INFINITY;
    let answered = true;
    for (let i = 0; i < members.length; i++) {
      due = Math.min(due, members[i]!.nextDue());
      if (members[i]!.inFlight > 0) answered = false;
    }
    const wait = due - performance.now();
    const sleep = sleepBefore(wait);
    if (sleep !== null) {
      this.timer = setTimeout(this.run, sleep);
      return;
    }
    const pause = pauseBefore(wait, answered);
    if (pause > 0) Atomics.wait(PAUSE, 0, 0, pause);
    this.immediate = setImmediate(this.run);
  };
}
