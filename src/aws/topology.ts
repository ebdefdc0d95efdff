/**
 * Discovery: DescribeReplicationGroups (+ DescribeCacheClusters for the engine version,
 * and for node addresses where the group does not list them) becomes one Topology.
 */
import {
  DescribeCacheClustersCommand,
  DescribeReplicationGroupsCommand,
  type CacheCluster,
  type NodeGroup,
  type ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import type { AwsContext } from './clients.js';
import { explainAwsError, isCacheClusterNotFound, isReplicationGroupNotFound } from './errors.js';
import { NotFoundError } from '../errors.js';
import type { Endpoint, Shard, Topology, TopologyNode } from '../topology.js';
import { compareIds } from '../names.js';

/** The raw group, or NotFoundError (exit 3). */
export async function describeReplicationGroup(aws: AwsContext, replicationGroupId: string): Promise<ReplicationGroup> {
  try {
    const result = await aws.elasticache.send(
      new DescribeReplicationGroupsCommand({ ReplicationGroupId: replicationGroupId }),
    );
    const group = result.ReplicationGroups?.[0];
    if (!group) throw new NotFoundError(`replication group ${replicationGroupId} not found`);
    return group;
  } catch (error) {
    if (isReplicationGroupNotFound(error)) {
      throw new NotFoundError(`replication group ${replicationGroupId} not found in ${aws.region}`);
    }
    throw explainAwsError(error, 'elasticache:DescribeReplicationGroups');
  }
}

export async function discoverTopology(aws: AwsContext, replicationGroupId: string): Promise<Topology> {
  const group = await describeReplicationGroup(aws, replicationGroupId);
  return topologyOf(aws, group);
}

/** Builds the Topology of a group already described (one more call for the cache clusters). */
export async function topologyOf(aws: AwsContext, group: ReplicationGroup): Promise<Topology> {
  const clusters = await describeMemberClusters(aws, group);
  return buildTopology(group, clusters);
}

async function describeMemberClusters(aws: AwsContext, group: ReplicationGroup): Promise<Map<string, CacheCluster>> {
  const members = group.MemberClusters ?? [];
  const needAddresses = (group.NodeGroups ?? []).some((ng) =>
    (ng.NodeGroupMembers ?? []).some((m) => !m.ReadEndpoint?.Address),
  );
  // One cluster tells the engine version; all of them only when addresses are missing.
  const wanted = needAddresses ? members : members.slice(0, 1);
  const clusters = new Map<string, CacheCluster>();
  await Promise.all(
    wanted.map(async (id) => {
      try {
        const result = await aws.elasticache.send(
          new DescribeCacheClustersCommand({ CacheClusterId: id, ShowCacheNodeInfo: needAddresses }),
        );
        const cluster = result.CacheClusters?.[0];
        if (cluster) clusters.set(id, cluster);
      } catch (error) {
        // A member being created or deleted may not be describable yet; the group still is.
        if (!isCacheClusterNotFound(error)) {
          throw explainAwsError(error, 'elasticache:DescribeCacheClusters');
        }
      }
    }),
  );
  return clusters;
}

/** Pure: the group and its member clusters as a Topology. */
export function buildTopology(group: ReplicationGroup, clusters: Map<string, CacheCluster>): Topology {
  const clusterMode = group.ClusterEnabled === true || group.ClusterMode === 'enabled';
  const anyCluster = clusters.values().next().value as CacheCluster | undefined;
  const nodeGroups = group.NodeGroups ?? [];
  const shards: Shard[] = nodeGroups.map((ng) => ({
    id: ng.NodeGroupId ?? '',
    ...(ng.Slots ? { slots: ng.Slots } : {}),
    ...(ng.Status ? { status: ng.Status } : {}),
    nodes: nodesOf(ng, clusters),
  }));
  const firstGroup = nodeGroups[0];
  const primaryEndpoint = clusterMode ? undefined : endpointOf(firstGroup?.PrimaryEndpoint);
  const readerEndpoint = clusterMode ? undefined : endpointOf(firstGroup?.ReaderEndpoint);
  const configurationEndpoint = endpointOf(group.ConfigurationEndpoint);
  const port =
    primaryEndpoint?.port ??
    configurationEndpoint?.port ??
    shards.flatMap((s) => s.nodes)[0]?.port ??
    anyCluster?.CacheNodes?.[0]?.Endpoint?.Port ??
    6379;

  const topology: Topology = {
    kind: clusterMode ? 'cluster' : 'replication-group',
    replicationGroupId: group.ReplicationGroupId ?? '',
    status: group.Status ?? 'unknown',
    engine: group.Engine ?? anyCluster?.Engine ?? 'redis',
    engineVersion: anyCluster?.EngineVersion ?? '',
    port,
    tls: group.TransitEncryptionEnabled === true,
    authRequired: group.AuthTokenEnabled === true,
    clusterMode,
    ...(primaryEndpoint ? { primaryEndpoint } : {}),
    ...(readerEndpoint ? { readerEndpoint } : {}),
    ...(configurationEndpoint ? { configurationEndpoint } : {}),
    nodes: sortPrimaryFirst(shards.flatMap((shard) => shard.nodes)),
    ...(clusterMode ? { shards } : {}),
    ...(group.CacheNodeType ? { nodeType: group.CacheNodeType } : {}),
    ...(group.MultiAZ ? { multiAZ: group.MultiAZ === 'enabled' } : {}),
    ...(group.AutomaticFailover ? { automaticFailover: group.AutomaticFailover === 'enabled' } : {}),
    ...(group.ARN ? { arn: group.ARN } : {}),
  };
  return topology;
}

function nodesOf(nodeGroup: NodeGroup, clusters: Map<string, CacheCluster>): TopologyNode[] {
  const nodes: TopologyNode[] = [];
  for (const member of nodeGroup.NodeGroupMembers ?? []) {
    const id = member.CacheClusterId ?? '';
    const cluster = clusters.get(id);
    const endpoint =
      endpointOf(member.ReadEndpoint) ??
      endpointOf(cluster?.CacheNodes?.find((n) => n.CacheNodeId === member.CacheNodeId)?.Endpoint) ??
      endpointOf(cluster?.CacheNodes?.[0]?.Endpoint);
    if (!endpoint) continue; // not addressable yet (still creating)
    nodes.push({
      id,
      role: member.CurrentRole === 'primary' ? 'primary' : 'replica',
      address: endpoint.address,
      port: endpoint.port,
      ...(member.PreferredAvailabilityZone ? { availabilityZone: member.PreferredAvailabilityZone } : {}),
    });
  }
  return nodes;
}

function sortPrimaryFirst(nodes: TopologyNode[]): TopologyNode[] {
  return [...nodes].sort((a, b) => (a.role === b.role ? compareIds(a.id, b.id) : a.role === 'primary' ? -1 : 1));
}

function endpointOf(endpoint: { Address?: string; Port?: number } | undefined): Endpoint | undefined {
  if (!endpoint?.Address) return undefined;
  return { address: endpoint.Address, port: endpoint.Port ?? 6379 };
}

/**
 * Node groups and the most replicas any of them has. One node group (or none listed yet,
 * while creating): its replicas are the members less one. Several: counted per group.
 */
export function shapeOfGroup(group: ReplicationGroup): { shards?: number; replicasPerShard: number } {
  const nodeGroups = group.NodeGroups ?? [];
  const members = (group.MemberClusters ?? []).length;
  if (nodeGroups.length <= 1) {
    return { ...(nodeGroups.length === 1 ? { shards: 1 } : {}), replicasPerShard: Math.max(0, members - 1) };
  }
  const listed = nodeGroups.map((ng) => (ng.NodeGroupMembers ?? []).length);
  const perShard = listed.some((count) => count > 0) ? Math.max(...listed) : Math.ceil(members / nodeGroups.length);
  return { shards: nodeGroups.length, replicasPerShard: Math.max(0, perShard - 1) };
}
