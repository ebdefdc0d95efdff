/**
 * In-transit encryption in the emulator: every node and both endpoints serve TLS with a
 * certificate the state dir's CA signed, replication runs over TLS, `required` refuses plain
 * RESP, and the AUTH token is enforced on every node. Real redis-server, real TLS (node:tls / ioredis).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import {
  CreateReplicationGroupCommand,
  DescribeReplicationGroupsCommand,
  DescribeCacheClustersCommand,
  TestFailoverCommand,
  waitUntilReplicationGroupAvailable,
} from '@aws-sdk/client-elasticache';
import { Redis } from 'ioredis';
import { startTestEmulator } from '../helpers/emulator.js';
import { inlineCommand } from '../helpers/inline-command.js';
import { caCertPath } from '../../src/local/tls-material.js';

const WAIT = { minDelay: 1, maxDelay: 1, maxWaitTime: 60 };

/** Sends PING over plain TCP; resolves with the first reply line, or 'closed' when the server hangs up / says nothing. */
function plainPing(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(reply.split('\r\n')[0] || 'closed');
    }, 1500);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(reply.split('\r\n')[0] || 'closed');
    });
    socket.on('error', () => undefined);
  });
}

test('TransitEncryptionEnabled (required) + AuthToken: TLS on every node and endpoint, AUTH everywhere, failover keeps TLS', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const client = emulator.elasticache;
  const token = 'tls-token-0123456789!&#$^<>-';
  await client.send(
    new CreateReplicationGroupCommand({
      ReplicationGroupId: 'tls',
      ReplicationGroupDescription: 'tls',
      NumCacheClusters: 2,
      AutomaticFailoverEnabled: true,
      TransitEncryptionEnabled: true,
      AuthToken: token,
    }),
  );
  await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'tls' });
  const group = (await client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'tls' })))
    .ReplicationGroups![0]!;
  assert.equal(group.TransitEncryptionEnabled, true);
  assert.equal(group.TransitEncryptionMode, 'required', "AWS's default mode");
  assert.equal(group.AuthTokenEnabled, true);

  const caFile = caCertPath(emulator.stateDir);
  const ca = readFileSync(caFile);
  assert.match(ca.toString(), /BEGIN CERTIFICATE/);
  for (const key of ['ca.key', 'server.key']) {
    assert.equal(statSync(join(emulator.stateDir, 'tls', key)).mode & 0o777, 0o600, `${key} is 0600`);
  }

  const primary = group.NodeGroups![0]!.PrimaryEndpoint!;
  const reader = group.NodeGroups![0]!.ReaderEndpoint!;
  const open = (host: string, port: number, password?: string) => {
    // The certificate must name the address Describe reports: Node checks it (no servername override).
    const redis = new Redis({
      host,
      port,
      password,
      tls: { ca },
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    t.after(() => redis.disconnect());
    return redis;
  };

  const writer = open(primary.Address!, primary.Port!, token);
  await writer.connect();
  assert.equal(await writer.set('tls-key', 'over-tls'), 'OK');
  assert.equal(await writer.call('WAIT', '1', '5000'), 1, 'the replica got the write over TLS replication');

  const read = open(reader.Address!, reader.Port!, token);
  await read.connect();
  assert.equal(await read.get('tls-key'), 'over-tls');

  const nodes = (await client.send(new DescribeCacheClustersCommand({ ShowCacheNodeInfo: true }))).CacheClusters!;
  for (const node of nodes) {
    const endpoint = node.CacheNodes![0]!.Endpoint!;
    const direct = open(endpoint.Address!, endpoint.Port!, token);
    await direct.connect();
    assert.equal(await direct.get('tls-key'), 'over-tls', `${node.CacheClusterId} serves TLS with the token`);
    assert.match(
      await inlineCommand({ host: endpoint.Address!, port: endpoint.Port!, ca }, 'GET tls-key'),
      /^-NOAUTH/,
      `${node.CacheClusterId} wants the token`,
    );
    assert.notEqual(await plainPing(endpoint.Port!), '+PONG', `${node.CacheClusterId} refuses plain RESP`);
  }
  assert.equal(
    await plainPing(primary.Port!),
    'closed',
    'required: a plain client gets nothing from the primary endpoint',
  );

  await client.send(new TestFailoverCommand({ ReplicationGroupId: 'tls', NodeGroupId: '0001' }));
  await new Promise((resolve) => setTimeout(resolve, 300));
  await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'tls' });
  const after = open(primary.Address!, primary.Port!, token);
  await after.connect();
  assert.equal(await after.get('tls-key'), 'over-tls', 'after failover the primary endpoint still serves TLS');
  assert.equal(await after.set('tls-key-2', 'v'), 'OK');
  assert.equal(await after.call('WAIT', '1', '5000'), 1, 'the old primary came back as a TLS replica');

  assert.ok(
    !readFileSync(join(emulator.stateDir, 'state.json'), 'utf8').includes(token),
    'the token is not in state.json',
  );
});

test('TransitEncryptionMode preferred: the primary endpoint takes TLS and plain RESP', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const client = emulator.elasticache;
  await client.send(
    new CreateReplicationGroupCommand({
      ReplicationGroupId: 'pref',
      ReplicationGroupDescription: 'p',
      NumCacheClusters: 1,
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'preferred',
    }),
  );
  await waitUntilReplicationGroupAvailable({ client, ...WAIT }, { ReplicationGroupId: 'pref' });
  const group = (await client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'pref' })))
    .ReplicationGroups![0]!;
  assert.equal(group.TransitEncryptionMode, 'preferred');
  const primary = group.NodeGroups![0]!.PrimaryEndpoint!;
  assert.equal(await plainPing(primary.Port!), '+PONG');
  const tls = new Redis({
    host: primary.Address!,
    port: primary.Port!,
    tls: { ca: readFileSync(caCertPath(emulator.stateDir)) },
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  t.after(() => tls.disconnect());
  await tls.connect();
  assert.equal(await tls.ping(), 'PONG');
});
