/**
 * How fast does the emulator move slots online, and what does a client feel meanwhile?
 * A real 2-shard Redis Cluster (ClusterRuntime) holding --keys keys of --value-bytes gets a
 * third shard: a third of the slots move with their keys (IMPORTING/MIGRATING, MIGRATE,
 * SETSLOT NODE, pipelined in batches). One ioredis Cluster client writes in a closed loop
 * before and during the move; the script prints slots/s, keys/s, and the writer's p50/p99/max
 * and errors in both phases.
 *
 *   npm run build && node dist/bench/reshard.js [--keys 20000] [--value-bytes 100] [--no-writer]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { ClusterRuntime, evenSlotRanges } from '../src/local/cluster-runtime.js';
import { findEngineBinary } from '../src/local/engine-binary.js';
import { rebalanceSlots } from '../src/plan/slots.js';
import { flag, hasSwitch } from './script-kit.js';

const keys = Number(flag('--keys', '20000'));
const value = 'x'.repeat(Number(flag('--value-bytes', '100')));

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Closed-loop SETs until `until` resolves: per-request latencies (ms) and errors. */
async function write(client: Cluster, until: Promise<unknown>): Promise<{ samples: number[]; errors: number }> {
  let done = false;
  void until.finally(() => (done = true));
  const samples: number[] = [];
  let errors = 0;
  for (let n = 0; !done; n++) {
    const started = performance.now();
    try {
      await client.set(`w:${n}`, value);
      samples.push(performance.now() - started);
    } catch {
      errors++;
    }
  }
  return { samples: samples.sort((a, b) => a - b), errors };
}

const summary = (phase: string, r: { samples: number[]; errors: number }) =>
  `${phase}: ${r.samples.length} SETs, p50 ${percentile(r.samples, 50).toFixed(2)} ms, p99 ${percentile(r.samples, 99).toFixed(2)} ms, max ${r.samples.at(-1)!.toFixed(1)} ms, ${r.errors} errors`;

const dataDir = mkdtempSync(join(tmpdir(), 'reshard-bench-'));
let runtime: ClusterRuntime | undefined;
let client: Cluster | undefined;
try {
  runtime = await ClusterRuntime.start({
    groupId: 'rb',
    shards: evenSlotRanges(2).map((slots, index) => ({
      nodeGroupId: `000${index + 1}`,
      slots: [slots],
      memberIds: [`rb-000${index + 1}-001`],
    })),
    engineBinary: findEngineBinary('redis').path,
    host: '127.0.0.1',
    dataDir,
    readyTimeoutMs: 60_000,
  });
  client = new Cluster([{ host: '127.0.0.1', port: runtime.configurationEndpoint.port }]);
  for (let start = 0; start < keys; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, keys - start) }, (_, i) => client!.set(`k:${start + i}`, value));
    await Promise.all(batch);
  }
  const idle = await write(client, new Promise((resolve) => setTimeout(resolve, 2000)));

  await runtime.addShard({ nodeGroupId: '0003', memberIds: ['rb-0003-001'] });
  const current = [...(await runtime.slotOwners())].map(([nodeGroupId, slots]) => ({ nodeGroupId, slots }));
  const plan = rebalanceSlots(current, ['0001', '0002', '0003']);
  const slots = plan.moves.reduce((sum, move) => sum + move.slots.length, 0);
  const started = performance.now();
  const migration = runtime.migrateSlots(plan.moves);
  const during = hasSwitch('--no-writer') ? { samples: [0], errors: 0 } : await write(client, migration);
  await migration;
  const seconds = (performance.now() - started) / 1000;
  // The new shard holds what moved (plus the writer's keys that landed there).
  const newShardKeys = (await Promise.all(client.nodes('master').map((node) => node.dbsize()))).sort(
    (a, b) => a - b,
  )[0]!;
  console.log(`${keys} keys of ${value.length} bytes, 2 shards -> 3 (no replicas)`);
  console.log(
    `moved ${slots} slots and about ${newShardKeys} keys in ${seconds.toFixed(2)} s: ${(slots / seconds).toFixed(0)} slots/s, ${(newShardKeys / seconds).toFixed(0)} keys/s`,
  );
  console.log(summary('writer before', idle));
  console.log(summary('writer during', during));
} finally {
  client?.disconnect();
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
