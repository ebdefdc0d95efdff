// ClusterRuntime against real redis-server --cluster-enabled processes and a real ioredis
// Cluster client seeded from the configuration endpoint. Every cluster is stopped in t.after.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { ClusterRuntime, evenSlotRanges, formatSlotRanges, parseSlotRanges } from '../../src/local/cluster-runtime.js';
import { findEngineBinary } from '../../src/local/engine-binary.js';
import { portIsFree } from '../helpers/ports.js';
import { startWriter } from '../helpers/cluster-writer.js';
import { rebalanceSlots } from '../../src/plan/slots.js';

const HOST = '127.0.0.1';

test('even slot split matches AWS (remainder to the first shards)', () => {
  assert.equal(formatSlotRanges(evenSlotRanges(3)), '0-5461,5462-10922,10923-16383');
  assert.equal(formatSlotRanges(evenSlotRanges(1)), '0-16383');
  assert.equal(evenSlotRanges(4).at(-1)!.end, 16383);
  assert.deepEqual(parseSlotRanges('0-5460'), [{ start: 0, end: 5460 }]);
  assert.throws(() => parseSlotRanges('5-1'));
  assert.throws(() => parseSlotRanges('0-16384'));
});

async function startCluster(t: TestContext, shards: number, replicas: number): Promise<ClusterRuntime> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eck-cluster-'));
  let runtime: ClusterRuntime | undefined;
  t.after(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const ranges = evenSlotRanges(shards);
  runtime = await ClusterRuntime.start({
    groupId: 'cl',
    shards: ranges.map((slots, index) => {
      const nodeGroupId = String(index + 1).padStart(4, '0');
      return {
        nodeGroupId,
        slots: [slots],
        memberIds: Array.from(
          { length: replicas + 1 },
          (_, member) => `cl-${nodeGroupId}-${String(member + 1).padStart(3, '0')}`,
        ),
      };
    }),
    engineBinary: findEngineBinary('redis').path,
    host: HOST,
    dataDir,
    readyTimeoutMs: 60_000,
  });
  return runtime;
}

// Each test starts its own cluster (own ports, own data dir) and mostly waits on it: run together.
describe('ClusterRuntime on real clusters', { concurrency: true }, () => {
  test('4 shards x 2 replicas: healthy, ioredis Cluster from the configuration endpoint, shard failover, stop frees ports', async (t) => {
    const runtime = await startCluster(t, 4, 2);
    const view = await runtime.view();
    assert.equal(view.length, 12);
    assert.equal(view.filter((member) => member.role === 'primary').length, 4);
    assert.ok(await runtime.healthy());

    const client = new Cluster(
      [{ host: runtime.configurationEndpoint.address, port: runtime.configurationEndpoint.port }],
      {
        enableOfflineQueue: true,
      },
    );
    t.after(() => client.disconnect());
    // Enough keys that every shard holds some.
    await Promise.all(Array.from({ length: 400 }, (_, index) => client.set(`key:${index}`, String(index))));
    for (let index = 0; index < 400; index += 37) assert.equal(await client.get(`key:${index}`), String(index));
    const masters = client.nodes('master');
    assert.equal(masters.length, 4);
    const sizes = await Promise.all(masters.map((node) => node.dbsize()));
    assert.ok(
      sizes.every((size) => size > 0),
      `every shard holds keys: ${sizes.join(',')}`,
    );

    const { newPrimary } = await runtime.failover('0002');
    assert.match(newPrimary, /^cl-0002-00[23]$/);
    const after = await runtime.view();
    assert.equal(after.find((member) => member.memberId === newPrimary)!.role, 'primary');
    assert.equal(after.find((member) => member.memberId === 'cl-0002-001')!.role, 'replica');
    assert.equal(await client.get('key:5'), '5');
    client.disconnect();

    const ports = runtime.ports();
    await runtime.stop();
    for (const port of ports) assert.ok(await portIsFree(port), `port ${port} freed`);
    assert.ok(await portIsFree(runtime.configurationEndpoint.port));
  });

  test('online changes: a replica added and removed, a shard added with slots migrated WITH keys while a client writes, then removed again', async (t) => {
    const runtime = await startCluster(t, 2, 0);
    const client = new Cluster([
      { host: runtime.configurationEndpoint.address, port: runtime.configurationEndpoint.port },
    ]);
    t.after(() => client.disconnect());
    await Promise.all(Array.from({ length: 2000 }, (_, index) => client.set(`before:${index}`, String(index))));

    await runtime.addReplica('0001', 'cl-0001-002');
    await waitHealthy(runtime);
    const withReplica = await runtime.view();
    assert.equal(withReplica.find((member) => member.memberId === 'cl-0001-002')!.role, 'replica');
    assert.equal(withReplica.length, 3);

    // A writer that must never see an error while slots move.
    const writer = startWriter(client, 'during:');

    await runtime.addShard({ nodeGroupId: '0003', memberIds: ['cl-0003-001'] });
    const current = [...(await runtime.slotOwners())].map(([nodeGroupId, slots]) => ({ nodeGroupId, slots }));
    const plan = rebalanceSlots(current, ['0001', '0002', '0003']);
    let progress = 0;
    await runtime.migrateSlots(plan.moves, (done) => (progress = done));
    assert.equal(progress, 16384 - 5462 - 5461, 'a third of the slots moved to the new shard');
    const owners = await runtime.slotOwners();
    assert.equal(formatSlotRanges(owners.get('0003')!), formatSlotRanges(plan.shards[2]!.slots));
    await waitHealthy(runtime);

    // Scale in: shard 0002 gives everything away and leaves.
    const now = [...(await runtime.slotOwners())].map(([nodeGroupId, slots]) => ({ nodeGroupId, slots }));
    const shrink = rebalanceSlots(now, ['0001', '0003']);
    await runtime.migrateSlots(shrink.moves);
    await runtime.removeMembers(['cl-0002-001']);
    await runtime.removeMembers(['cl-0001-002']);
    await waitHealthy(runtime);
    const { written, errors } = await writer.stop();
    assert.deepEqual(errors, [], 'the writer saw no error during the reshard');
    assert.ok(written > 0);

    assert.equal(runtime.nodes().length, 2);
    for (let index = 0; index < 2000; index += 7) assert.equal(await client.get(`before:${index}`), String(index));
    for (let index = 0; index < written; index += 7) assert.equal(await client.get(`during:${index}`), String(index));
    const sizes = await Promise.all(client.nodes('master').map((node) => node.dbsize()));
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      2000 + written,
    );
  });
});

async function waitHealthy(runtime: ClusterRuntime): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await runtime.healthy())) {
    if (Date.now() > deadline) throw new Error('cluster not healthy in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
