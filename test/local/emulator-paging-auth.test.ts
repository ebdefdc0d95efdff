/** MaxRecords/Marker paging across many groups, and AUTH tokens enforced on the nodes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateReplicationGroupCommand,
  DescribeCacheClustersCommand,
  DescribeReplicationGroupsCommand,
  paginateDescribeReplicationGroups,
  waitUntilReplicationGroupAvailable,
} from '@aws-sdk/client-elasticache';
import { Redis } from 'ioredis';
import { startTestEmulator } from '../helpers/emulator.js';
import { inlineCommand } from '../helpers/inline-command.js';

/** One inline command over a plain socket: the first reply line (ioredis would HELLO first). */
test('DescribeReplicationGroups and DescribeCacheClusters page with MaxRecords and Marker', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const client = emulator.elasticache;
  const ids = Array.from({ length: 21 }, (_, index) => `page-${String(index).padStart(2, '0')}`);
  for (const id of ids) {
    await client.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: id,
        ReplicationGroupDescription: 'paging',
        Engine: id === 'page-20' ? 'valkey' : undefined,
      }),
    );
  }
  const first = await client.send(new DescribeReplicationGroupsCommand({ MaxRecords: 20 }));
  assert.equal(first.ReplicationGroups!.length, 20);
  assert.ok(first.Marker, 'a marker for the rest');
  const second = await client.send(new DescribeReplicationGroupsCommand({ MaxRecords: 20, Marker: first.Marker }));
  assert.deepEqual(
    second.ReplicationGroups!.map((g) => g.ReplicationGroupId),
    ['page-20'],
  );
  assert.equal(
    second.ReplicationGroups![0]!.Engine,
    'valkey',
    'valkey groups run on valkey-server, or redis-server when that is all there is',
  );
  assert.equal(second.Marker, undefined);

  const seen: string[] = [];
  for await (const page of paginateDescribeReplicationGroups({ client, pageSize: 20 }, {})) {
    seen.push(...page.ReplicationGroups!.map((g) => g.ReplicationGroupId!));
  }
  assert.deepEqual(seen, ids);

  const clusters = await client.send(new DescribeCacheClustersCommand({ MaxRecords: 20 }));
  assert.equal(clusters.CacheClusters!.length, 20);
  const rest = await client.send(new DescribeCacheClustersCommand({ MaxRecords: 20, Marker: clusters.Marker }));
  assert.deepEqual(
    rest.CacheClusters!.map((c) => c.CacheClusterId),
    ['page-20-001'],
  );
  assert.equal(rest.CacheClusters![0]!.Engine, 'valkey');
});

test('AuthToken (with TLS, preferred mode): AUTH is required on the endpoints and reported by Describe', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const client = emulator.elasticache;
  const token = 'local-token-0123456789';
  await client.send(
    new CreateReplicationGroupCommand({
      ReplicationGroupId: 'secure',
      ReplicationGroupDescription: 'auth',
      NumCacheClusters: 2,
      AuthToken: token,
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'preferred',
    }),
  );
  await waitUntilReplicationGroupAvailable(
    { client, minDelay: 1, maxDelay: 1, maxWaitTime: 30 },
    { ReplicationGroupId: 'secure' },
  );
  const group = (await client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'secure' })))
    .ReplicationGroups![0]!;
  assert.equal(group.AuthTokenEnabled, true);
  assert.equal(group.TransitEncryptionMode, 'preferred');
  assert.ok(group.AuthTokenLastModifiedDate instanceof Date);
  const port = group.NodeGroups![0]!.PrimaryEndpoint!.Port!;

  const authed = new Redis({
    host: '127.0.0.1',
    port,
    password: token,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  t.after(() => authed.disconnect());
  // preferred: the primary endpoint also takes plain RESP, and still wants the token.
  assert.match(await inlineCommand({ port }, 'SET k v'), /^-NOAUTH/, 'a client without the token is refused');
  await authed.connect();
  assert.equal(await authed.set('k', 'v'), 'OK');

  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  assert.ok(
    !readFileSync(join(emulator.stateDir, 'state.json'), 'utf8').includes(token),
    'the token is not in the state file',
  );
});
