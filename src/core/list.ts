/**
 * list: one summary per replication group and per serverless cache in the region (every
 * page of DescribeReplicationGroups and DescribeServerlessCaches), in one list with a kind.
 */
import type { ReplicationGroup, ServerlessCache } from '@aws-sdk/client-elasticache';
import type { AwsContext } from '../aws/clients.js';
import { buildTopology, shapeOfGroup } from '../aws/topology.js';
import { serverlessTopology } from '../aws/serverless.js';
import type { Endpoint, TopologyKind } from '../topology.js';
import { compareIds } from '../names.js';

export interface GroupSummary {
  /** replication-group, cluster (cluster mode enabled) or serverless. */
  kind: TopologyKind;
  /** The replication group id, or the serverless cache name. */
  replicationGroupId: string;
  status: string;
  engine?: string;
  nodeType?: string;
  nodes: number;
  clusterMode: boolean;
  /** Cluster mode enabled: node groups, and the most replicas any of them has. */
  shards?: number;
  replicasPerShard?: number;
  primaryEndpoint?: Endpoint;
  configurationEndpoint?: Endpoint;
  /** Serverless: the reader endpoint (6380-style) beside the endpoint in primaryEndpoint. */
  readerEndpoint?: Endpoint;
  automaticFailover?: boolean;
  multiAZ?: boolean;
}

/** A row of `list`, read from the group's Topology (without the per-node calls a full discovery makes). */
export function summarise(group: ReplicationGroup): GroupSummary {
  const topology = buildTopology(group, new Map());
  const shape = shapeOfGroup(group);
  return {
    kind: topology.kind,
    replicationGroupId: topology.replicationGroupId,
    status: topology.status,
    // The Topology falls back to 'redis' when AWS names no engine; a list shows only what AWS said.
    ...(group.Engine ? { engine: topology.engine } : {}),
    ...(topology.nodeType ? { nodeType: topology.nodeType } : {}),
    // Every member counts, also one still being created (the Topology lists only addressable nodes).
    nodes: (group.MemberClusters ?? []).length,
    clusterMode: topology.clusterMode,
    ...(topology.kind === 'cluster' ? { shards: shape.shards ?? 0, replicasPerShard: shape.replicasPerShard } : {}),
    ...(topology.primaryEndpoint ? { primaryEndpoint: topology.primaryEndpoint } : {}),
    ...(topology.configurationEndpoint ? { configurationEndpoint: topology.configurationEndpoint } : {}),
    ...(topology.automaticFailover !== undefined ? { automaticFailover: topology.automaticFailover } : {}),
    ...(topology.multiAZ !== undefined ? { multiAZ: topology.multiAZ } : {}),
  };
}

/** A row of `list` for a serverless cache: no nodes of its own; its endpoint and reader endpoint. */
export function summariseServerless(cache: ServerlessCache): GroupSummary {
  const topology = serverlessTopology(cache);
  return {
    kind: 'serverless',
    replicationGroupId: topology.replicationGroupId,
    status: topology.status,
    ...(cache.Engine ? { engine: topology.engine } : {}),
    nodes: 0,
    clusterMode: true,
    ...(topology.primaryEndpoint ? { primaryEndpoint: topology.primaryEndpoint } : {}),
    ...(topology.readerEndpoint ? { readerEndpoint: topology.readerEndpoint } : {}),
  };
}

export async function listGroups(aws: AwsContext): Promise<GroupSummary[]> {
  const { listReplicationGroups } = await import('../aws/replication-groups.js');
  const { listServerlessCaches } = await import('../aws/serverless.js');
  const [groups, caches] = await Promise.all([
    listReplicationGroups(aws),
    listServerlessCaches(aws, { tolerateUnsupported: true }),
  ]);
  return [...groups.map(summarise), ...caches.map(summariseServerless)].sort((a, b) =>
    compareIds(a.replicationGroupId, b.replicationGroupId),
  );
}
