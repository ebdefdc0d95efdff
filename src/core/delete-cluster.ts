/** delete-cluster: confirm, delete, wait until gone, then remove the network the tool made for the group. */
import type { AwsContext } from '../aws/clients.js';
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
  const { memberClusters, deleteReplicationGroup } = await import('../aws/replication-groups.js');
  const { networkOfClusters, removeToolNetwork } = await import('../aws/network.js');
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

  if (!request.wait) {
    events.info(
      `not waiting (--no-wait); the network resources are kept. To wait: ${events.resumeCommand(id, 'deleted')}`,
    );
    return { replicationGroupId: id, status: 'deleting', removed: [], kept: [] };
  }
  await events.waitFor(aws, id, { until: 'deleted', timeoutMinutes: request.timeoutMinutes, doing: 'deleted' });

  let report = { removed: [] as string[], kept: [] as string[] };
  if (request.keepNetwork) events.info('keeping the network resources (--keep-network)');
  else report = await removeToolNetwork(aws, id, network);
  for (const line of report.removed) events.info(`removed ${line}`);
  for (const line of report.kept) events.info(`kept ${line}`);
  return { replicationGroupId: id, status: 'deleted', removed: report.removed, kept: report.kept };
}
