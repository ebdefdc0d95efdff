/** delete-cluster: confirm, delete, wait until gone, then remove the network the tool made for the group. */
import type { AwsContext } from '../aws/clients.js';
import type { GroupNetwork } from '../aws/cache-network.js';
import type { TopologyKind } from '../topology.js';
import { UsageError } from '../errors.js';
import type { ProgressEvents } from './events.js';

/** AWS refuses to delete a group in these states: wait until it is available first. */
const BUSY = new Set(['creating', 'modifying', 'snapshotting']);

export interface DeleteRequest {
  replicationGroupId: string;
  yes: boolean;
  keepNetwork: boolean;
  wait: boolean;
  timeoutMinutes: number;
}

export interface DeleteResult {
  replicationGroupId: string;
  /** 'deleting' when not waited for (the network is then kept). */
  status: 'deleting' | 'deleted';
  removed: string[];
  kept: string[];
}

export async function deleteCluster(
  aws: AwsContext,
  request: DeleteRequest,
  events: ProgressEvents,
): Promise<DeleteResult> {
  const id = request.replicationGroupId;
  // The id names a replication group or a serverless cache (one place decides: aws/any-topology).
  const { findTopologyKind, notFoundAnywhere } = await import('../aws/any-topology.js');
  const kind = await findTopologyKind(aws, id);
  if (kind === undefined) throw notFoundAnywhere(aws, id);
  if (kind === 'serverless') return deleteServerless(aws, request, events);
  const { memberClusters, deleteReplicationGroup } = await import('../aws/replication-groups.js');
  const { networkOfClusters } = await import('../aws/cache-network.js');
  const { describeReplicationGroup, topologyOf } = await import('../aws/topology.js');
  const group = await describeReplicationGroup(aws, id);
  const topology = await topologyOf(aws, group);
  // The nodes name the network; read it before they are gone.
  const network = networkOfClusters(await memberClusters(aws, group));
  // Every member counts, also one still being created (the Topology lists only addressable nodes).
  const nodes = (group.MemberClusters ?? []).length;
  const plural = nodes === 1 ? '' : 's';

  if (!request.yes) {
    const go = await events.confirm(
      `Delete ${id} (${nodes} node${plural}, status ${topology.status}) and its data?`,
      false,
    );
    if (!go) throw new UsageError('declined: nothing was deleted');
  }
  if (topology.status === 'deleting') events.info(`${id} is already being deleted`);
  else {
    if (BUSY.has(topology.status)) {
      events.info(`${id} is ${topology.status}; waiting until it is available, then deleting it`);
      await events.waitFor(aws, id, { until: 'available', timeoutMinutes: request.timeoutMinutes });
    }
    await deleteReplicationGroup(aws, id);
    events.info(`deleting ${id} (${nodes} node${plural})`);
  }

  return awaitGoneThenCleanUp(aws, request, events, 'replication-group', network);
}

/** Waits until the deletion is done (unless --no-wait), then removes the network the tool made for it. */
async function awaitGoneThenCleanUp(
  aws: AwsContext,
  request: DeleteRequest,
  events: ProgressEvents,
  kind: TopologyKind,
  network: GroupNetwork,
): Promise<DeleteResult> {
  const id = request.replicationGroupId;
  if (!request.wait) {
    events.info(
      `not waiting (--no-wait); the network resources are kept. To wait: ${events.resumeCommand(id, 'deleted')}`,
    );
    return { replicationGroupId: id, status: 'deleting', removed: [], kept: [] };
  }
  await events.waitFor(aws, id, { until: 'deleted', timeoutMinutes: request.timeoutMinutes, doing: 'deleted', kind });

  let report = { removed: [] as string[], kept: [] as string[] };
  if (request.keepNetwork) events.info('keeping the network resources (--keep-network)');
  else {
    const { removeToolNetwork } = await import('../aws/network.js');
    const { TAG_REPLICATION_GROUP, TAG_SERVERLESS_CACHE } = await import('../plan/requests.js');
    report = await removeToolNetwork(
      aws,
      id,
      network,
      kind === 'serverless' ? TAG_SERVERLESS_CACHE : TAG_REPLICATION_GROUP,
    );
  }
  for (const line of report.removed) events.info(`removed ${line}`);
  for (const line of report.kept) events.info(`kept ${line}`);
  return { replicationGroupId: id, status: 'deleted', removed: report.removed, kept: report.kept };
}

/** A serverless cache: confirm, DeleteServerlessCache, wait until gone, then remove the security group the tool made for it. */
async function deleteServerless(
  aws: AwsContext,
  request: DeleteRequest,
  events: ProgressEvents,
): Promise<DeleteResult> {
  const id = request.replicationGroupId;
  const { describeServerlessCacheRaw, deleteServerlessCache } = await import('../aws/serverless.js');
  const cache = await describeServerlessCacheRaw(aws, id);
  const status = cache.Status ?? 'unknown';
  // Read before the cache is gone: the security groups it uses.
  const network = { securityGroupIds: cache.SecurityGroupIds ?? [] };
  if (!request.yes) {
    const go = await events.confirm(`Delete serverless cache ${id} (status ${status}) and its data?`, false);
    if (!go) throw new UsageError('declined: nothing was deleted');
  }
  if (status === 'deleting') events.info(`${id} is already being deleted`);
  else {
    if (BUSY.has(status)) {
      events.info(`${id} is ${status}; waiting until it is available, then deleting it`);
      await events.waitFor(aws, id, { until: 'available', timeoutMinutes: request.timeoutMinutes, kind: 'serverless' });
    }
    await deleteServerlessCache(aws, id);
    events.info(`deleting serverless cache ${id}`);
  }
  return awaitGoneThenCleanUp(aws, request, events, 'serverless', network);
}
