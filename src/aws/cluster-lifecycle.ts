/**
 * Create and delete a replication group without any UI, for other commands (demo, bench
 * drills): the same plan → network → requests → launch → wait path as create-cluster,
 * and the same delete → wait → remove-what-the-tool-made path as delete-cluster.
 *
 *   const { plan } = resolvePlan({ id: 'demo', replicas: 2, allowFrom: '10.0.0.0/16' });
 *   const topology = await createFromPlan(aws, plan);
 *   …
 *   await deleteWithNetwork(aws, 'demo');
 */
import type { AwsContext } from './clients.js';
import { listEngineVersions } from './engine-versions.js';
import { launch } from './launch.js';
import { memberClusters, deleteReplicationGroup } from './replication-groups.js';
import { networkOfClusters, removeToolNetwork, resolveNetwork, type CleanupReport } from './network.js';
import { describeReplicationGroup, discoverTopology } from './topology.js';
import { waitForReplicationGroup } from './wait.js';
import { chooseEngineVersion, checkVersionFeatures } from '../plan/engine-versions.js';
import { planToRequests, type ApiRequest } from '../plan/requests.js';
import type { ClusterPlan } from '../plan/cluster-plan.js';
import type { Topology } from '../topology.js';

export interface LifecycleOptions {
  /** Each request as it is sent (create) — for progress lines. */
  onStep?: (request: ApiRequest) => void;
  /** Each polled status while waiting. */
  onStatus?: (status: string, elapsedMs: number) => void;
  timeoutMs?: number;
  pollMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60 * 60_000;

/** Checks the plan against AWS, creates the network and the group, waits until available. */
export async function createFromPlan(aws: AwsContext, plan: ClusterPlan, options: LifecycleOptions = {}): Promise<Topology> {
  const resolved: ClusterPlan = { ...plan };
  resolved.engineVersion = chooseEngineVersion(plan.engine, await listEngineVersions(aws, plan.engine), plan.engineVersion);
  checkVersionFeatures(resolved.engine, resolved.engineVersion, resolved);
  const network = await resolveNetwork(aws, resolved);
  await launch(aws, planToRequests(resolved, network), {
    ...(plan.authToken ? { authToken: plan.authToken.value } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
  });
  await waitForReplicationGroup(aws, plan.replicationGroupId, {
    until: 'available',
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.onStatus ? { onStatus: options.onStatus } : {}),
  });
  return discoverTopology(aws, plan.replicationGroupId);
}

/** Deletes the group, waits until it is gone, then removes the network the tool made for it (unless kept). */
export async function deleteWithNetwork(
  aws: AwsContext,
  replicationGroupId: string,
  options: LifecycleOptions & { keepNetwork?: boolean } = {},
): Promise<CleanupReport> {
  const group = await describeReplicationGroup(aws, replicationGroupId);
  const network = networkOfClusters(await memberClusters(aws, group));
  const wait = (until: 'available' | 'deleted') =>
    waitForReplicationGroup(aws, replicationGroupId, {
      until,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
      ...(options.onStatus ? { onStatus: options.onStatus } : {}),
    });
  if (group.Status !== 'deleting') {
    if (group.Status && ['creating', 'modifying', 'snapshotting'].includes(group.Status)) await wait('available');
    await deleteReplicationGroup(aws, replicationGroupId);
  }
  await wait('deleted');
  if (options.keepNetwork) return { removed: [], kept: [] };
  return removeToolNetwork(aws, replicationGroupId, network);
}
