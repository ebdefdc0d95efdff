/**
 * One id, whatever it names: a replication group (either cluster mode) is looked for
 * first, then a serverless cache of that name. The one place commands that take an id
 * (wait, delete-cluster, endpoints, bench) find out which kind it is; not found names both.
 */
import type { AwsContext } from './clients.js';
import { NotFoundError } from '../errors.js';
import type { Topology, TopologyKind } from '../topology.js';

export function notFoundAnywhere(aws: AwsContext, id: string): NotFoundError {
  return new NotFoundError(
    `${id} not found: no replication group and no serverless cache of that name in ${aws.region}`,
  );
}

/** 'replication-group' (or 'cluster'), 'serverless', or undefined when neither exists. */
export async function findTopologyKind(aws: AwsContext, id: string): Promise<TopologyKind | undefined> {
  const { describeReplicationGroup } = await import('./topology.js');
  try {
    const group = await describeReplicationGroup(aws, id);
    return group.ClusterEnabled === true || group.ClusterMode === 'enabled' ? 'cluster' : 'replication-group';
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  const { describeServerlessCacheRaw } = await import('./serverless.js');
  try {
    await describeServerlessCacheRaw(aws, id);
    return 'serverless';
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  return undefined;
}

/** The Topology of whatever `id` names; NotFoundError (exit 3) naming both kinds otherwise. */
export async function discoverAnyTopology(aws: AwsContext, id: string): Promise<Topology> {
  const kind = await findTopologyKind(aws, id);
  if (kind === undefined) throw notFoundAnywhere(aws, id);
  return discoverTopologyOfKind(aws, id, kind);
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
