/**
 * One id, whatever it names: a replication group (either cluster mode) is looked for
 * first, then a serverless cache of that name. The one place commands that take an id
 * (wait, delete-cluster, endpoints, bench) find out which kind it is; not found names both.
 */
import type { AwsContext } from './clients.js';
import { NotFoundError } from '../errors.js';
import type { ReplicationGroup, ServerlessCache } from '@aws-sdk/client-elasticache';
import type { Topology, TopologyKind } from '../topology.js';

export function notFoundAnywhere(aws: AwsContext, id: string): NotFoundError {
  return new NotFoundError(
    `${id} not found: no replication group and no serverless cache of that name in ${aws.region}`,
  );
}

/** What an id names, with the description that told: the Topology is built from it, not described again. */
type Found =
  | { kind: 'replication-group' | 'cluster'; group: ReplicationGroup }
  | { kind: 'serverless'; cache: ServerlessCache };

async function lookUp(aws: AwsContext, id: string): Promise<Found | undefined> {
  const { describeReplicationGroup } = await import('./topology.js');
  try {
    const group = await describeReplicationGroup(aws, id);
    return {
      kind: group.ClusterEnabled === true || group.ClusterMode === 'enabled' ? 'cluster' : 'replication-group',
      group,
    };
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  const { describeServerlessCacheRaw } = await import('./serverless.js');
  try {
    return { kind: 'serverless', cache: await describeServerlessCacheRaw(aws, id) };
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  return undefined;
}

/** 'replication-group' (or 'cluster'), 'serverless', or undefined when neither exists. */
export async function findTopologyKind(aws: AwsContext, id: string): Promise<TopologyKind | undefined> {
  return (await lookUp(aws, id))?.kind;
}

/**
 * The Topology of whatever `id` names; NotFoundError (exit 3) naming both kinds otherwise.
 * Built from the description that found the kind: one DescribeReplicationGroups call, not
 * two (a round trip to AWS saved on every endpoints and bench).
 */
export async function discoverAnyTopology(aws: AwsContext, id: string): Promise<Topology> {
  const found = await lookUp(aws, id);
  if (found === undefined) throw notFoundAnywhere(aws, id);
  if (found.kind === 'serverless') {
    const { serverlessTopologyOf } = await import('./serverless.js');
    return serverlessTopologyOf(aws, found.cache);
  }
  const { topologyOf } = await import('./topology.js');
  return topologyOf(aws, found.group);
}

/** The Topology when the kind is already known (e.g. after waiting for it). */
export async function discoverTopologyOfKind(aws: AwsContext, id: string, kind: TopologyKind): Promise<Topology> {
  if (kind === 'serverless') {
    const { discoverServerlessTopology } = await import('./serverless.js');
    return discoverServerlessTopology(aws, id);
  }
  const { discoverTopology } = await import('./topology.js');
  return discoverTopology(aws, id);
}
