/**
 * The part of a group's network that ElastiCache itself describes: its cache subnet group,
 * the subnet group and security groups its nodes use, and tags. Apart from network.ts (VPCs,
 * subnets and security groups, through EC2) so that the commands that only read a group
 * (list, wait, failover, scale, modify) never load the EC2 client: 800 KB of bundle.
 */
import {
  DescribeCacheSubnetGroupsCommand,
  ListTagsForResourceCommand,
  paginateDescribeCacheClusters,
  type CacheCluster,
} from '@aws-sdk/client-elasticache';
import type { AwsContext } from './clients.js';
import { explainAwsError, isCacheSubnetGroupNotFound } from './errors.js';

export interface SubnetGroupInfo {
  name: string;
  vpcId: string;
  subnetIds: string[];
  arn?: string;
}

export async function describeSubnetGroup(aws: AwsContext, name: string): Promise<SubnetGroupInfo | undefined> {
  try {
    const result = await aws.elasticache.send(new DescribeCacheSubnetGroupsCommand({ CacheSubnetGroupName: name }));
    const group = result.CacheSubnetGroups?.[0];
    if (!group?.CacheSubnetGroupName) return undefined;
    return {
      name: group.CacheSubnetGroupName,
      vpcId: group.VpcId ?? '',
      subnetIds: (group.Subnets ?? []).map((s) => s.SubnetIdentifier ?? '').filter(Boolean),
      ...(group.ARN ? { arn: group.ARN } : {}),
    };
  } catch (error) {
    if (isCacheSubnetGroupNotFound(error)) return undefined;
    throw explainAwsError(error, 'elasticache:DescribeCacheSubnetGroups');
  }
}

export async function elasticacheTags(aws: AwsContext, arn: string): Promise<Record<string, string>> {
  try {
    const result = await aws.elasticache.send(new ListTagsForResourceCommand({ ResourceName: arn }));
    return Object.fromEntries((result.TagList ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
  } catch (error) {
    throw explainAwsError(error, 'elasticache:ListTagsForResource');
  }
}

export interface GroupNetwork {
  subnetGroupName?: string;
  securityGroupIds: string[];
}

/** Cache clusters in the region (every page), to tell whether a resource is still in use. */
export async function listCacheClusters(aws: AwsContext): Promise<CacheCluster[]> {
  const clusters: CacheCluster[] = [];
  try {
    for await (const page of paginateDescribeCacheClusters({ client: aws.elasticache }, {})) {
      clusters.push(...(page.CacheClusters ?? []));
    }
  } catch (error) {
    throw explainAwsError(error, 'elasticache:DescribeCacheClusters');
  }
  return clusters;
}

/** The subnet group and security groups a group's nodes use. */
export function networkOfClusters(clusters: readonly CacheCluster[]): GroupNetwork {
  const subnetGroupName = clusters.find((c) => c.CacheSubnetGroupName)?.CacheSubnetGroupName;
  const securityGroupIds = [
    ...new Set(clusters.flatMap((c) => (c.SecurityGroups ?? []).map((g) => g.SecurityGroupId ?? '')).filter(Boolean)),
  ];
  return { ...(subnetGroupName ? { subnetGroupName } : {}), securityGroupIds };
}
