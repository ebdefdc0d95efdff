/**
 * Pipes `source` into `destination`, holding every chunk until `delayMs` after it
 * arrived. Order is kept (chunks leave in arrival order, each no earlier than its own
 * due time), so the result looks like a link with that much extra one-way latency,
 * not like a throttle. One timer per pipe, armed for the oldest chunk only.
 */
import { performance } from 'node:perf_hooks';
import type { Duplex, Readable, Writable } from 'node:stream';

interface Held {
  due: number;
  chunk: Buffer;
}

export function delayedPipe(source: Readable, destination: Writable | Duplex, delayMs: number): void {
  const queue: Held[] = [];
  let head = 0; // index of the oldest held chunk (avoids O(n) shift on long queues)
  let timer: NodeJS.Timeout | undefined;
  let sourceEnded = false;
  let waitingForDrain = false;
  let finished = false;

  const held = () => queue.length - head;

  const arm = () => {
    if (timer || finished || held() === 0) return;
    const wait = Math.max(0, queue[head]!.due - performance.now());
    timer = setTimeout(release, wait);
  };

  const release = () => {
    timer = undefined;
    if (finished) return;
    const now = performance.now();
    let writable = true;
    while (held() > 0 && queue[head]!.due <= now) {
      writable = destination.write(queue[head]!.chunk) && writable;
      queue[head] = undefined as unknown as Held; // let the buffer go
      head++;
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
    if (!writable && !waitingForDrain) {
      // The destination is full: stop reading until it drains, so memory stays bounded.
      waitingForDrain = true;
      source.pause();
      destination.once('drain', () => {
        waitingForDrain = false;
        source.resume();
      });
    }
    if (held() > 0) arm();
    else if (sourceEnded) destination.end();
  };

  const stop = () => {
    finished = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
    queue.length = 0;
    head = 0;
  };

  source.on('data', (chunk: Buffer) => {
    queue.push({ due: performance.now() + delayMs, chunk });
    arm();
  });
  source.on('end', () => {
    sourceEnded = true;
    if (held() === 0) destination.end();
  });
  source.on('close', () => {
    // A destroyed source delivers nothing more; what is held still goes out unless
    // the destination is gone too.
    if (held() === 0) stop();
  });
  destination.on('close', stop);
}
