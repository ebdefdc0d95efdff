/**
 * A client that keeps writing `<prefix><n>` = n while a test changes the cluster under it
 * (a reshard, a shard removal), collecting every error it meets. stop() ends the loop and
 * says how many keys were written and which errors were seen.
 *
 * It writes about a key a millisecond, not in a closed loop: a slot migration takes
 * seconds, so that is still thousands of writes into moving slots, while a closed loop
 * spent a core (the test process and redis-server each) and grew the keys every
 * migration had to move.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster } from 'ioredis';

export interface RunningWriter {
  stop(): Promise<{ written: number; errors: string[] }>;
}

export function startWriter(client: Cluster, prefix: string): RunningWriter {
  const errors: string[] = [];
  let written = 0;
  let writing = true;
  const loop = (async () => {
    while (writing) {
      try {
        await client.set(`${prefix}${written}`, String(written));
        written++;
      } catch (error) {
        errors.push((error as Error).message);
      }
      await sleep(1);
    }
  })();
  return {
    stop: async () => {
      writing = false;
      await loop;
      return { written, errors };
    },
  };
}
