/**
 * create-cluster --serverless, from a resolved plan on: an existing cache with the same
 * settings is reported (and waited for); otherwise AWS-side checks (subnets' VPC, security
 * groups, a replication group already holding the name), the review, launch, wait →
 * Topology. Nothing is created before the review has been accepted.
 */
import type { ServerlessCache } from '@aws-sdk/client-elasticache';
import type { AwsContext } from '../aws/clients.js';
import { NotFoundError, UsageError } from '../errors.js';
import type { ApiRequest } from '../plan/requests.js';
import {
  formatServerlessDifferences,
  serverlessDifferences,
  type ExistingServerless,
} from '../plan/serverless-differences.js';
import type { ServerlessPlan } from '../plan/serverless-plan.js';
import { serverlessToRequests, type ServerlessNetwork } from '../plan/serverless-requests.js';
import type { Topology } from '../topology.js';
import type { CreateResult } from './create-cluster.js';
import type { ProgressEvents } from './events.js';

export interface CreateServerlessRequest {
  plan: ServerlessPlan;
  dryRun: boolean;
  wait: boolean;
  /** Shows the review and resolves once it is accepted (throws to decline). */
  review?: (plan: ServerlessPlan, network: ServerlessNetwork, region: string) => Promise<void>;
}

export async function createServerless(
  aws: AwsContext,
  request: CreateServerlessRequest,
  events: ProgressEvents,
): Promise<CreateResult> {
  const { plan } = request;
  const existing = await checkExisting(aws, plan, request, events);
  if (existing) return existing;

  await refuseNameOfReplicationGroup(aws, plan.name);
  if (plan.userGroupId) await checkUserGroup(aws, plan.userGroupId);
  const { resolveServerlessNetwork } = await import('../aws/network.js');
  const network = await resolveServerlessNetwork(aws, plan);
  const requests = serverlessToRequests(plan, network);
  if (request.dryRun) return { kind: 'dry-run', requests };

  await request.review?.(plan, network, aws.region);
  const { describeStep, launchRequests } = await import('./create-cluster.js');
  await launchRequests(aws, requests, events, { describe: (r: ApiRequest) => describeStep(r) });
  return { ...(await finish(aws, plan, request, events, 'created')), kind: 'created' };
}

/** Same name, same settings → report (and wait); different → exit 2 naming each difference. */
async function checkExisting(
  aws: AwsContext,
  plan: ServerlessPlan,
  request: CreateServerlessRequest,
  events: ProgressEvents,
): Promise<CreateResult | undefined> {
  const { describeServerlessCacheRaw } = await import('../aws/serverless.js');
  let cache: ServerlessCache;
  try {
    cache = await describeServerlessCacheRaw(aws, plan.name);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
  const existing = await existingSettings(aws, cache);
  if (existing.status === 'deleting') {
    throw new UsageError(
      `serverless cache ${plan.name} is being deleted; wait for it (elasticache-kit wait ${plan.name} --deleted) and run again`,
    );
  }
  const found = serverlessDifferences(plan, existing);
  if (found.length > 0) throw new UsageError(formatServerlessDifferences(plan.name, found));
  events.info(
    `serverless cache ${plan.name} already exists with these settings (status: ${existing.status}); nothing to create`,
  );
  if (request.dryRun) return { kind: 'dry-run', requests: [] };
  return { ...(await finish(aws, plan, request, events, 'created')), kind: 'existing' };
}

/** ExistingServerless from the described cache (+ the tags of its security groups). */
async function existingSettings(aws: AwsContext, cache: ServerlessCache): Promise<ExistingServerless> {
  const securityGroupIds = cache.SecurityGroupIds ?? [];
  const { createdByTool, describeSecurityGroups } = await import('../aws/network.js');
  const { TAG_ALLOW_FROM } = await import('../plan/requests.js');
  const groups = securityGroupIds.length > 0 ? await describeSecurityGroups(aws, securityGroupIds, 'the cache') : [];
  const limits = cache.CacheUsageLimits;
  return {
    status: cache.Status ?? 'unknown',
    ...(cache.Engine ? { engine: cache.Engine } : {}),
    ...(cache.MajorEngineVersion ? { majorEngineVersion: cache.MajorEngineVersion } : {}),
    ...(cache.Description !== undefined ? { description: cache.Description } : {}),
    dataStorageGb: {
      ...(limits?.DataStorage?.Maximum !== undefined ? { max: limits.DataStorage.Maximum } : {}),
      ...(limits?.DataStorage?.Minimum !== undefined ? { min: limits.DataStorage.Minimum } : {}),
    },
    ecpuPerSecond: {
      ...(limits?.ECPUPerSecond?.Maximum !== undefined ? { max: limits.ECPUPerSecond.Maximum } : {}),
      ...(limits?.ECPUPerSecond?.Minimum !== undefined ? { min: limits.ECPUPerSecond.Minimum } : {}),
    },
    ...(cache.UserGroupId ? { userGroupId: cache.UserGroupId } : {}),
    subnetIds: cache.SubnetIds ?? [],
    securityGroupIds,
    allowFromSources: groups
      .filter((group) => createdByTool(group.tags) && group.tags[TAG_ALLOW_FROM])
      .map((group) => group.tags[TAG_ALLOW_FROM]!),
  };
}

/** Commands find an id as a replication group first: a serverless cache of the same name would be unreachable. */
async function refuseNameOfReplicationGroup(aws: AwsContext, name: string): Promise<void> {
  const { describeReplicationGroup } = await import('../aws/topology.js');
  try {
    await describeReplicationGroup(aws, name);
  } catch (error) {
    if (error instanceof NotFoundError) return;
    throw error;
  }
  throw new UsageError(
    `${name} is already the id of a (node-based) replication group in ${aws.region}; choose another name for the serverless cache`,
  );
}

async function checkUserGroup(aws: AwsContext, userGroupId: string): Promise<void> {
  const { userGroupUserNames } = await import('../aws/serverless.js');
  try {
    await userGroupUserNames(aws, userGroupId);
  } catch (error) {
    if (error instanceof NotFoundError)
      throw new UsageError(
        `--user-group ${userGroupId} does not exist in ${aws.region}; create it first (aws elasticache create-user-group) or leave --user-group out`,
      );
    throw error;
  }
}

async function finish(
  aws: AwsContext,
  plan: ServerlessPlan,
  request: CreateServerlessRequest,
  events: ProgressEvents,
  doing: string,
): Promise<{ topology: Topology; waited: boolean }> {
  const name = plan.name;
  if (request.wait)
    await events.waitFor(aws, name, {
      until: 'available',
      timeoutMinutes: plan.waitTimeoutMinutes,
      doing,
      kind: 'serverless',
    });
  else events.info(`not waiting (--no-wait); to wait later: ${events.resumeCommand(name, 'available')}`);
  const { discoverServerlessTopology } = await import('../aws/serverless.js');
  return { topology: await discoverServerlessTopology(aws, name), waited: request.wait };
}
