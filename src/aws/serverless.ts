/**
 * Serverless caches on the SDK side: DescribeServerlessCaches for one cache, and its
 * Topology (kind `serverless`: an Endpoint for writes and consistent reads, a
 * ReaderEndpoint for replica reads, TLS always, the cluster protocol; no nodes a client
 * should address, so `nodes` is empty).
 */
import {
  DescribeServerlessCachesCommand,
  ServerlessCacheNotFoundFault,
  type ServerlessCache,
} from '@aws-sdk/client-elasticache';
import type { AwsContext } from './clients.js';
import { explainAwsError } from './errors.js';
import { NotFoundError } from '../errors.js';
import type { Endpoint, Topology } from '../topology.js';

export const isServerlessCacheNotFound = (error: unknown): boolean => error instanceof ServerlessCacheNotFoundFault;

/** The raw cache, or NotFoundError (exit 3). */
export async function describeServerlessCacheRaw(aws: AwsContext, name: string): Promise<ServerlessCache> {
  try {
    const result = await aws.elasticache.send(new DescribeServerlessCachesCommand({ ServerlessCacheName: name }));
    const cache = result.ServerlessCaches?.[0];
    if (!cache) throw new NotFoundError(`serverless cache ${name} not found in ${aws.region}`);
    return cache;
  } catch (error) {
    if (isServerlessCacheNotFound(error))
      throw new NotFoundError(`serverless cache ${name} not found in ${aws.region}`);
    if (error instanceof NotFoundError) throw error;
    throw explainAwsError(error, 'elasticache:DescribeServerlessCaches');
  }
}

/** DescribeServerlessCaches → Topology; NotFoundError (exit 3) when there is no such cache. */
export async function describeServerlessCache(aws: AwsContext, name: string): Promise<Topology> {
  return serverlessTopology(await describeServerlessCacheRaw(aws, name));
}

function endpointOf(endpoint: { Address?: string; Port?: number } | undefined): Endpoint | undefined {
  return endpoint?.Address && endpoint.Port !== undefined
    ? { address: endpoint.Address, port: endpoint.Port }
    : undefined;
}

/** Pure: the Topology of a described serverless cache. */
export function serverlessTopology(cache: ServerlessCache): Topology {
  const primaryEndpoint = endpointOf(cache.Endpoint);
  const readerEndpoint = endpointOf(cache.ReaderEndpoint);
  return {
    kind: 'serverless',
    replicationGroupId: cache.ServerlessCacheName ?? '',
    status: cache.Status ?? 'unknown',
    engine: cache.Engine ?? 'redis',
    engineVersion: cache.FullEngineVersion ?? cache.MajorEngineVersion ?? '',
    port: primaryEndpoint?.port ?? 6379,
    // Serverless caches are TLS only, and speak the cluster protocol.
    tls: true,
    clusterMode: true,
    authRequired: cache.UserGroupId !== undefined && cache.UserGroupId !== '',
    ...(primaryEndpoint ? { primaryEndpoint } : {}),
    ...(readerEndpoint ? { readerEndpoint } : {}),
    nodes: [],
    ...(cache.ARN ? { arn: cache.ARN } : {}),
  };
}
