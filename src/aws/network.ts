/**
 * The network around a replication group: the VPC (default unless --vpc), the cache
 * subnet group (named, or made from --subnets / the VPC's subnets), and the security
 * group (given, or one the tool makes that opens only the cache port to one source).
 * Resolution is read-only; creation happens in launch.ts from the planned requests.
 * Teardown removes only what the tool created (by tag) and nothing else still uses.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  type Filter,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { DeleteCacheSubnetGroupCommand, type CacheCluster } from '@aws-sdk/client-elasticache';
import type { AwsContext } from './clients.js';
import { describeSubnetGroup, elasticacheTags, listCacheClusters, type GroupNetwork } from './cache-network.js';
import { awsErrorName, explainAwsError, isCacheSubnetGroupNotFound } from './errors.js';
import { UsageError, messageOf } from '../errors.js';
import type { ClusterPlan, NetworkAccess } from '../plan/cluster-plan.js';
import { SERVERLESS_PORTS } from '../plan/serverless-plan.js';
import type { ServerlessNetwork } from '../plan/serverless-requests.js';
import { TOOL_TAG_KEY, TOOL_TAG_VALUE, describeSource, type AccessSource } from '../plan/rules.js';
import {
  TAG_ALLOW_FROM,
  TAG_PORT,
  TAG_REPLICATION_GROUP,
  TAG_SERVERLESS_CACHE,
  portLabel,
  securityGroupNameFor,
  subnetGroupNameFor,
  type ResolvedNetwork,
  type SecurityGroupStep,
  type SubnetGroupStep,
} from '../plan/requests.js';

// EC2 error codes: awsErrorName; ElastiCache's typed faults: the is… checks (aws/errors.ts).
const nameOf = awsErrorName;

// ---- VPCs and subnets ------------------------------------------------------------------

export async function findDefaultVpc(aws: AwsContext): Promise<string | undefined> {
  try {
    const result = await aws.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
    return result.Vpcs?.find((vpc) => vpc.IsDefault !== false)?.VpcId;
  } catch (error) {
    throw explainAwsError(error, 'ec2:DescribeVpcs');
  }
}

async function checkVpcExists(aws: AwsContext, vpcId: string): Promise<void> {
  try {
    const result = await aws.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    if ((result.Vpcs ?? []).length > 0) return;
  } catch (error) {
    if (nameOf(error) !== 'InvalidVpcID.NotFound') throw explainAwsError(error, 'ec2:DescribeVpcs');
  }
  throw new UsageError(
    `--vpc ${vpcId} does not exist in ${aws.region}; pass a VPC id of this region (or leave --vpc out for the default VPC)`,
  );
}

export interface SubnetInfo {
  subnetId: string;
  vpcId: string;
  availabilityZone?: string;
  defaultForAz?: boolean;
}

async function describeSubnets(
  aws: AwsContext,
  input: { SubnetIds?: string[]; Filters?: Filter[] },
  flag: string,
): Promise<SubnetInfo[]> {
  const subnets: SubnetInfo[] = [];
  try {
    for await (const page of paginateDescribeSubnets({ client: aws.ec2 }, input)) {
      for (const subnet of page.Subnets ?? []) {
        if (!subnet.SubnetId || !subnet.VpcId) continue;
        subnets.push({
          subnetId: subnet.SubnetId,
          vpcId: subnet.VpcId,
          ...(subnet.AvailabilityZone ? { availabilityZone: subnet.AvailabilityZone } : {}),
          ...(subnet.DefaultForAz !== undefined ? { defaultForAz: subnet.DefaultForAz } : {}),
        });
      }
    }
  } catch (error) {
    if (nameOf(error) === 'InvalidSubnetID.NotFound') {
      throw new UsageError(`${flag}: ${messageOf(error)} in ${aws.region}; pass subnet ids of this region`);
    }
    throw explainAwsError(error, 'ec2:DescribeSubnets');
  }
  return subnets;
}

// ---- cache subnet groups -----------------------------------------------------------------

// ---- security groups -----------------------------------------------------------------------

export interface SecurityGroupInfo {
  groupId: string;
  groupName: string;
  vpcId: string;
  tags: Record<string, string>;
}

function securityGroupInfo(group: SecurityGroup): SecurityGroupInfo {
  return {
    groupId: group.GroupId ?? '',
    groupName: group.GroupName ?? '',
    vpcId: group.VpcId ?? '',
    tags: Object.fromEntries((group.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
  };
}

export const createdByTool = (tags: Record<string, string>) => tags[TOOL_TAG_KEY] === TOOL_TAG_VALUE;

/** The groups with these ids; a missing one is a usage error naming `flag`. */
export async function describeSecurityGroups(
  aws: AwsContext,
  groupIds: string[],
  flag: string,
): Promise<SecurityGroupInfo[]> {
  try {
    const result = await aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds }));
    const found = (result.SecurityGroups ?? []).map(securityGroupInfo);
    const missing = groupIds.find((id) => !found.some((group) => group.groupId === id));
    if (missing) throw new UsageError(`${flag} ${missing} does not exist in ${aws.region}`);
    return found;
  } catch (error) {
    if (nameOf(error) === 'InvalidGroup.NotFound' || nameOf(error) === 'InvalidGroupId.Malformed') {
      throw new UsageError(`${flag}: ${messageOf(error)} in ${aws.region}; pass an existing security group id`);
    }
    throw explainAwsError(error, 'ec2:DescribeSecurityGroups');
  }
}

async function securityGroupsWhere(aws: AwsContext, filters: Filter[]): Promise<SecurityGroupInfo[]> {
  const groups: SecurityGroupInfo[] = [];
  try {
    for await (const page of paginateDescribeSecurityGroups({ client: aws.ec2 }, { Filters: filters })) {
      groups.push(...(page.SecurityGroups ?? []).map(securityGroupInfo));
    }
  } catch (error) {
    throw explainAwsError(error, 'ec2:DescribeSecurityGroups');
  }
  return groups;
}

/** A security group this tool made before for the same VPC, source and port: reused instead of a duplicate. */
export async function findToolSecurityGroup(
  aws: AwsContext,
  vpcId: string,
  source: AccessSource,
  port: number,
  toPort: number = port,
): Promise<SecurityGroupInfo | undefined> {
  const wanted = describeSource(source);
  const ports = portLabel(port, toPort);
  const candidates = await securityGroupsWhere(aws, [
    { Name: 'vpc-id', Values: [vpcId] },
    { Name: `tag:${TOOL_TAG_KEY}`, Values: [TOOL_TAG_VALUE] },
    { Name: `tag:${TAG_ALLOW_FROM}`, Values: [wanted] },
    { Name: `tag:${TAG_PORT}`, Values: [ports] },
  ]);
  // The filters do the work on AWS; checked again here so a lenient endpoint cannot mislead us.
  return candidates.find(
    (group) =>
      group.vpcId === vpcId &&
      createdByTool(group.tags) &&
      group.tags[TAG_ALLOW_FROM] === wanted &&
      group.tags[TAG_PORT] === ports,
  );
}

/**
 * The tool-made security group named `name` in `vpcId`: what a create-cluster running at the
 * same time made a moment ago (CreateSecurityGroup answered InvalidGroup.Duplicate).
 */
export async function findToolSecurityGroupByName(
  aws: AwsContext,
  vpcId: string,
  name: string,
): Promise<SecurityGroupInfo | undefined> {
  const candidates = await securityGroupsWhere(aws, [
    { Name: 'vpc-id', Values: [vpcId] },
    { Name: 'group-name', Values: [name] },
  ]);
  return candidates.find((group) => group.vpcId === vpcId && group.groupName === name && createdByTool(group.tags));
}

// ---- resolution: the plan's network choices against what exists ------------------------

/** Read-only: where the group will go and what must be created. Missing resources are usage errors (exit 2). */
export async function resolveNetwork(aws: AwsContext, plan: ClusterPlan): Promise<ResolvedNetwork> {
  if (plan.vpcId) await checkVpcExists(aws, plan.vpcId);
  const { vpcId, vpcIsDefault, subnetGroup } = await resolveSubnetGroup(aws, plan);
  const securityGroups = await resolveSecurityGroups(aws, plan.access, vpcId, plan.port);
  return { vpcId, vpcIsDefault, subnetGroup, securityGroups };
}

/**
 * A serverless cache's network, read-only: the VPC of --subnets (or the default VPC, whose
 * subnets AWS then picks), and the security group opening both of its ports to the source.
 */
export async function resolveServerlessNetwork(
  aws: AwsContext,
  plan: { subnetIds?: string[]; access: NetworkAccess },
): Promise<ServerlessNetwork> {
  const defaultVpc = await findDefaultVpc(aws);
  let vpcId: string;
  if (plan.subnetIds) vpcId = await vpcOfSubnets(aws, plan.subnetIds);
  else if (defaultVpc) vpcId = defaultVpc;
  else throw new UsageError(`${aws.region} has no default VPC: pass --subnets (subnets of the VPC for the cache)`);
  const { endpoint, reader } = SERVERLESS_PORTS;
  const securityGroups = await resolveSecurityGroups(aws, plan.access, vpcId, endpoint, reader);
  return {
    vpcId,
    vpcIsDefault: vpcId === defaultVpc,
    ...(plan.subnetIds ? { subnetIds: [...plan.subnetIds] } : {}),
    securityGroups,
  };
}

/** The one VPC that --subnets are all in (each must exist). */
async function vpcOfSubnets(aws: AwsContext, subnetIds: string[], vpcFlag?: string): Promise<string> {
  const subnets = await describeSubnets(aws, { SubnetIds: subnetIds }, '--subnets');
  const missing = subnetIds.find((id) => !subnets.some((s) => s.subnetId === id));
  if (missing) throw new UsageError(`--subnets: subnet ${missing} does not exist in ${aws.region}`);
  const vpcs = [...new Set(subnets.map((s) => s.vpcId))];
  if (vpcs.length > 1) throw new UsageError(`--subnets must all be in one VPC (got subnets of ${vpcs.join(' and ')})`);
  const vpcId = vpcs[0]!;
  if (vpcFlag && vpcId !== vpcFlag) throw new UsageError(`--subnets are in ${vpcId}, not in --vpc ${vpcFlag}`);
  return vpcId;
}

async function resolveSubnetGroup(
  aws: AwsContext,
  plan: ClusterPlan,
): Promise<{ vpcId: string; vpcIsDefault: boolean; subnetGroup: SubnetGroupStep }> {
  const defaultVpc = await findDefaultVpc(aws);
  if (plan.subnetGroupName) {
    const existing = await describeSubnetGroup(aws, plan.subnetGroupName);
    if (!existing) {
      throw new UsageError(
        `--subnet-group ${plan.subnetGroupName} does not exist in ${aws.region}; name an existing cache subnet group, or pass --subnets to create one`,
      );
    }
    if (plan.vpcId && existing.vpcId !== plan.vpcId) {
      throw new UsageError(`--subnet-group ${existing.name} is in ${existing.vpcId}, not in --vpc ${plan.vpcId}`);
    }
    return {
      vpcId: existing.vpcId,
      vpcIsDefault: existing.vpcId === defaultVpc,
      subnetGroup: { action: 'reuse', name: existing.name, vpcId: existing.vpcId, subnetIds: existing.subnetIds },
    };
  }

  let vpcId: string;
  let subnetIds: string[];
  let allOfVpc: boolean;
  if (plan.subnetIds) {
    vpcId = await vpcOfSubnets(aws, plan.subnetIds, plan.vpcId);
    subnetIds = [...plan.subnetIds];
    allOfVpc = false;
  } else {
    const chosen = plan.vpcId ?? defaultVpc;
    if (!chosen) {
      throw new UsageError(`${aws.region} has no default VPC: pass --vpc with --subnets, or --subnet-group`);
    }
    vpcId = chosen;
    const subnets = await describeSubnets(aws, { Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }, '--vpc');
    const inVpc = subnets.filter((s) => s.vpcId === vpcId);
    if (inVpc.length === 0) throw new UsageError(`--vpc ${vpcId} has no subnets; pass --subnets or --subnet-group`);
    subnetIds = inVpc.map((s) => s.subnetId).sort();
    allOfVpc = true;
  }
  const name = subnetGroupNameFor(vpcId, subnetIds, allOfVpc);
  const existing = await describeSubnetGroup(aws, name);
  if (existing) {
    if (existing.vpcId !== vpcId)
      throw new UsageError(
        `cache subnet group ${name} exists in ${existing.vpcId}, not in ${vpcId}; pass --subnet-group`,
      );
    return {
      vpcId,
      vpcIsDefault: vpcId === defaultVpc,
      subnetGroup: { action: 'reuse', name, vpcId, subnetIds: existing.subnetIds },
    };
  }
  return { vpcId, vpcIsDefault: vpcId === defaultVpc, subnetGroup: { action: 'create', name, vpcId, subnetIds } };
}

async function resolveSecurityGroups(
  aws: AwsContext,
  access: NetworkAccess,
  vpcId: string,
  port: number,
  toPort: number = port,
): Promise<SecurityGroupStep[]> {
  if (access.kind === 'missing') {
    throw new UsageError('missing the network source: pass --allow-from <sg-id|CIDR> or --security-group <sg-id>');
  }
  if (access.kind === 'security-groups') {
    const groups = await describeSecurityGroups(aws, access.groupIds, '--security-group');
    return access.groupIds.map((id) => {
      const group = groups.find((g) => g.groupId === id)!;
      if (group.vpcId !== vpcId)
        throw new UsageError(`--security-group ${id} is in ${group.vpcId}, but the cache subnets are in ${vpcId}`);
      return { action: 'reuse', groupId: id, vpcId, createdByTool: createdByTool(group.tags) };
    });
  }
  if (access.source.kind === 'security-group') {
    await describeSecurityGroups(aws, [access.source.groupId], '--allow-from');
  }
  const reusable = await findToolSecurityGroup(aws, vpcId, access.source, port, toPort);
  if (reusable) return [{ action: 'reuse', groupId: reusable.groupId, vpcId, createdByTool: true }];
  return [
    {
      action: 'create',
      name: securityGroupNameFor(port, access.source, toPort),
      vpcId,
      source: access.source,
      port,
      ...(toPort !== port ? { toPort } : {}),
    },
  ];
}

// ---- teardown --------------------------------------------------------------------------

export interface CleanupReport {
  removed: string[];
  kept: string[];
}

/** How long to retry a delete that AWS refuses while the group's network interfaces go away. */
const dependencyRetryDelays = (aws: AwsContext) => (aws.local ? [200, 500] : [10_000, 20_000, 30_000, 60_000]);

/**
 * After the group is gone: removes the security groups and subnet group it used (or that
 * were tagged for it) when the tool created them and no other cache cluster uses them.
 */
export async function removeToolNetwork(
  aws: AwsContext,
  replicationGroupId: string,
  used: GroupNetwork,
  /** The tag naming what the network was made for: a replication group's or a serverless cache's. */
  tagKey: string = TAG_REPLICATION_GROUP,
): Promise<CleanupReport> {
  const report: CleanupReport = { removed: [], kept: [] };
  const isServerless = tagKey === TAG_SERVERLESS_CACHE;
  const clusters = (await listCacheClusters(aws)).filter(
    (c) => isServerless || c.ReplicationGroupId !== replicationGroupId,
  );
  // Serverless caches use security groups too (and may reuse one the tool made earlier).
  const { listServerlessCaches } = await import('./serverless.js');
  const serverless = (await listServerlessCaches(aws, { tolerateUnsupported: true })).filter(
    (c) => !isServerless || c.ServerlessCacheName !== replicationGroupId,
  );
  const stillUsing = (match: (c: CacheCluster) => boolean) =>
    clusters.find(match)?.ReplicationGroupId ?? clusters.find(match)?.CacheClusterId;
  const serverlessUsing = (groupId: string) =>
    serverless.find((c) => (c.SecurityGroupIds ?? []).includes(groupId))?.ServerlessCacheName;

  const taggedForGroup = await securityGroupsWhere(aws, [
    { Name: `tag:${TOOL_TAG_KEY}`, Values: [TOOL_TAG_VALUE] },
    { Name: `tag:${tagKey}`, Values: [replicationGroupId] },
  ]);
  const candidateIds = [
    ...new Set([
      ...used.securityGroupIds,
      ...taggedForGroup.filter((g) => g.tags[tagKey] === replicationGroupId).map((g) => g.groupId),
    ]),
  ];
  const groups = candidateIds.length > 0 ? await describeExisting(aws, candidateIds) : [];
  for (const group of groups) {
    const label = `security group ${group.groupId} (${group.groupName})`;
    if (!createdByTool(group.tags)) {
      report.kept.push(`${label}: not created by elasticache-kit`);
      continue;
    }
    const user =
      stillUsing((c) => (c.SecurityGroups ?? []).some((g) => g.SecurityGroupId === group.groupId)) ??
      serverlessUsing(group.groupId);
    if (user) {
      report.kept.push(`${label}: still used by ${user}`);
      continue;
    }
    const outcome = await deleteWithRetry(
      aws,
      () => aws.ec2.send(new DeleteSecurityGroupCommand({ GroupId: group.groupId })),
      'DependencyViolation',
      'ec2:DeleteSecurityGroup',
    );
    (outcome === 'deleted' ? report.removed : report.kept).push(outcome === 'deleted' ? label : `${label}: ${outcome}`);
  }

  if (used.subnetGroupName && used.subnetGroupName !== 'default') {
    const subnetGroup = await describeSubnetGroup(aws, used.subnetGroupName);
    const label = `cache subnet group ${used.subnetGroupName}`;
    if (!subnetGroup) return report;
    const tags = subnetGroup.arn ? await elasticacheTags(aws, subnetGroup.arn) : {};
    const user = stillUsing((c) => c.CacheSubnetGroupName === subnetGroup.name);
    if (!createdByTool(tags)) report.kept.push(`${label}: not created by elasticache-kit`);
    else if (user) report.kept.push(`${label}: still used by ${user}`);
    else {
      const outcome = await deleteWithRetry(
        aws,
        () => aws.elasticache.send(new DeleteCacheSubnetGroupCommand({ CacheSubnetGroupName: subnetGroup.name })),
        'CacheSubnetGroupInUse',
        'elasticache:DeleteCacheSubnetGroup',
      );
      (outcome === 'deleted' ? report.removed : report.kept).push(
        outcome === 'deleted' ? label : `${label}: ${outcome}`,
      );
    }
  }
  return report;
}

/** Like describeSecurityGroups, but ids that no longer exist are simply skipped. */
async function describeExisting(aws: AwsContext, ids: string[]): Promise<SecurityGroupInfo[]> {
  const found: SecurityGroupInfo[] = [];
  for (const id of ids) {
    try {
      const result = await aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }));
      found.push(...(result.SecurityGroups ?? []).map(securityGroupInfo));
    } catch (error) {
      if (nameOf(error) !== 'InvalidGroup.NotFound') throw explainAwsError(error, 'ec2:DescribeSecurityGroups');
    }
  }
  return found;
}

async function deleteWithRetry(
  aws: AwsContext,
  remove: () => Promise<unknown>,
  inUseError: string,
  action: string,
): Promise<string> {
  const delays = dependencyRetryDelays(aws);
  for (let attempt = 0; ; attempt++) {
    try {
      await remove();
      return 'deleted';
    } catch (error) {
      const name = nameOf(error);
      if (name === 'InvalidGroup.NotFound' || isCacheSubnetGroupNotFound(error)) return 'deleted';
      if (name !== inUseError) throw explainAwsError(error, action);
      const delay = delays[attempt];
      if (delay === undefined) return `still in use (${name}); remove it later`;
      await sleep(delay);
    }
  }
}

export type CreatedResource = { kind: 'security-group'; groupId: string } | { kind: 'subnet-group'; name: string };

/** Undo for a failed launch: removes what this run created, newest first; returns what could not be removed. */
export async function removeCreated(
  aws: AwsContext,
  created: readonly CreatedResource[],
): Promise<{ removed: string[]; failed: string[] }> {
  const removed: string[] = [];
  const failed: string[] = [];
  for (const resource of [...created].reverse()) {
    const label =
      resource.kind === 'security-group' ? `security group ${resource.groupId}` : `cache subnet group ${resource.name}`;
    try {
      if (resource.kind === 'security-group')
        await aws.ec2.send(new DeleteSecurityGroupCommand({ GroupId: resource.groupId }));
      else await aws.elasticache.send(new DeleteCacheSubnetGroupCommand({ CacheSubnetGroupName: resource.name }));
      removed.push(label);
    } catch (error) {
      failed.push(`${label} (${nameOf(error) || messageOf(error)})`);
    }
  }
  return { removed, failed };
}
