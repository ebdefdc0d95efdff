/**
 * `scale` end to end: the built CLI as a child process against the emulator (real
 * redis-server nodes). Replicas up and down on a cluster-mode-disabled group, a shard
 * added to a cluster-mode-enabled one (its keys still readable), and the refusals (exit 2,
 * nothing changed) before any call.
 */
import { spawnSync } from 'node:child_process';
import { describe as suite, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateReplicationGroupCommand,
  DescribeReplicationGroupsCommand,
  waitUntilReplicationGroupAvailable,
  type ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import { Cluster } from 'ioredis';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { runCli } from './helpers/cli.js';
import { runCliInProcess } from './helpers/cli-in-process.js';
import { PtySession } from './commands/pty.js';

// util-linux `script` (Debian/Ubuntu: bsdutils, always installed) provides the terminal.
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
const WAIT = { minDelay: 0.1, maxDelay: 0.25, maxWaitTime: 90 };

async function describe(emulator: TestEmulator, id: string): Promise<ReplicationGroup> {
  return (await emulator.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id })))
    .ReplicationGroups![0]!;
}

// Each test has its own emulator and group, and mostly waits on them: run together.
suite('scale', { concurrency: true }, () => {
  test('scale --replicas: up and down on a cluster-mode-disabled group; refusals exit 2 before any call', async (t) => {
    const emulator = await startTestEmulator();
    t.after(() => emulator.close());
    // The real binary for the runs that change the group, and for one refusal; the other
    // refusals, the dry run and the no-op go through the same commander program in-process.
    const cli = (...args: string[]) => runCli(args, { env: emulator.env });
    const inProcess = (...args: string[]) => runCliInProcess(args, { env: emulator.env });
    await emulator.elasticache.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'rg',
        ReplicationGroupDescription: 'scale e2e',
        NumCacheClusters: 2,
        AutomaticFailoverEnabled: true,
      }),
    );
    await waitUntilReplicationGroupAvailable({ client: emulator.elasticache, ...WAIT }, { ReplicationGroupId: 'rg' });

    const refusals: [string[], RegExp][] = [
      [['rg', '--replicas', '7', '--yes'], /--replicas must be an integer 0-5 \(got 7\)/],
      [['rg', '--shards', '0', '--yes'], /--shards must be an integer 1-500 \(got 0\)/],
      [['rg', '--yes'], /pass --replicas N .* or --shards N/],
      [['rg', '--replicas', '2', '--shards', '2', '--yes'], /not both/],
      [['rg', '--replicas', '2'], /no terminal to confirm on: pass --yes/],
      [['rg', '--shards', '2', '--yes'], /cluster mode disabled/],
      [['rg', '--replicas', '0', '--yes'], /automatic failover/],
    ];
    for (const [index, [args, message]] of refusals.entries()) {
      const result = await (index === 0 ? cli : inProcess)('scale', ...args);
      assert.equal(result.code, 2, `scale ${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '');
    }
    assert.equal((await inProcess('scale', 'nope', '--replicas', '1', '--yes')).code, 3);

    const dry = await inProcess('scale', 'rg', '--replicas', '2', '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(JSON.parse(dry.stdout), [
      {
        service: 'elasticache',
        action: 'IncreaseReplicaCount',
        input: { ReplicationGroupId: 'rg', NewReplicaCount: 2, ApplyImmediately: true },
      },
    ]);
    assert.match(dry.stderr, /1 shard × 1 replica \(2 nodes\)/);
    assert.match(dry.stderr, /1 shard × 2 replicas \(3 nodes\)/);
    assert.equal((await describe(emulator, 'rg')).MemberClusters!.length, 2, 'the dry run changed nothing');

    const up = await cli('scale', 'rg', '--replicas', '3', '--yes', '--output', 'json');
    assert.equal(up.code, 0, up.stderr);
    const upJson = JSON.parse(up.stdout);
    assert.equal(upJson.action, 'IncreaseReplicaCount');
    assert.deepEqual(upJson.after, { shards: 1, replicas: 3, nodes: 4 });
    assert.equal(upJson.topology.status, 'available');
    assert.equal(upJson.topology.nodes.length, 4);
    assert.equal((await describe(emulator, 'rg')).MemberClusters!.length, 4);

    const down = await cli('scale', 'rg', '--replicas', '1', '--yes');
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stderr, /DecreaseReplicaCount on rg started/);
    assert.match(down.stdout, /rg-001/);
    assert.deepEqual((await describe(emulator, 'rg')).MemberClusters, ['rg-001', 'rg-002']);

    const same = await inProcess('scale', 'rg', '--replicas', '1', '--yes', '--output', 'json');
    assert.equal(same.code, 0, same.stderr);
    assert.equal(JSON.parse(same.stdout).changed, false);
    assert.match(same.stderr, /already has 1 replica per shard: nothing to change/);

    const started = await inProcess('scale', 'rg', '--replicas', '2', '--yes', '--no-wait', '--output', 'json');
    assert.equal(started.code, 0, started.stderr);
    assert.equal(JSON.parse(started.stdout).status, 'modifying');
    assert.match(started.stderr, /elasticache-kit wait rg/);
    const waited = await cli('wait', 'rg');
    assert.equal(waited.code, 0, waited.stderr);
    assert.equal((await describe(emulator, 'rg')).MemberClusters!.length, 3);

    // On a terminal the review is followed by a real confirmation prompt: no declines, yes scales.
    if (!hasScript) {
      t.diagnostic('util-linux script is not installed: the terminal confirmation was not tried');
      return;
    }
    const declined = new PtySession(['scale', 'rg', '--replicas', '1'], emulator.env);
    t.after(() => declined.kill());
    await declined.expect(/After\s+1 shard × 1 replica \(2 nodes\)/);
    await declined.answer('Scale rg to 1 shard × 1 replica (2 nodes)?', 'n');
    assert.equal(await declined.exited, 2);
    assert.match(declined.screen, /declined at the review: nothing was changed/);
    assert.equal((await describe(emulator, 'rg')).MemberClusters!.length, 3);
    const accepted = new PtySession(['scale', 'rg', '--replicas', '1'], emulator.env);
    t.after(() => accepted.kill());
    await accepted.answer('Scale rg to 1 shard × 1 replica (2 nodes)?');
    assert.equal(await accepted.exited, 0);
    assert.equal((await describe(emulator, 'rg')).MemberClusters!.length, 2);
  });

  test('scale --shards: a shard added to a cluster-mode-enabled group, keys readable after, the slot split shown', async (t) => {
    const emulator = await startTestEmulator();
    t.after(() => emulator.close());
    await emulator.elasticache.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'shop',
        ReplicationGroupDescription: 'scale e2e',
        ClusterMode: 'enabled',
        NumNodeGroups: 2,
        ReplicasPerNodeGroup: 1,
        AutomaticFailoverEnabled: true,
      }),
    );
    await waitUntilReplicationGroupAvailable({ client: emulator.elasticache, ...WAIT }, { ReplicationGroupId: 'shop' });
    const endpoint = (await describe(emulator, 'shop')).ConfigurationEndpoint!;
    const redis = new Cluster([{ host: endpoint.Address!, port: endpoint.Port! }]);
    t.after(() => redis.disconnect());
    for (let index = 0; index < 500; index++) await redis.set(`item:${index}`, String(index));

    const dry = await runCliInProcess(['scale', 'shop', '--shards', '3', '--dry-run'], { env: emulator.env });
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(JSON.parse(dry.stdout)[0].input, {
      ReplicationGroupId: 'shop',
      NodeGroupCount: 3,
      ApplyImmediately: true,
    });
    assert.match(dry.stderr, /0003 \(new\) 5462-8191,13653-16383/);

    const result = await runCli(['scale', 'shop', '--shards', '3', '--yes', '--output', 'json'], { env: emulator.env });
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout);
    assert.equal(json.action, 'ModifyReplicationGroupShardConfiguration');
    assert.deepEqual(json.after, { shards: 3, replicas: 1, nodes: 6 });
    assert.deepEqual(
      json.slotsAfter.map((shard: { nodeGroupId: string }) => shard.nodeGroupId),
      ['0001', '0002', '0003'],
    );
    const group = await describe(emulator, 'shop');
    assert.deepEqual(
      group.NodeGroups!.map((shard) => [shard.NodeGroupId, shard.Slots]),
      json.slotsAfter.map((shard: { nodeGroupId: string; slots: string }) => [shard.nodeGroupId, shard.slots]),
      'the emulator moved exactly the planned slots',
    );
    for (let index = 0; index < 500; index++) assert.equal(await redis.get(`item:${index}`), String(index));
    const sizes = await Promise.all(redis.nodes('master').map((node) => node.dbsize()));
    assert.equal(sizes.length, 3);
    assert.ok(
      sizes.every((size) => size > 0),
      `the new shard holds keys: ${sizes.join(',')}`,
    );
  });
});
