/**
 * A client that keeps writing `<prefix><n>` = n in a closed loop while a test changes the
 * cluster under it (a reshard, a shard removal), collecting every error it meets. stop()
 * ends the loop and says how many keys were written and which errors were seen.
 */
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
