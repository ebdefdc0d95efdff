/**
 * Waiting on a serverless cache's status through DescribeServerlessCaches (the SDK has no
 * waiter for serverless caches). Polls every 50 ms; `gone` waits for ServerlessCacheNotFoundFault.
 */
import {
  DescribeServerlessCachesCommand,
  type ElastiCacheClient,
  type ServerlessCache,
} from '@aws-sdk/client-elasticache';
import { setTimeout as sleep } from 'node:timers/promises';

export async function waitForServerlessCache(
  client: ElastiCacheClient,
  name: string,
  status: 'available' | 'gone',
  timeoutMs = 90_000,
): Promise<ServerlessCache> {
  const deadline = Date.now() + timeoutMs;
  let last: ServerlessCache | undefined;
  for (;;) {
    try {
      last = (await client.send(new DescribeServerlessCachesCommand({ ServerlessCacheName: name })))
        .ServerlessCaches![0]!;
      if (status === 'available' && last.Status === 'available') return last;
      if (last.Status === 'create-failed') throw new Error(`${name} went to create-failed`);
    } catch (error) {
      if ((error as Error).name !== 'ServerlessCacheNotFoundFault') throw error;
      if (status === 'gone') return last ?? {};
    }
    if (Date.now() > deadline) throw new Error(`${name} not ${status} in time (last status ${last?.Status})`);
    await sleep(50);
  }
}
