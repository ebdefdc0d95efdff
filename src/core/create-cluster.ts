/**
 * create-cluster, from a resolved plan on: an existing group with the same settings is
 * reported (and waited for); otherwise AWS-side checks (engine version, VPC, subnets,
 * security groups), the review, launch, wait → Topology. Nothing is created before the
 * review has been accepted.
 */
import type { AwsContext } from '../aws/clients.js';
import type { CreatedResource } from '../aws/network.js';
import { UsageError } from '../errors.js';
import { onInterrupt } from '../interrupt.js';
import { countNodes, type ClusterPlan } from '../plan/cluster-plan.js';
import { differences, formatDifferences } from '../plan/differences.js';
import { chooseEngineVersion, checkVersionFeatures, sortVersions } from '../plan/engine-versions.js';
import { planToRequests, type ApiRequest, type ResolvedNetwork } from '../plan/requests.js';
import type { Topology } from '../topology.js';
import type { ProgressEvents } from './events.js';

export interface CreateRequest {
  plan: ClusterPlan;
  /** Print the requests instead of sending them. */
  dryRun: boolean;
  wait: boolean;
  /**
   * Shows the review and resolves once it is accepted (throws to decline). The command
   * layer prints the plan and asks; headless callers pass nothing.
   */
  review?: (plan: ClusterPlan, network: ResolvedNetwork, region: string) => Promise<void>;
  /** The engine versions AWS offers (the command layer shares its cache with the prompts). */
  engineVersions?: (engine: string) => Promise<string[]>;
}

export interface CreatedGroup {
  /** 'existing': the group was there already with the same settings. */
  kind: 'existing' | 'created';
  topology: Topology;
  waited: boolean;
  /**
   * The group became available with fewer nodes than planned (the API accepted the request
   * but did not honour NumCacheClusters): not a success, though the group is there.
   */
  shortfall?: { planned: number; actual: number };
}

export type CreateResult = { kind: 'dry-run'; requests: ApiRequest[] } | CreatedGroup;

export async function createCluster(
  aws: AwsContext,
  request: CreateRequest,
  events: ProgressEvents,
): Promise<CreateResult> {
  const plan = { ...request.plan };
  const existing = await checkExisting(aws, plan, request, events);
  if (existing) return existing;

  // AWS-side checks, still changing nothing: engine version, VPC, subnets, security groups.
  const engineVersions =
    request.engineVersions ??
    (async (engine: string) => {
      const { listEngineVersions } = await import('../aws/engine-versions.js');
      return sortVersions(await listEngineVersions(aws, engine, (message) => events.warn(message)));
    });
  plan.engineVersion = chooseEngineVersion(plan.engine, await engineVersions(plan.engine), plan.engineVersion);
  checkVersionFeatures(plan.engine, plan.engineVersion, plan);
  const { resolveNetwork } = await import('../aws/network.js');
  const network = await resolveNetwork(aws, plan);
  const requests = planToRequests(plan, network);
  if (request.dryRun) return { kind: 'dry-run', requests };

  await request.review?.(plan, network, aws.region);
  await launchPlan(aws, plan, requests, events);
  return finish(aws, plan, request, events, 'created');
}

/** The group may exist already: same settings → report and wait; different → exit 2. */
async function checkExisting(
  aws: AwsContext,
  plan: ClusterPlan,
  request: CreateRequest,
  events: ProgressEvents,
): Promise<CreateResult | undefined> {
  const { describeReplicationGroup } = await import('../aws/topology.js');
  const { NotFoundError } = await import('../errors.js');
  let group;
  try {
    group = await describeReplicationGroup(aws, plan.replicationGroupId);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
  const { existingGroupSettings } = await import('../aws/existing-group.js');
  const existing = await existingGroupSettings(aws, group);
  if (existing.status === 'deleting') {
    throw new UsageError(
      `replication group ${plan.replicationGroupId} is being deleted; wait for it (elasticache-kit wait ${plan.replicationGroupId} --deleted) and run again`,
    );
  }
  const found = differences(plan, existing);
  if (found.length > 0) throw new UsageError(formatDifferences(plan.replicationGroupId, found));
  const same = `replication group ${plan.replicationGroupId} already exists with these settings (status: ${existing.status}); nothing to create`;
  if (request.dryRun) {
    events.info(same);
    return { kind: 'dry-run', requests: [] };
  }
  events.info(same);
  const result = await finish(aws, plan, request, events, 'created');
  return { ...result, kind: 'existing' };
}

async function launchPlan(
  aws: AwsContext,
  plan: ClusterPlan,
  requests: ApiRequest[],
  events: ProgressEvents,
): Promise<void> {
  await launchRequests(aws, requests, events, {
    ...(plan.authToken ? { authToken: plan.authToken.value } : {}),
    describe: (request) => describeStep(request, plan),
    isOwnGroup: async (soFar) => {
      const { whyNotThisRunsGroup } = await import('../aws/retried-create.js');
      const why = await whyNotThisRunsGroup(aws, plan, soFar);
      if (why === undefined) {
        events.warn(
          `CreateReplicationGroup was retried after its answer was lost, and ${plan.replicationGroupId} exists as this run asked: carrying on with it`,
        );
        return true;
      }
      events.warn(`replication group ${plan.replicationGroupId} already exists, but not as this run asked: ${why}`);
      return false;
    },
  });
}

/**
 * Sends the planned requests with progress lines. A failure removes what this run created
 * (launch.ts); Ctrl-C before the cache itself is requested takes the network back too.
 * Shared by node-based groups and serverless caches.
 */
export async function launchRequests(
  aws: AwsContext,
  requests: ApiRequest[],
  events: ProgressEvents,
  options: {
    authToken?: string;
    describe: (request: ApiRequest) => string;
    /** A retried create met AlreadyExists: is that group this run's? (launch.ts) */
    isOwnGroup?: (created: readonly CreatedResource[]) => Promise<boolean>;
  },
): Promise<void> {
  const { launch } = await import('../aws/launch.js');
  const { removeCreated } = await import('../aws/network.js');
  const created: CreatedResource[] = [];
  let cacheRequested = false;
  // Ctrl-C between creating the network and requesting the cache: take the network back.
  const stopListening = onInterrupt(async () => {
    if (cacheRequested || created.length === 0) return;
    const undo = await removeCreated(aws, created);
    if (undo.removed.length > 0)
      events.info(`interrupted: removed what this run had created: ${undo.removed.join(', ')}`);
  });
  try {
    await launch(aws, requests, {
      ...(options.authToken !== undefined ? { authToken: options.authToken } : {}),
      created,
      ...(options.isOwnGroup ? { isOwnGroup: options.isOwnGroup } : {}),
      onStep: (request) => {
        if (request.action === 'CreateReplicationGroup' || request.action === 'CreateServerlessCache')
          cacheRequested = true;
        events.info(options.describe(request));
      },
    });
  } finally {
    stopListening();
  }
}

export function describeStep(request: ApiRequest, plan?: ClusterPlan): string {
  const input = request.input as Record<string, unknown>;
  switch (request.action) {
    case 'CreateCacheSubnetGroup':
      return `creating cache subnet group ${String(input.CacheSubnetGroupName)}`;
    case 'CreateSecurityGroup':
      return `creating security group ${String(input.GroupName)}`;
    case 'AuthorizeSecurityGroupIngress':
      return 'opening the cache port to the source';
    case 'CreateReplicationGroup': {
      // The node count from the plan, not from the request's wire fields.
      return `requesting replication group ${String(input.ReplicationGroupId)}${plan ? ` (${countNodes(plan)})` : ''}`;
    }
    case 'CreateServerlessCache':
      return `requesting serverless cache ${String(input.ServerlessCacheName)}`;
  }
}

/** Waits (unless not asked to) and reads the Topology, as `endpoints` would. */
async function finish(
  aws: AwsContext,
  plan: ClusterPlan,
  request: CreateRequest,
  events: ProgressEvents,
  doing: string,
): Promise<CreatedGroup> {
  const id = plan.replicationGroupId;
  if (request.wait)
    await events.waitFor(aws, id, { until: 'available', timeoutMinutes: plan.waitTimeoutMinutes, doing });
  else events.info(`not waiting (--no-wait); to wait later: ${events.resumeCommand(id, 'available')}`);
  const { discoverTopology } = await import('../aws/topology.js');
  const topology = await discoverTopology(aws, id);
  const planned = plan.replicas + 1;
  const shortfall =
    request.wait && topology.kind === 'replication-group' && topology.nodes.length < planned
      ? { planned, actual: topology.nodes.length }
      : undefined;
  return { kind: 'created', topology, waited: request.wait, ...(shortfall ? { shortfall } : {}) };
}
