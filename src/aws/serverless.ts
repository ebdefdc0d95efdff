/**
 * Serverless caches on the SDK side: describe (one, or every page), delete, the users of
 * a cache's user group, and the Topology of a serverless cache (kind `serverless`: an
 * Endpoint for writes and consistent reads, a ReaderEndpoint for replica reads, TLS
 * always, the cluster protocol; no nodes a client should address, so `nodes` is empty).
 */
import {
  DeleteServerlessCacheCommand,
  DescribeServerlessCachesCommand,
  DescribeUserGroupsCommand,
  DescribeUsersCommand,
  paginateDescribeServerlessCaches,
  type ServerlessCache,
} from '@aws-sdk/client-elasticache';
import type { AwsContext } from './clients.js';
import { explainAwsError, isServerlessCacheNotFound, isUnsupportedAction, isUserGroupNotFound } from './errors.js';
import { NotFoundError } from '../errors.js';
import type { Endpoint, Topology } from '../topology.js';

/** The raw cache, or NotFoundError (exit 3). */
export async function describeServerlessCacheRaw(aws: AwsContext, name: string): Promise<ServerlessCache> {
  try {
    const result = await aws.elasticache.send(new DescribeServerlessCachesCommand({ ServerlessCacheName: name }));
    const cache = result.ServerlessCaches?.[0];
    if (!cache) throw new NotFoundError(`serverless cache ${name} not found in ${aws.region}`);
    return cache;
  } catch (error) {
    // An endpoint without serverless support (an older emulator) has no serverless caches.
    if (isServerlessCacheNotFound(error) || isUnsupportedAction(error))
      throw new NotFoundError(`serverless cache ${name} not found in ${aws.region}`);
    throw explainAwsError(error, 'elasticache:DescribeServerlessCaches');
  }
}

/**
 * Every serverless cache in the region. `tolerateUnsupported`: an endpoint that does not
 * implement the action (an emulator without serverless) has none, rather than failing a
 * command that only looks for them on the side (teardown, list).
 */
export async function listServerlessCaches(
  aws: AwsContext,
  options: { tolerateUnsupported?: boolean } = {},
): Promise<ServerlessCache[]> {
  const caches: ServerlessCache[] = [];
  try {
    for await (const page of paginateDescribeServerlessCaches({ client: aws.elasticache }, {})) {
      caches.push(...(page.ServerlessCaches ?? []));
    }
  } catch (error) {
    if (options.tolerateUnsupported && isUnsupportedAction(error)) return [];
    throw explainAwsError(error, 'elasticache:DescribeServerlessCaches');
  }
  return caches;
}

export async function deleteServerlessCache(aws: AwsContext, name: string): Promise<void> {
  try {
    await aws.elasticache.send(new DeleteServerlessCacheCommand({ ServerlessCacheName: name }));
  } catch (error) {
    if (isServerlessCacheNotFound(error))
      throw new NotFoundError(`serverless cache ${name} not found in ${aws.region}`);
    throw explainAwsError(error, 'elasticache:DeleteServerlessCache');
  }
}

/** The user names of a user group (`default` included, as AWS lists it), or NotFoundError. */
export async function userGroupUserNames(aws: AwsContext, userGroupId: string): Promise<string[]> {
  let userIds: string[];
  try {
    const result = await aws.elasticache.send(new DescribeUserGroupsCommand({ UserGroupId: userGroupId }));
    userIds = result.UserGroups?.[0]?.UserIds ?? [];
  } catch (error) {
    if (isUserGroupNotFound(error)) throw new NotFoundError(`user group ${userGroupId} not found in ${aws.region}`);
    throw explainAwsError(error, 'elasticache:DescribeUserGroups');
  }
  const names: string[] = [];
  for (const userId of userIds) {
    try {
      const result = await aws.elasticache.send(new DescribeUsersCommand({ UserId: userId }));
      names.push(result.Users?.[0]?.UserName ?? userId);
    } catch (error) {
      throw explainAwsError(error, 'elasticache:DescribeUsers');
    }
  }
  return names;
}

/** DescribeServerlessCaches → Topology; NotFoundError (exit 3) when there is no such cache. */
export async function describeServerlessCache(aws: AwsContext, name: string): Promise<Topology> {
  return serverlessTopology(await describeServerlessCacheRaw(aws, name));
}

/** The Topology of a serverless cache, with its user group's user names when it has one. */
export async function discoverServerlessTopology(aws: AwsContext, name: string): Promise<Topology> {
  return serverlessTopologyOf(aws, await describeServerlessCacheRaw(aws, name));
}

/** The Topology of a cache already described (one more call for its user group's users). */
export async function serverlessTopologyOf(aws: AwsContext, cache: ServerlessCache): Promise<Topology> {
  const users = cache.UserGroupId ? await userGroupUserNames(aws, cache.UserGroupId) : undefined;
  return serverlessTopology(cache, users);
}

/**
 * Pure: a described cache as a Topology. Its endpoint takes reads and writes and is where
 * a cluster client starts; the reader endpoint serves reads from replicas, possibly a
 * little behind. `users`: the user names of its user group, when they were read.
 */
export function serverlessTopology(cache: ServerlessCache, users?: string[]): Topology {
  const endpoint = endpointOf(cache.Endpoint);
  const reader = endpointOf(cache.ReaderEndpoint);
  return {
    kind: 'serverless',
    replicationGroupId: cache.ServerlessCacheName ?? '',
    status: cache.Status ?? 'unknown',
    engine: cache.Engine ?? 'redis',
    engineVersion: cache.FullEngineVersion ?? cache.MajorEngineVersion ?? '',
    port: endpoint?.port ?? 6379,
    // Serverless caches are TLS only, and speak the cluster protocol.
    tls: true,
    clusterMode: true,
    authRequired: cache.UserGroupId !== undefined && cache.UserGroupId !== '',
    ...(endpoint ? { primaryEndpoint: endpoint } : {}),
    ...(reader ? { readerEndpoint: reader } : {}),
    nodes: [],
    ...(cache.UserGroupId ? { userGroupId: cache.UserGroupId } : {}),
    ...(users ? { users } : {}),
    ...(cache.ARN ? { arn: cache.ARN } : {}),
  };
}

function endpointOf(endpoint: { Address?: string; Port?: number } | undefined): Endpoint | undefined {
  if (!endpoint?.Address) return undefined;
  return { address: endpoint.Address, port: endpoint.Port ?? 6379 };
}
