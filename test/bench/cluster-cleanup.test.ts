/**
 * Removing the bench keys of a cluster while slots are still moving (bench stops on time; a
 * resharding it ran into goes on): every key bench wrote is removed, wherever MIGRATE has
 * taken it meanwhile, and counted once. Real redis-server cluster, a real slot migration
 * (the emulator's, as ModifyReplicationGroupShardConfiguration runs it) during the cleanup.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCluster } from '../helpers/cluster.js';
import { keysMatching } from '../helpers/redis.js';
import { discoverCluster, joinedNodes, readSlotMap } from '../../src/bench/cluster-discovery.js';
import { ClusterKeyRemover, keyspaceKeys } from '../../src/bench/cluster-cleanup.js';
import { Workload } from '../../src/bench/workload.js';

const KEYS = 30_000;

test('cluster cleanup during a slot migration: every bench key removed, counted once, none left on either side', async (t) => {
  const cluster = await startCluster(2, 0);
  t.after(() => cluster.stop());
  const layout = await discoverCluster({ seed: cluster.seed });
  const prefix = 'eck:bench:cleanup:';
  const workload = new Workload(layout.nodes, {
    clients: 1,
    pipeline: 1,
    sets: 1,
    gets: 0,
    dataSize: 16,
    keyMaximum: KEYS,
    keyPattern: 'R',
    readFrom: 'primary',
    rate: 0,
    keyPrefix: prefix,
    ttlMs: 600_000,
    requestTimeoutMs: 5000,
    connectTimeoutMs: 2000,
    cluster: { seed: layout.seed, slots: layout.slots },
  });
  t.after(() => workload.abort());
  await workload.prefill(layout.nodes);

  // A new, empty shard takes every slot of shard 0001, 32 slots a round, with their keys (as
  // adding a shard does; the new primary, empty at first, is scanned long before the donor is).
  await cluster.runtime.addShard({ nodeGroupId: '0003', memberIds: ['cl-0003-001'] });
  const [first] = (await cluster.runtime.slotOwners()).get('0001')!;
  const slots = Array.from({ length: first!.end - first!.start + 1 }, (_, i) => first!.start + i);
  let moved = 0;
  const migration = cluster.runtime.migrateSlots([{ from: '0001', to: '0003', slots }], (done) => (moved = done));
  t.after(() => migration.catch(() => undefined));
  const deadline = Date.now() + 30_000;
  while (moved < 64) {
    assert.ok(Date.now() < deadline, 'the migration started');
    await sleep(5);
  }

  const remover = new ClusterKeyRemover(layout.seed);
  let removed: number;
  let swept: { keysRemoved: number; keysLeft: number };
  try {
    removed = await remover.unlink(keyspaceKeys(workload.keyspace));
    swept = await remover.sweep(prefix);
  } finally {
    remover.close();
  }
  // Else this test would not test what it is about: keys still moving while they were removed.
  assert.ok(moved < slots.length, `the migration was still running at the end of the cleanup (${moved} slots moved)`);
  await migration;

  assert.equal(removed + swept.keysRemoved, KEYS, 'each key removed once, none missed');
  assert.equal(swept.keysLeft, 0);
  // The donor is in the slot map no more (it has no slot left): the nodes as discovered, and the new one.
  const nodes = [...layout.nodes, ...joinedNodes(await readSlotMap(layout.seed), layout.nodes, layout.seed)];
  assert.equal(nodes.length, 3);
  for (const node of nodes)
    assert.deepEqual(await keysMatching(node.address.port, `${prefix}*`, node.address.host), [], `${node.id} is empty`);
});
