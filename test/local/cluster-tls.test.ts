/**
 * In-transit encryption on cluster-mode-enabled groups: every node serves TLS (client port,
 * replication, cluster bus), CLUSTER SLOTS names the TLS ports, the configuration endpoint
 * passes TLS through, the AUTH token is enforced on every node, and a real ioredis Cluster
 * over TLS trusting the emulator's CA reads and writes every shard.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateReplicationGroupCommand,
  DescribeCacheClustersCommand,
  DescribeReplicationGroupsCommand,
  ModifyReplicationGroupShardConfigurationCommand,
  waitUntilReplicationGroupAvailable,
} from '@aws-sdk/client-elasticache';
import { Cluster } from 'ioredis';
import { startTestEmulator } from '../helpers/emulator.js';
import { inlineCommand } from '../helpers/inline-command.js';
import { caCertPath } from '../../src/local/tls-material.js';

const WAIT = { minDelay: 0.1, maxDelay: 0.25, maxWaitTime: 90 };

function tlsCluster(endpoint: { Address?: string; Port?: number }, ca: Buffer, password?: string): Cluster {
  return new Cluster([{ host: endpoint.Address!, port: endpoint.Port! }], {
    redisOptions: { tls: { ca }, password },
    // One attempt: a TLS or AUTH problem must fail the test, not retry until its timeout.
    clusterRetryStrategy: () => null,
  });
}

// Each test has its own emulator and group, and mostly waits on them: run together.
describe('cluster-tls', { concurrency: true }, () => {
  test('cluster mode + TLS required + AuthToken: ioredis Cluster over TLS, TLS ports in CLUSTER SLOTS, AUTH on every node', async (t) => {
    const emulator = await startTestEmulator();
    t.after(() => emulator.close());
    const client = emulator.elasticache;
    const token = 'cluster-token-0123456789!&#';
    await client.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'sec',
        ReplicationGroupDescription: 'tls cluster',
        ClusterMode: 'enabled',
        NumNodeGroups: 2,
        ReplicasPerNodeGroup: 1,
        AutomaticFailoverEnabled: true,
        TransitEncryptionEnabled: true,
        AuthToken: token,
      }),
    );
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'sec' });
    const group = (await client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'sec' })))
      .ReplicationGroups![0]!;
    assert.equal(group.TransitEncryptionEnabled, true);
    assert.equal(group.TransitEncryptionMode, 'required');
    assert.equal(group.AuthTokenEnabled, true);
    const ca = readFileSync(caCertPath(emulator.stateDir));
    const endpoint = group.ConfigurationEndpoint!;

    const redis = tlsCluster(endpoint, ca, token);
    t.after(() => redis.disconnect());
    await Promise.all(Array.from({ length: 200 }, (_, index) => redis.set(`k${index}`, `v${index}`)));
    for (let index = 0; index < 200; index += 13) assert.equal(await redis.get(`k${index}`), `v${index}`);
    const masters = redis.nodes('master');
    assert.equal(masters.length, 2);
    const sizes = await Promise.all(masters.map((node) => node.dbsize()));
    assert.ok(
      sizes.every((size) => size > 0),
      `both shards hold keys: ${sizes.join(',')}`,
    );
    // Replication runs over TLS with masterauth: each primary's write reaches its replica.
    for (const master of masters) assert.equal(await master.call('WAIT', '1', '5000'), 1);

    const nodes = (await client.send(new DescribeCacheClustersCommand({ ShowCacheNodeInfo: true }))).CacheClusters!;
    const nodePorts = new Set(nodes.map((node) => node.CacheNodes![0]!.Endpoint!.Port!));
    const slots = await redis.cluster('SLOTS');
    const slotPorts = slots.flatMap((range) => range.slice(2).map((node) => (node as unknown as [string, number])[1]));
    assert.equal(slotPorts.length, 4);
    for (const port of slotPorts) assert.ok(nodePorts.has(port), `CLUSTER SLOTS names TLS port ${port}`);

    // Every node at once: a TLS port given plain RESP waits for a handshake, so each check
    // lasts its whole 1.5 s.
    await Promise.all(
      nodes.map(async (node) => {
        const port = node.CacheNodes![0]!.Endpoint!.Port!;
        assert.match(await inlineCommand({ port, ca }, 'GET k1'), /^-NOAUTH/, `${node.CacheClusterId} wants the token`);
        assert.notEqual(
          await Promise.race([
            inlineCommand({ port }, 'PING').catch(() => 'refused'),
            sleep(1500).then(() => 'no answer'),
          ]),
          '+PONG',
          `${node.CacheClusterId} refuses plain RESP`,
        );
      }),
    );
    // Scaling keeps TLS and AUTH: a new shard's nodes serve TLS, MIGRATE moves keys over TLS with the token.
    await client.send(
      new ModifyReplicationGroupShardConfigurationCommand({
        ReplicationGroupId: 'sec',
        NodeGroupCount: 3,
        ApplyImmediately: true,
      }),
    );
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'sec' });
    for (let index = 0; index < 200; index++) assert.equal(await redis.get(`k${index}`), `v${index}`);
    const scaled = await Promise.all(redis.nodes('master').map((node) => node.dbsize()));
    assert.equal(scaled.length, 3);
    assert.ok(
      scaled.every((size) => size > 0),
      `the new TLS shard holds keys: ${scaled.join(',')}`,
    );
    for (const master of redis.nodes('master')) assert.equal(await master.call('WAIT', '1', '5000'), 1);

    assert.ok(
      !readFileSync(`${emulator.stateDir}/state.json`, 'utf8').includes(token),
      'the token is not in state.json',
    );
  });

  test('cluster mode + TLS preferred: TLS clients get TLS ports, plain clients plain ones, through one configuration endpoint', async (t) => {
    const emulator = await startTestEmulator();
    t.after(() => emulator.close());
    const client = emulator.elasticache;
    await client.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'pref',
        ReplicationGroupDescription: 'preferred',
        ClusterMode: 'enabled',
        NumNodeGroups: 2,
        ReplicasPerNodeGroup: 0,
        TransitEncryptionEnabled: true,
        TransitEncryptionMode: 'preferred',
      }),
    );
    await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'pref' });
    const group = (await client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'pref' })))
      .ReplicationGroups![0]!;
    assert.equal(group.TransitEncryptionMode, 'preferred');
    const ca = readFileSync(caCertPath(emulator.stateDir));
    const endpoint = group.ConfigurationEndpoint!;

    const secure = tlsCluster(endpoint, ca);
    t.after(() => secure.disconnect());
    for (let index = 0; index < 50; index++) await secure.set(`s${index}`, `${index}`);
    const plain = new Cluster([{ host: endpoint.Address!, port: endpoint.Port! }], {
      clusterRetryStrategy: () => null,
    });
    t.after(() => plain.disconnect());
    for (let index = 0; index < 50; index += 7) assert.equal(await plain.get(`s${index}`), `${index}`);

    const tlsPorts = (await secure.cluster('SLOTS')).map((range) => range[2]![1]);
    const plainPorts = (await plain.cluster('SLOTS')).map((range) => range[2]![1]);
    assert.equal(tlsPorts.length, 2);
    for (const [index, port] of tlsPorts.entries()) assert.notEqual(port, plainPorts[index], 'two ports per node');
  });
});
