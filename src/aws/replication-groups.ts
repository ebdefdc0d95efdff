/**
 * Replication group operations beyond discovery: list, delete, test failover, and the
 * settings of an existing group for create-cluster's idempotency check.
 */
import {
  DeleteReplicationGroupCommand,
  DescribeCacheClustersCommand,
  paginateDescribeReplicationGroups,
  TestFailoverCommand,
  type CacheCluster,
  type ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import type { AwsContext } from './clients.js';
import { awsErrorName, explainAwsError, isCacheClusterNotFound, isReplicationGroupNotFound } from './errors.js';
import { describeSubnetGroup, networkOfClusters } from './network.js';
import { shapeOfGroup } from './topology.js';
import { NotFoundError } from '../errors.js';
import type { ExistingGroup } from '../plan/differences.js';
import { TOOL_TAG_KEY, TOOL_TAG_VALUE } from '../plan/rules.js';
import { TAG_ALLOW_FROM } from '../plan/requests.js';

export async function listReplicationGroups(aws: AwsContext): Promise<ReplicationGroup[]> {
  const groups: ReplicationGroup[] = [];
  try {
    for await (const page of paginateDescribeReplicationGroups({ client: aws.elasticache, pageSize: 100 }, {})) {
      groups.push(...(page.ReplicationGroups ?? []));
    }
  } catch (error) {
    throw explainAwsError(error, 'elasticache:DescribeReplicationGroups');
  }
  return groups;
}

/** The member cache clusters that can still be described (with node info for ports). */
export async function memberClusters(aws: AwsContext, group: ReplicationGroup): Promise<CacheCluster[]> {
  const clusters: CacheCluster[] = [];
  for (const id of group.MemberClusters ?? []) {
    try {
      const result = await aws.elasticache.send(
        new DescribeCacheClustersCommand({ CacheClusterId: id, ShowCacheNodeInfo: true }),
      );
      clusters.push(...(result.CacheClusters ?? []));
    } catch (error) {
      if (!isCacheClusterNotFound(error)) throw explainAwsError(error, 'elasticache:DescribeCacheClusters');
    }
  }
  return clusters;
}

/** The settings of an existing group, in the shape the plan is compared with. */
export async function existingGroupSettings(aws: AwsContext, group: ReplicationGroup): Promise<ExistingGroup> {
  const clusters = await memberClusters(aws, group);
  const first = clusters[0];
  const network = networkOfClusters(clusters);
  const allowFromSources: string[] = [];
  if (network.securityGroupIds.length > 0) {
    try {
      const result = await aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: network.securityGroupIds }));
      for (const sg of result.SecurityGroups ?? []) {
        const tags = Object.fromEntries((sg.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
        if (tags[TOOL_TAG_KEY] === TOOL_TAG_VALUE && tags[TAG_ALLOW_FROM]) allowFromSources.push(tags[TAG_ALLOW_FROM]);
      }
    } catch (error) {
      if (awsErrorName(error) !== 'InvalidGroup.NotFound') throw explainAwsError(error, 'ec2:DescribeSecurityGroups');
    }
  }
  const subnetGroup = network.subnetGroupName ? await describeSubnetGroup(aws, network.subnetGroupName) : undefined;
  const endpoint =
    group.NodeGroups?.[0]?.PrimaryEndpoint ?? group.ConfigurationEndpoint ?? first?.CacheNodes?.[0]?.Endpoint;
  // A loopback endpoint is the local emulator, which gives every node its own free port:
  // there the port says nothing about the requested one, so it is not compared.
  const port = endpoint?.Address && isLoopback(endpoint.Address) ? undefined : endpoint?.Port;
  return {
    status: group.Status ?? 'unknown',
    ...((group.Engine ?? first?.Engine) ? { engine: group.Engine ?? first?.Engine } : {}),
    ...(first?.EngineVersion ? { engineVersion: first.EngineVersion } : {}),
    ...(group.CacheNodeType ? { nodeType: group.CacheNodeType } : {}),
    ...replicasAndShards(group),
    ...(port !== undefined ? { port } : {}),
    multiAZ: group.MultiAZ === 'enabled',
    automaticFailover: group.AutomaticFailover === 'enabled' || group.AutomaticFailover === 'enabling',
    transitEncryption: group.TransitEncryptionEnabled === true,
    atRestEncryption: group.AtRestEncryptionEnabled === true,
    authTokenEnabled: group.AuthTokenEnabled === true,
    ...(group.Description ? { description: group.Description } : {}),
    clusterMode: group.ClusterEnabled === true || group.ClusterMode === 'enabled',
    ...(group.ClusterMode ? { clusterModeName: group.ClusterMode } : {}),
    ...(network.subnetGroupName ? { subnetGroupName: network.subnetGroupName } : {}),
    ...(subnetGroup?.vpcId ? { vpcId: subnetGroup.vpcId, subnetIds: subnetGroup.subnetIds } : {}),
    securityGroupIds: network.securityGroupIds,
    allowFromSources,
  };
}

function replicasAndShards(group: ReplicationGroup): { replicas: number; shards?: number } {
  const { shards, replicasPerShard } = shapeOfGroup(group);
  return { replicas: replicasPerShard, ...(shards !== undefined ? { shards } : {}) };
}

function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^127\./.test(address);
}

export async function deleteReplicationGroup(aws: AwsContext, replicationGroupId: string): Promise<void> {
  try {
    await aws.elasticache.send(new DeleteReplicationGroupCommand({ ReplicationGroupId: replicationGroupId }));
  } catch (error) {
    if (isReplicationGroupNotFound(error))
      throw new NotFoundError(`replication group ${replicationGroupId} not found in ${aws.region}`);
    throw explainAwsError(error, 'elasticache:DeleteReplicationGroup');
  }
}

/**
 * TestFailover; its answer is the group as the failover starts (its status tells whether it
 * is under way). It is not idempotent: when the SDK retried it (its first answer lost), an
 * InvalidReplicationGroupState means the first attempt started the failover and the group is
 * now modifying, which is what this answers; on a first attempt it is the real refusal.
 */
export async function testFailover(
  aws: AwsContext,
  replicationGroupId: string,
  nodeGroupId: string,
): Promise<ReplicationGroup> {
  try {
    const result = await aws.elasticache.send(
      new TestFailoverCommand({ ReplicationGroupId: replicationGroupId, NodeGroupId: nodeGroupId }),
    );
    return result.ReplicationGroup ?? {};
  } catch (error) {
    const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
    if (attempts > 1 && awsErrorName(error) === 'InvalidReplicationGroupStateFault') {
      return { ReplicationGroupId: replicationGroupId, Status: 'modifying' };
    }
    if (isReplicationGroupNotFound(error))
      throw new NotFoundError(`replication group ${replicationGroupId} not found in ${aws.region}`);
    throw explainAwsError(error, 'elasticache:TestFailover');
  }
}
