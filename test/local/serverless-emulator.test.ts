/**
 * Serverless caches through the emulator with the real SDK: CreateServerlessCache runs a
 * real TLS Redis Cluster behind an Endpoint and a ReaderEndpoint on one host; Describe has
 * botocore's ServerlessCache shape; an ioredis Cluster over TLS seeded from the Endpoint
 * works; CLUSTER SLOTS names only the two endpoints; reads through the ReaderEndpoint
 * after READONLY are served by the replica; Modify and Delete move the status as AWS does,
 * and delete frees every port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  CreateServerlessCacheCommand,
  DeleteServerlessCacheCommand,
  ModifyServerlessCacheCommand,
} from '@aws-sdk/client-elasticache';
import { Cluster, Redis } from 'ioredis';
import { startTestEmulator } from '../helpers/emulator.js';
import { portIsFree } from '../helpers/ports.js';
import { caCertPath } from '../../src/local/tls-material.js';
import { readState } from '../../src/local/state.js';
import { ACCOUNT_ID } from '../../src/local/ec2-network.js';
import { waitForServerlessCache } from '../helpers/serverless.js';

test('serverless cache: create, TLS cluster endpoints, reader endpoint on the replica, modify, delete', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const client = emulator.elasticache;

  const created = await client.send(
    new CreateServerlessCacheCommand({
      ServerlessCacheName: 'Sessions',
      Engine: 'valkey',
      Description: 'session store',
      CacheUsageLimits: { DataStorage: { Maximum: 10, Unit: 'GB' }, ECPUPerSecond: { Maximum: 5000 } },
      KmsKeyId: 'alias/my-key',
      Tags: [{ Key: 'team', Value: 'web' }],
    }),
  );
  assert.equal(created.ServerlessCache?.ServerlessCacheName, 'sessions', 'the name is stored lowercase');
  assert.equal(created.ServerlessCache?.Status, 'creating');
  assert.equal(created.ServerlessCache?.Endpoint, undefined, 'no endpoint while creating');

  const cache = await waitForServerlessCache(client, 'sessions', 'available');
  assert.equal(cache.Engine, 'valkey');
  assert.equal(cache.MajorEngineVersion, '8');
  assert.match(cache.FullEngineVersion ?? '', /^\d+\.\d+$/);
  assert.equal(cache.Description, 'session store');
  assert.deepEqual(cache.CacheUsageLimits, {
    DataStorage: { Maximum: 10, Unit: 'GB' },
    ECPUPerSecond: { Maximum: 5000 },
  });
  assert.equal(cache.KmsKeyId, 'alias/my-key');
  assert.equal(cache.ARN, `arn:aws:elasticache:us-east-1:${ACCOUNT_ID}:serverlesscache:sessions`);
  assert.ok(cache.CreateTime instanceof Date);
  assert.equal(cache.SecurityGroupIds?.length, 1);
  assert.match(cache.SecurityGroupIds![0]!, /^sg-/);
  assert.ok((cache.SubnetIds?.length ?? 0) >= 2, 'placed in the default VPC subnets');
  const endpoint = cache.Endpoint!;
  const reader = cache.ReaderEndpoint!;
  assert.equal(endpoint.Address, '127.0.0.1');
  assert.equal(reader.Address, endpoint.Address, 'one host name for both endpoints');
  assert.notEqual(reader.Port, endpoint.Port);

  const ca = readFileSync(caCertPath(emulator.stateDir));
  // A cluster client over TLS, seeded from the Endpoint alone.
  const cluster = new Cluster([{ host: endpoint.Address!, port: endpoint.Port! }], {
    redisOptions: { tls: { ca } },
    scaleReads: 'slave',
  });
  t.after(() => cluster.disconnect());
  for (let i = 0; i < 20; i++) assert.equal(await cluster.set(`user:${i}`, `v${i}`), 'OK');
  assert.equal(await cluster.get('user:7'), 'v7');

  // The cluster protocol names the endpoints, never a node's own port.
  const direct = new Redis({ host: endpoint.Address!, port: endpoint.Port!, tls: { ca }, lazyConnect: true });
  t.after(() => direct.disconnect());
  await direct.connect();
  const slots = (await direct.cluster('SLOTS')) as unknown as [number, number, ...[string, number, string][]][];
  assert.equal(slots.length, 1, 'one slot range: the whole keyspace');
  const [start, end, primary, replica] = slots[0]!;
  assert.deepEqual([start, end], [0, 16383]);
  assert.deepEqual([primary![0], primary![1]], [endpoint.Address, endpoint.Port]);
  assert.deepEqual([replica![0], replica![1]], [reader.Address, reader.Port]);
  assert.match(String(await direct.info('replication')), /role:master/, 'the Endpoint is the primary');
  // A value of a few MB crosses the Endpoint whole both ways (it arrives in many TLS records).
  const big = `${'x'.repeat(3 * 1024 * 1024)}end`;
  assert.equal(await direct.set('big', big), 'OK');
  const back = await direct.get('big');
  assert.ok(back === big, `the 3 MB value round-trips (got ${back?.length} bytes)`);
  // DataStorage.Maximum is the nodes' maxmemory, evicting keys with a TTL first.
  const memory = String(await direct.info('memory'));
  assert.match(memory, new RegExp(`maxmemory:${10 * 1024 ** 3}\r\n`));
  assert.match(memory, /maxmemory_policy:volatile-lru/);

  // The ReaderEndpoint: after READONLY, reads are the replica's.
  const readerClient = new Redis({ host: reader.Address!, port: reader.Port!, tls: { ca }, lazyConnect: true });
  t.after(() => readerClient.disconnect());
  await readerClient.connect();
  assert.equal(await readerClient.call('READONLY'), 'OK');
  assert.match(String(await readerClient.info('replication')), /role:slave/, 'the ReaderEndpoint is the replica');
  // The Cluster client above (scaleReads: slave) read through the ReaderEndpoint: the replica counted its GETs.
  assert.match(String(await readerClient.info('commandstats')), /cmdstat_get:calls=[1-9]/);
  // CLUSTER SHARDS / NODES name the endpoints as well.
  const shards = JSON.stringify(await readerClient.cluster('SHARDS'));
  assert.ok(shards.includes(`"tls-port",${endpoint.Port}`) && shards.includes(`"tls-port",${reader.Port}`), shards);
  const nodes = String(await readerClient.cluster('NODES'));
  assert.match(nodes, new RegExp(`127\\.0\\.0\\.1:${endpoint.Port}@\\d+\\S* master`));
  assert.match(nodes, new RegExp(`127\\.0\\.0\\.1:${reader.Port}@\\d+\\S* (myself,)?slave`));
  let seen: string | null = null;
  for (let i = 0; i < 50 && seen === null; i++) {
    seen = await readerClient.get('user:7');
    if (seen === null) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(seen, 'v7');
  await assert.rejects(readerClient.set('user:7', 'x'), /MOVED \d+ 127\.0\.0\.1:(\d+)/, 'writes are redirected');
  await readerClient.set('user:7', 'x').catch((error: Error) => {
    assert.ok(error.message.endsWith(`:${endpoint.Port}`), `MOVED names the Endpoint (${error.message})`);
  });

  // Processes are in state for `local status` / `local stop`.
  const record = readState(emulator.stateDir).serverlessCaches!.find((c) => c.name === 'sessions')!;
  assert.equal(record.pids.length, 2);
  assert.equal(record.nodes.length, 2);
  const nodePorts = record.nodes.map((node) => node.port!);

  // Modify: usage limits and description; modifying → available.
  const modified = await client.send(
    new ModifyServerlessCacheCommand({
      ServerlessCacheName: 'sessions',
      Description: 'sessions v2',
      CacheUsageLimits: { ECPUPerSecond: { Maximum: 20000, Minimum: 1000 } },
    }),
  );
  assert.equal(modified.ServerlessCache?.Status, 'modifying');
  const after = await waitForServerlessCache(client, 'sessions', 'available');
  assert.equal(after.Description, 'sessions v2');
  assert.deepEqual(after.CacheUsageLimits, { ECPUPerSecond: { Maximum: 20000, Minimum: 1000 } });
  assert.match(String(await direct.info('memory')), /maxmemory:0\r\n/, 'no DataStorage maximum: no maxmemory');

  // Delete: deleting → gone, every port free.
  cluster.disconnect();
  direct.disconnect();
  readerClient.disconnect();
  const deleted = await client.send(new DeleteServerlessCacheCommand({ ServerlessCacheName: 'sessions' }));
  assert.equal(deleted.ServerlessCache?.Status, 'deleting');
  await waitForServerlessCache(client, 'sessions', 'gone');
  for (const port of [endpoint.Port!, reader.Port!, ...nodePorts]) {
    assert.ok(await portIsFree(port), `port ${port} is free after delete`);
  }
});
