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
  await events.waitFor(aws, id, { until: request.until, timeoutMinutes: request.timeoutMinutes });
  if (request.until === 'deleted') return { status: 'deleted' };
  const { discoverTopology } = await import('../aws/topology.js');
  return { status: 'available', topology: await discoverTopology(aws, id) };
}
