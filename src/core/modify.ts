/**
 * modify: in-transit encryption of an existing group, in AWS's steps (off → preferred →
 * required and back), each step applied and waited for before the next, so one command
 * does what the console makes you do in two visits. Then the Topology as `endpoints` reads it.
 */
import type { AwsContext } from '../aws/clients.js';
import { UsageError } from '../errors.js';
import { transitSteps, type TransitMode } from '../plan/transit-steps.js';
import type { Topology } from '../topology.js';
import type { ProgressEvents } from './events.js';

export interface ModifyRequest {
  replicationGroupId: string;
  transitEncryptionMode: TransitMode;
  yes: boolean;
  wait: boolean;
  timeoutMinutes: number;
}

export interface ModifyResult {
  replicationGroupId: string;
  from: TransitMode;
  to: TransitMode;
  /** Each mode passed through, in order. */
  steps: TransitMode[];
  /** After waiting: the group as clients see it now. */
  topology?: Topology;
}

export async function modify(aws: AwsContext, request: ModifyRequest, events: ProgressEvents): Promise<ModifyResult> {
  const id = request.replicationGroupId;
  const { describeReplicationGroup, discoverTopology } = await import('../aws/topology.js');
  const group = await describeReplicationGroup(aws, id);
  const from: TransitMode = group.TransitEncryptionEnabled
    ? group.TransitEncryptionMode === 'preferred'
      ? 'preferred'
      : 'required'
    : 'off';
  const steps = transitSteps(from, request.transitEncryptionMode);
  const result: ModifyResult = { replicationGroupId: id, from, to: request.transitEncryptionMode, steps: [] };
  if (steps.length === 0) {
    events.info(`${id} already has in-transit encryption ${from}; nothing to change`);
    return request.wait ? { ...result, topology: await discoverTopology(aws, id) } : result;
  }
  if (group.Status !== 'available') {
    throw new UsageError(`${id} is ${group.Status}; a change needs it available (elasticache-kit wait ${id})`);
  }
  if (!request.wait && steps.length > 1) {
    throw new UsageError(
      `--no-wait: going from ${from} to ${request.transitEncryptionMode} takes ${steps.length} steps, each waited for; run with --transit-encryption-mode ${steps[0]!.to} first`,
    );
  }
  if (steps.at(-1)!.to === 'off' && group.AuthTokenEnabled) {
    throw new UsageError(`${id} has an AUTH token, which needs in-transit encryption: it cannot be turned off`);
  }
  const path = [from, ...steps.map((step) => step.to)].join(' → ');
  if (!request.yes) {
    const go = await events.confirm(`Change in-transit encryption of ${id}: ${path}?`, true);
    if (!go) throw new UsageError('declined: nothing was changed');
  }
  const { modifyReplicationGroup } = await import('../aws/modify.js');
  for (const [index, step] of steps.entries()) {
    events.info(`step ${index + 1}/${steps.length}: in-transit encryption → ${step.to}`);
    await modifyReplicationGroup(aws, { ReplicationGroupId: id, ...step.input });
    result.steps.push(step.to);
    if (!request.wait) {
      events.info(`not waiting (--no-wait); to wait: ${events.resumeCommand(id, 'available')}`);
      return result;
    }
    await events.waitFor(aws, id, { until: 'available', timeoutMinutes: request.timeoutMinutes, doing: 'modified' });
  }
  if (request.transitEncryptionMode !== 'off') {
    events.info(
      `clients must now use TLS${request.transitEncryptionMode === 'preferred' ? ' (plain still accepted)' : ''}: rewrite their config with elasticache-kit endpoints ${id}`,
    );
  }
  return { ...result, topology: await discoverTopology(aws, id) };
}
