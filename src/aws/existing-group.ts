/**
 * The settings of an existing replication group, in the shape create-cluster's plan is
 * compared with (its idempotency check): the group, its nodes, its subnet group, and the
 * sources its tool-made security groups allow (through EC2).
 */
import type { ReplicationGroup } from '@aws-sdk/client-elasticache';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import type { AwsContext } from './clients.js';
import { describeSubnetGroup, networkOfClusters } from './cache-network.js';
import { awsErrorName, explainAwsError } from './errors.js';
import { memberClusters } from './replication-groups.js';
import { shapeOfGroup } from './topology.js';
import type { ExistingGroup } from '../plan/differences.js';
import { TAG_ALLOW_FROM } from '../plan/requests.js';
import { TOOL_TAG_KEY, TOOL_TAG_VALUE } from '../plan/rules.js';

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
