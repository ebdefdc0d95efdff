/**
 * The EC2 instances a distributed bench runs its workers on: by tag (`tag:Role=bastion`,
 * running instances only) or by id (each must exist and be running).
 */
import { DescribeInstancesCommand, type Filter } from '@aws-sdk/client-ec2';
import type { WorkersSpec } from '../bench/distributed/workers.js';
import { NotFoundError } from '../errors.js';
import type { AwsContext } from './clients.js';
import { explainAwsError } from './errors.js';

export interface WorkerInstance {
  instanceId: string;
  /** The Name tag, when it has one. */
  name?: string;
  state: string;
}

export async function describeWorkerInstances(aws: AwsContext, spec: WorkersSpec): Promise<WorkerInstance[]> {
  const filters: Filter[] = spec.kind === 'tag' ? [{ Name: `tag:${spec.key}`, Values: [spec.value] }] : [];
  const found: WorkerInstance[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await aws.ec2.send(
        new DescribeInstancesCommand({
          ...(spec.kind === 'ids' ? { InstanceIds: spec.ids } : { Filters: filters, MaxResults: 1000 }),
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      for (const reservation of page.Reservations ?? []) {
        for (const instance of reservation.Instances ?? []) {
          const name = instance.Tags?.find((t) => t.Key === 'Name')?.Value;
          found.push({
            instanceId: instance.InstanceId ?? '?',
            ...(name ? { name } : {}),
            state: instance.State?.Name ?? 'unknown',
          });
        }
      }
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    if ((error as { name?: string }).name === 'InvalidInstanceID.NotFound') {
      throw new NotFoundError(`--workers: ${(error as Error).message}`);
    }
    throw explainAwsError(error, 'ec2:DescribeInstances');
  }
  if (spec.kind === 'ids') {
    const stopped = found.filter((i) => i.state !== 'running');
    if (stopped.length > 0) {
      throw new NotFoundError(
        `--workers: ${stopped.map((i) => `${i.instanceId} is ${i.state}`).join(', ')}; workers must be running`,
      );
    }
    return found;
  }
  const running = found.filter((i) => i.state === 'running');
  if (running.length === 0) {
    throw new NotFoundError(
      `--workers: no running instance has the tag ${spec.key}=${spec.value}${found.length > 0 ? ` (${found.length} found, none running)` : ''}${aws.local ? '; the local emulator has instances only when started with local start --instances N (tagged Role=bastion)' : ''}`,
    );
  }
  return running;
}
