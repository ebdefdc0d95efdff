/** wait: until a group that is already changing is available (→ its Topology) or gone. */
import type { AwsContext } from '../aws/clients.js';
import type { WaitTarget } from '../aws/wait.js';
import type { Topology } from '../topology.js';
import type { ProgressEvents } from './events.js';

export interface WaitRequest {
  replicationGroupId: string;
  until: WaitTarget;
  timeoutMinutes: number;
}

export type WaitResult = { status: 'deleted' } | { status: 'available'; topology: Topology };

export async function waitForGroup(aws: AwsContext, request: WaitRequest, events: ProgressEvents): Promise<WaitResult> {
  const id = request.replicationGroupId;
  // The id names a replication group or a serverless cache; neither is what --deleted waits for.
  const { discoverTopologyOfKind, findTopologyKind, notFoundAnywhere } = await import('../aws/any-topology.js');
  const kind = await findTopologyKind(aws, id);
  if (kind === undefined) {
    if (request.until === 'deleted') return { status: 'deleted' };
    throw notFoundAnywhere(aws, id);
  }
  await events.waitFor(aws, id, { until: request.until, timeoutMinutes: request.timeoutMinutes, kind });
  if (request.until === 'deleted') return { status: 'deleted' };
  return { status: 'available', topology: await discoverTopologyOfKind(aws, id, kind) };
}
