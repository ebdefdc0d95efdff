/** list: one summary per replication group in the region (every page of DescribeReplicationGroups). */
import type { ReplicationGroup } from '@aws-sdk/client-elasticache';
import type { AwsContext } from '../aws/clients.js';
import { buildTopology, shapeOfGroup } from '../aws/topology.js';
import type { Endpoint, TopologyKind } from '../topology.js';

export interface GroupSummary {
  replicationGroupId: string;
  /** replication-group (cluster mode disabled) or cluster (cluster mode enabled). */
  kind: TopologyKind;
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
  automaticFailover?: boolean;
  multiAZ?: boolean;
}

/** A row of `list`, read from the group's Topology (without the per-node calls a full discovery makes). */
export function summarise(group: ReplicationGroup): GroupSummary {
  const topology = buildTopology(group, new Map());
  const shape = shapeOfGroup(group);
  return {
    replicationGroupId: topology.replicationGroupId,
    kind: topology.kind,
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

export async function listGroups(aws: AwsContext): Promise<GroupSummary[]> {
  const { listReplicationGroups } = await import('../aws/replication-groups.js');
  return (await listReplicationGroups(aws)).map(summarise);
}
