/**
 * ClusterPlan (+ the network choices resolved against AWS) → the exact API requests, in
 * order. `--dry-run` prints these; the launcher sends these same objects, so what the
 * dry run shows is what a real run does. Secrets never appear in them: the AUTH token is
 * a placeholder that the launcher fills in at send time. Pure.
 */
import { createHash } from 'node:crypto';
import type { ClusterPlan } from './cluster-plan.js';
import { clusterParameterGroup, takesClusterModeParameter } from './engine-versions.js';
import { TOOL_TAG_KEY, TOOL_TAG_PREFIX, TOOL_TAG_VALUE, describeSource, type AccessSource, type Tag } from './rules.js';

/** Tag keys on what the tool creates, read back by teardown and reuse. */
export const TAG_REPLICATION_GROUP = `${TOOL_TAG_PREFIX}replication-group`;
export const TAG_ALLOW_FROM = `${TOOL_TAG_PREFIX}allow-from`;
export const TAG_PORT = `${TOOL_TAG_PREFIX}port`;
export const TAG_VPC = `${TOOL_TAG_PREFIX}vpc`;
/** On what the tool creates for a serverless cache: its name. */
export const TAG_SERVERLESS_CACHE = `${TOOL_TAG_PREFIX}serverless-cache`;

/** Stands for the id of the security group created earlier in the same run. */
export const CREATED_SECURITY_GROUP_ID = '${CreateSecurityGroup.GroupId}';
/** Stands for the AUTH token, which is never printed. */
export const AUTH_TOKEN_PLACEHOLDER = '${AuthToken}';

export type SubnetGroupStep =
  | { action: 'reuse'; name: string; vpcId: string; subnetIds: string[] }
  | { action: 'create'; name: string; vpcId: string; subnetIds: string[] };

export type SecurityGroupStep =
  | { action: 'reuse'; groupId: string; vpcId: string; createdByTool: boolean }
  | { action: 'create'; name: string; vpcId: string; source: AccessSource; port: number; toPort?: number };

/** `6379`, or `6379-6380` for a range (a serverless cache's endpoint and reader ports): names and tags. */
export function portLabel(port: number, toPort: number = port): string {
  return toPort === port ? String(port) : `${port}-${toPort}`;
}

/** Where the group goes, as the AWS step resolved it. */
export interface ResolvedNetwork {
  vpcId: string;
  vpcIsDefault: boolean;
  subnetGroup: SubnetGroupStep;
  securityGroups: SecurityGroupStep[];
}

export type ApiService = 'elasticache' | 'ec2';

export interface ApiRequest {
  service: ApiService;
  action:
    | 'CreateCacheSubnetGroup'
    | 'CreateSecurityGroup'
    | 'AuthorizeSecurityGroupIngress'
    | 'CreateReplicationGroup'
    | 'CreateServerlessCache';
  input: Record<string, unknown>;
}

export function toolTags(replicationGroupId: string): Tag[] {
  return [
    { Key: TOOL_TAG_KEY, Value: TOOL_TAG_VALUE },
    { Key: TAG_REPLICATION_GROUP, Value: replicationGroupId },
  ];
}

/** Deterministic, so a second run finds the subnet group the first one made. */
export function subnetGroupNameFor(vpcId: string, subnetIds: readonly string[], allOfVpc: boolean): string {
  if (allOfVpc) return `elasticache-kit-${vpcId}`;
  const digest = createHash('sha256')
    .update([...subnetIds].sort().join(','))
    .digest('hex')
    .slice(0, 10);
  return `elasticache-kit-${vpcId}-${digest}`;
}

/** Readable and unique per VPC for a port and source (EC2 allows / and . in VPC group names). */
export function securityGroupNameFor(port: number, source: AccessSource, toPort: number = port): string {
  return `elasticache-kit-${portLabel(port, toPort)}-from-${describeSource(source)}`;
}

export function planToRequests(plan: ClusterPlan, network: ResolvedNetwork): ApiRequest[] {
  const requests: ApiRequest[] = [];
  const baseTags = [...toolTags(plan.replicationGroupId), ...plan.tags];

  if (network.subnetGroup.action === 'create') {
    requests.push({
      service: 'elasticache',
      action: 'CreateCacheSubnetGroup',
      input: {
        CacheSubnetGroupName: network.subnetGroup.name,
        CacheSubnetGroupDescription: subnetGroupDescription(network.subnetGroup.subnetIds, network.vpcId),
        SubnetIds: [...network.subnetGroup.subnetIds],
        Tags: [...baseTags, { Key: TAG_VPC, Value: network.vpcId }],
      },
    });
  }

  const securityGroupIds = securityGroupRequests(network.securityGroups, baseTags, requests);

  requests.push({
    service: 'elasticache',
    action: 'CreateReplicationGroup',
    input: {
      ReplicationGroupId: plan.replicationGroupId,
      ReplicationGroupDescription: plan.description,
      Engine: plan.engine,
      ...(plan.engineVersion ? { EngineVersion: plan.engineVersion } : {}),
      CacheNodeType: plan.nodeType,
      ...shapeOf(plan),
      Port: plan.port,
      AutomaticFailoverEnabled: plan.automaticFailover,
      MultiAZEnabled: plan.multiAZ,
      CacheSubnetGroupName: network.subnetGroup.name,
      SecurityGroupIds: securityGroupIds,
      TransitEncryptionEnabled: plan.transitEncryption,
      AtRestEncryptionEnabled: plan.atRestEncryption,
      ...(plan.authToken ? { AuthToken: AUTH_TOKEN_PLACEHOLDER } : {}),
      Tags: baseTags,
    },
  });
  return requests;
}

/**
 * The security groups to create (one ingress rule each, for the port or port range) and
 * the ids the cache attaches, in order; created ids are placeholders the launcher fills in.
 */
export function securityGroupRequests(
  steps: readonly SecurityGroupStep[],
  baseTags: readonly Tag[],
  requests: ApiRequest[],
): string[] {
  const securityGroupIds: string[] = [];
  for (const step of steps) {
    if (step.action === 'reuse') {
      securityGroupIds.push(step.groupId);
      continue;
    }
    const source = describeSource(step.source);
    const ports = portLabel(step.port, step.toPort);
    requests.push({
      service: 'ec2',
      action: 'CreateSecurityGroup',
      input: {
        GroupName: step.name,
        Description: `elasticache-kit: port ${ports} from ${source}`,
        VpcId: step.vpcId,
        TagSpecifications: [
          {
            ResourceType: 'security-group',
            Tags: [
              { Key: 'Name', Value: step.name },
              ...baseTags,
              { Key: TAG_ALLOW_FROM, Value: source },
              { Key: TAG_PORT, Value: ports },
              { Key: TAG_VPC, Value: step.vpcId },
            ],
          },
        ],
      },
    });
    requests.push({
      service: 'ec2',
      action: 'AuthorizeSecurityGroupIngress',
      input: { GroupId: CREATED_SECURITY_GROUP_ID, IpPermissions: [ingressRule(step.port, step.source, step.toPort)] },
    });
    securityGroupIds.push(CREATED_SECURITY_GROUP_ID);
  }
  return securityGroupIds;
}

/**
 * How many nodes, in AWS's words. Cluster mode disabled: NumCacheClusters (primary +
 * replicas). Otherwise NumNodeGroups x ReplicasPerNodeGroup, the family's `cluster.on`
 * default parameter group (which sets cluster-enabled yes) and, from Redis OSS 7.0 / Valkey,
 * ClusterMode.
 */
function shapeOf(plan: ClusterPlan): Record<string, unknown> {
  if (plan.clusterMode === 'disabled') {
    return {
      NumCacheClusters: plan.replicas + 1,
      ...(plan.explicit.has('clusterMode') ? { ClusterMode: 'disabled' } : {}),
    };
  }
  return {
    ...(plan.engineVersion ? { CacheParameterGroupName: clusterParameterGroup(plan.engine, plan.engineVersion) } : {}),
    ...(takesClusterModeParameter(plan.engine, plan.engineVersion) ? { ClusterMode: plan.clusterMode } : {}),
    NumNodeGroups: plan.shards,
    ReplicasPerNodeGroup: plan.replicas,
  };
}

/** AWS caps the description at 255 characters: list the subnets while they fit. */
export function subnetGroupDescription(subnetIds: readonly string[], vpcId: string): string {
  const listed = `elasticache-kit: subnets ${subnetIds.join(', ')} of ${vpcId}`;
  return listed.length <= 255 ? listed : `elasticache-kit: ${subnetIds.length} subnets of ${vpcId}`;
}

export function ingressRule(port: number, source: AccessSource, toPort: number = port): Record<string, unknown> {
  const description = `elasticache-kit: cache port${toPort === port ? '' : 's'} from ${describeSource(source)}`;
  return {
    IpProtocol: 'tcp',
    FromPort: port,
    ToPort: toPort,
    ...(source.kind === 'security-group'
      ? { UserIdGroupPairs: [{ GroupId: source.groupId, Description: description }] }
      : {}),
    ...(source.kind === 'cidr' && !source.ipv6
      ? { IpRanges: [{ CidrIp: source.cidr, Description: description }] }
      : {}),
    ...(source.kind === 'cidr' && source.ipv6
      ? { Ipv6Ranges: [{ CidrIpv6: source.cidr, Description: description }] }
      : {}),
  };
}
