/**
 * Replication group operations beyond discovery: list, delete, test failover. (The settings
 * of an existing group, for create-cluster's idempotency check, are in existing-group.ts: they
 * read its security groups through EC2, which these commands never load.)
 */
import {
  DeleteReplicationGroupCommand,
  DescribeCacheClustersCommand,
  paginateDescribeReplicationGroups,
  TestFailoverCommand,
  type CacheCluster,
  type ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import type { AwsContext } from './clients.js';
import { awsErrorName, explainAwsError, isCacheClusterNotFound, isReplicationGroupNotFound } from './errors.js';
import { NotFoundError } from '../errors.js';

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
