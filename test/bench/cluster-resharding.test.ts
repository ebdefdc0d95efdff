/**
 * A slot migrating between shards under load (the resharding AWS does when shards are added):
 * requests for keys already moved get ASK and are retried with ASKING on the target; once the
 * slot is handed over, MOVED makes bench re-read the slot map and send the slot's keys to the
 * new owner. Neither counts as an error. Real redis-server cluster, the Workload in-process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCluster } from '../helpers/cluster.js';
import { connectTestClient } from '../helpers/redis.js';
import { discoverCluster } from '../../src/bench/cluster-discovery.js';
import { hashSlot } from '../../src/bench/hash-slot.js';
import { Workload } from '../../src/bench/workload.js';

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('a slot migrating under load: ASK then MOVED, followed and counted, no errors; the load moves with the slot', async (t) => {
  const cluster = await startCluster(2, 0);
  t.after(() => cluster.stop());
  const layout = await discoverCluster({ seed: cluster.seed });
  const [source, target] = layout.nodes as [(typeof layout.nodes)[0], (typeof layout.nodes)[0]];
  const workload = new Workload(layout.nodes, {
    clients: 2,
    pipeline: 4,
    sets: 1,
    gets: 1,
    dataSize: 16,
    keyMaximum: 300,
    keyPattern: 'R',
    readFrom: 'all',
    rate: 0,
    keyPrefix: 'eck:bench:resharding:',
    ttlMs: 60_000,
    requestTimeoutMs: 5000,
    connectTimeoutMs: 2000,
    cluster: { seed: layout.seed, slots: layout.slots },
  });
  t.after(() => workload.abort());
  await workload.prefill(layout.nodes);
  // A slot of the source that holds bench keys.
  const slot = hashSlot(workload.keyspace.keyName(workload.assignment(source).keys![0]!));
  const keysInSlot = Array.from({ length: 300 }, (_, n) => workload.keyspace.keyName(n)).filter(
    (key) => hashSlot(key) === slot,
  );
  workload.start();
  workload.beginMeasuring();

  const from = await connectTestClient(source.address.port, source.address.host);
  const to = await connectTestClient(target.address.port, target.address.host);
  t.after(() => {
    from.disconnect();
    to.disconnect();
  });
  await to.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.clusterId!);
  await from.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.clusterId!);
  await from.call('MIGRATE', target.address.host, target.address.port, '', 0, 5000, 'KEYS', ...keysInSlot);
  const sourceStats = () => workload.stats.get(source.id)!;
  await until('ASK replies', () => sourceStats().ask > 0);

  for (const node of [to, from]) await node.call('CLUSTER', 'SETSLOT', slot, 'NODE', target.clusterId!);
  await until('MOVED replies', () => sourceStats().moved > 0);
  await until('the target to serve the slot', () =>
    workload.assignment(target).keys!.some((n) => hashSlot(workload.keyspace.keyName(n)) === slot),
  );
  const targetOps = workload.stats.get(target.id)!.ops;
  await until('load on the target', () => workload.stats.get(target.id)!.ops > targetOps + 100);
  await workload.stop();

  assert.equal(sourceStats().errors, 0, sourceStats().lastError);
  assert.equal(workload.stats.get(target.id)!.errors, 0, workload.stats.get(target.id)!.lastError);
  assert.ok(
    !workload.assignment(source).keys!.some((n) => hashSlot(workload.keyspace.keyName(n)) === slot),
    'the source no longer gets the slot',
  );
  // Every key of the slot is on the target, none lost.
  assert.equal(await to.exists(...keysInSlot), keysInSlot.length);
  assert.equal(await from.call('CLUSTER', 'COUNTKEYSINSLOT', slot), 0);
});
