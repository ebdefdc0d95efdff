/**
 * `bench <id>` while a shard is added online (ModifyReplicationGroupShardConfiguration
 * NodeGroupCount 2 → 3 on the local emulator, real SDK, real Redis Cluster): the slots that
 * move cost only counted MOVED/ASK, the new shard's nodes are picked up from the re-read slot
 * map and get load, and no bench key is left anywhere, the new shard included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import {
  DescribeCacheClustersCommand,
  ModifyReplicationGroupShardConfigurationCommand,
} from '@aws-sdk/client-elasticache';
import { benchOnEmulatorArgs, spawnCli } from '../helpers/cli.js';
import { createAvailableClusterGroup, startTestEmulator, waitUntilAvailable } from '../helpers/emulator.js';
import type { BenchReport } from '../../src/bench/report.js';

for (const threads of ['1', '2']) {
  test(`bench <cluster group> --threads ${threads}: a shard added mid-run gets load, only MOVED/ASK, no key left`, async (t) => {
    const emulator = await startTestEmulator();
    t.after(() => emulator.close());
    await createAvailableClusterGroup(emulator, 'grow', { shards: 2, replicas: 1 });

    const running = spawnCli(
      benchOnEmulatorArgs(emulator.url, 'grow', [
        // Adding a shard takes a few seconds on a loaded machine: the new shard must serve before the end.
        '--test-time',
        '8',
        '--threads',
        threads,
        '--key-maximum',
        '2000',
        // Open loop at a rate the moving slots still see many times a second: what is
        // tested is routing, not throughput, and a closed loop would spend both cores on it.
        '--rate',
        '250',
      ]),
      { env: emulator.env, after: t.after.bind(t) },
    );
    assert.ok(await running.stderrMatches(/bench measure/), running.stderr());
    await emulator.elasticache.send(
      new ModifyReplicationGroupShardConfigurationCommand({
        ReplicationGroupId: 'grow',
        NodeGroupCount: 3,
        ApplyImmediately: true,
      }),
    );
    const group = await waitUntilAvailable(emulator, 'grow');
    // Cluster-mode members carry no endpoint (as on AWS): each node's own cache cluster does.
    const endpointOf = async (cacheClusterId: string) => {
      const { CacheClusters } = await emulator.elasticache.send(
        new DescribeCacheClustersCommand({ CacheClusterId: cacheClusterId, ShowCacheNodeInfo: true }),
      );
      return CacheClusters![0]!.CacheNodes![0]!.Endpoint!;
    };
    assert.equal(await running.exited, 0, running.stderr());
    const report = JSON.parse(running.stdout()) as BenchReport;

    assert.equal(report.total.errors, 0, JSON.stringify(report.nodes.map((n) => [n.id, n.errors, n.lastError])));
    const redirections = report.nodes.reduce((sum, n) => sum + (n.moved ?? 0) + (n.ask ?? 0), 0);
    assert.ok(redirections > 0, 'the moving slots were answered with MOVED/ASK, and counted');

    // The new node group's primary, by its port: bench found it in the slot map (no Topology name for it).
    const added = group.NodeGroups!.find((g) => g.NodeGroupId === '0003')!;
    const addedPorts = await Promise.all(
      added.NodeGroupMembers!.map(async (m) => (await endpointOf(m.CacheClusterId!)).Port!),
    );
    const newNodes = report.nodes.filter((n) => addedPorts.some((port) => n.id.endsWith(`:${port}`)));
    assert.ok(newNodes.length > 0, JSON.stringify(report.nodes.map((n) => n.id)));
    assert.ok(
      newNodes.some((n) => n.role === 'primary' && n.sets > 0),
      `the new primary took writes: ${JSON.stringify(newNodes)}`,
    );
    assert.equal(report.shards!.length, 3, JSON.stringify(report.shards!.map((s) => s.id)));
    const newShard = report.shards!.find((s) => !['0001', '0002'].includes(s.id))!;
    assert.ok(newShard.ops > 0, `the new shard got load: ${JSON.stringify(newShard)}`);
    assert.ok(newNodes.every((n) => newShard.nodes.includes(n.id)));

    // No bench key on any node, the new shard's included (asked directly, not through bench).
    assert.equal(report.cleanup.keysLeft, 0);
    for (const member of group.NodeGroups!.flatMap((g) => g.NodeGroupMembers!)) {
      const endpoint = await endpointOf(member.CacheClusterId!);
      const redis = new Redis({
        host: endpoint.Address!,
        port: endpoint.Port!,
        lazyConnect: true,
      });
      try {
        await redis.connect();
        const [, keys] = await redis.scan('0', 'MATCH', `${report.keyPrefix}*`, 'COUNT', 100_000);
        assert.deepEqual(keys, [], `${member.CacheClusterId} holds no bench key`);
      } finally {
        redis.disconnect();
      }
    }
  });
}
