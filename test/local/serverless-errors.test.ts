/**
 * Serverless caches' errors and paging through the real SDK: the typed exceptions the
 * service's wire codes map to, MaxResults/NextToken paging, state rules (no modify or
 * delete while creating), and tags on the cache's ARN.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddTagsToResourceCommand,
  CreateServerlessCacheCommand,
  DeleteServerlessCacheCommand,
  DescribeServerlessCachesCommand,
  ListTagsForResourceCommand,
  ModifyServerlessCacheCommand,
} from '@aws-sdk/client-elasticache';
import { startTestEmulator } from '../helpers/emulator.js';
import type { AwsContext } from '../../src/aws/clients.js';
import { describeServerlessCache } from '../../src/aws/serverless.js';
import { NotFoundError } from '../../src/errors.js';
import { waitForServerlessCache } from '../helpers/serverless.js';

const named = (name: string) => (error: unknown) => {
  assert.equal((error as Error).name, name, (error as Error).message);
  return true;
};

test('serverless cache errors, paging and tags', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const client = emulator.elasticache;

  await assert.rejects(
    client.send(new DescribeServerlessCachesCommand({ ServerlessCacheName: 'missing' })),
    named('ServerlessCacheNotFoundFault'),
  );
  await assert.rejects(
    client.send(new DeleteServerlessCacheCommand({ ServerlessCacheName: 'missing' })),
    named('ServerlessCacheNotFoundFault'),
  );
  await assert.rejects(
    client.send(new CreateServerlessCacheCommand({ ServerlessCacheName: '9lives', Engine: 'redis' })),
    named('InvalidParameterValueException'),
  );
  await assert.rejects(
    client.send(
      new CreateServerlessCacheCommand({
        ServerlessCacheName: 'limits',
        Engine: 'redis',
        CacheUsageLimits: { ECPUPerSecond: { Maximum: 1000, Minimum: 2000 } },
      }),
    ),
    named('InvalidParameterCombinationException'),
  );
  await assert.rejects(
    client.send(
      new CreateServerlessCacheCommand({ ServerlessCacheName: 'net', Engine: 'redis', SubnetIds: ['subnet-nope'] }),
    ),
    named('InvalidSubnet'),
  );
  await assert.rejects(
    client.send(
      new CreateServerlessCacheCommand({ ServerlessCacheName: 'sg', Engine: 'redis', SecurityGroupIds: ['sg-nope'] }),
    ),
    named('InvalidParameterValueException'),
  );

  for (const name of ['cache-c', 'cache-a', 'cache-b']) {
    await client.send(
      new CreateServerlessCacheCommand({
        ServerlessCacheName: name,
        Engine: 'redis',
        Tags: [{ Key: 'created-by', Value: 'elasticache-kit' }],
      }),
    );
  }
  await assert.rejects(
    client.send(new CreateServerlessCacheCommand({ ServerlessCacheName: 'CACHE-A', Engine: 'valkey' })),
    named('ServerlessCacheAlreadyExistsFault'),
  );
  // Still creating (forming a cluster takes a second or more): neither modify nor delete.
  await assert.rejects(
    client.send(new ModifyServerlessCacheCommand({ ServerlessCacheName: 'cache-b', Description: 'x' })),
    named('InvalidServerlessCacheStateFault'),
  );
  await assert.rejects(
    client.send(new DeleteServerlessCacheCommand({ ServerlessCacheName: 'cache-b' })),
    named('InvalidServerlessCacheStateFault'),
  );

  // Paging: MaxResults / NextToken, in name order, nothing twice.
  const first = await client.send(new DescribeServerlessCachesCommand({ MaxResults: 2 }));
  assert.deepEqual(
    first.ServerlessCaches!.map((cache) => cache.ServerlessCacheName),
    ['cache-a', 'cache-b'],
  );
  assert.ok(first.NextToken);
  const second = await client.send(new DescribeServerlessCachesCommand({ MaxResults: 2, NextToken: first.NextToken }));
  assert.deepEqual(
    second.ServerlessCaches!.map((cache) => cache.ServerlessCacheName),
    ['cache-c'],
  );
  assert.equal(second.NextToken, undefined);
  await assert.rejects(
    client.send(new DescribeServerlessCachesCommand({ MaxResults: 0 })),
    named('InvalidParameterValueException'),
  );

  const cache = await waitForServerlessCache(client, 'cache-a', 'available');
  await assert.rejects(
    client.send(new ModifyServerlessCacheCommand({ ServerlessCacheName: 'cache-a', RemoveUserGroup: true })),
    named('InvalidParameterCombinationException'),
  );
  await assert.rejects(
    client.send(new ModifyServerlessCacheCommand({ ServerlessCacheName: 'cache-a', UserGroupId: 'nope' })),
    named('UserGroupNotFoundFault'),
  );
  await assert.rejects(
    client.send(new ModifyServerlessCacheCommand({ ServerlessCacheName: 'cache-a', MajorEngineVersion: '8' })),
    named('InvalidParameterValueException'),
  );

  // The SDK side: describeServerlessCache → Topology; a missing cache is NotFoundError (exit 3).
  const aws: AwsContext = { elasticache: client, ec2: emulator.ec2, region: 'us-east-1', local: true };
  const topology = await describeServerlessCache(aws, 'cache-a');
  assert.equal(topology.kind, 'serverless');
  assert.equal(topology.status, 'available');
  assert.deepEqual(topology.primaryEndpoint, { address: cache.Endpoint!.Address, port: cache.Endpoint!.Port });
  assert.deepEqual(topology.readerEndpoint, {
    address: cache.ReaderEndpoint!.Address,
    port: cache.ReaderEndpoint!.Port,
  });
  assert.equal(topology.authRequired, false);
  await assert.rejects(describeServerlessCache(aws, 'missing'), (error) => error instanceof NotFoundError);

  // Tags live on the cache's ARN.
  await client.send(new AddTagsToResourceCommand({ ResourceName: cache.ARN!, Tags: [{ Key: 'team', Value: 'web' }] }));
  const tags = await client.send(new ListTagsForResourceCommand({ ResourceName: cache.ARN! }));
  assert.deepEqual(tags.TagList, [
    { Key: 'created-by', Value: 'elasticache-kit' },
    { Key: 'team', Value: 'web' },
  ]);
  await assert.rejects(
    client.send(new ListTagsForResourceCommand({ ResourceName: cache.ARN!.replace('cache-a', 'cache-z') })),
    named('ServerlessCacheNotFoundFault'),
  );
});
