/**
 * AWS Systems Manager Run Command, as a distributed bench uses it: one AWS-RunShellScript
 * command to every worker instance, then each instance's invocation polled until it ends.
 */
import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { AwsContext } from './clients.js';
import { explainAwsError } from './errors.js';

export function openSsm(aws: AwsContext): SSMClient {
  return new SSMClient({
    region: aws.region,
    ...(aws.endpointUrl !== undefined ? { endpoint: aws.endpointUrl } : {}),
    // The same credentials the ElastiCache client resolved (profile, SSO, env, role).
    credentials: aws.elasticache.config.credentials,
    retryMode: 'adaptive',
    maxAttempts: 6,
  });
}

/** SendCommand takes at most 50 instance ids. */
const MAX_TARGETS = 50;

/** Sends the command; the command id per instance (one command per 50 instances). */
export async function sendShellCommand(
  ssm: SSMClient,
  instanceIds: string[],
  command: string,
  options: { executionTimeoutS: number; comment: string },
): Promise<Map<string, string>> {
  const commandIds = new Map<string, string>();
  for (let i = 0; i < instanceIds.length; i += MAX_TARGETS) {
    const batch = instanceIds.slice(i, i + MAX_TARGETS);
    try {
      const sent = await ssm.send(
        new SendCommandCommand({
          DocumentName: 'AWS-RunShellScript',
          InstanceIds: batch,
          Parameters: { commands: [command], executionTimeout: [String(options.executionTimeoutS)] },
          // Delivery: an instance whose agent does not pick the command up in time is reported as such.
          TimeoutSeconds: 120,
          Comment: options.comment.slice(0, 100),
        }),
      );
      for (const id of batch) commandIds.set(id, sent.Command?.CommandId ?? '');
    } catch (error) {
      throw explainAwsError(error, 'ssm:SendCommand');
    }
  }
  return commandIds;
}

/** Stops the command on these instances (Ctrl-C, or the controller gave up waiting). Best effort. */
export async function cancelCommand(ssm: SSMClient, commandId: string, instanceIds: string[]): Promise<void> {
  try {
    await ssm.send(new CancelCommandCommand({ CommandId: commandId, InstanceIds: instanceIds }));
  } catch {
    // Already ended, or no permission (ssm:CancelCommand): the execution timeout still ends it.
  }
}

export type InvocationStatus =
  | 'Pending'
  | 'InProgress'
  | 'Delayed'
  | 'Success'
  | 'Cancelled'
  | 'TimedOut'
  | 'Failed'
  | 'Cancelling';

export interface Invocation {
  status: InvocationStatus;
  statusDetails: string;
  responseCode: number;
  /** The first 24,000 characters of stdout; empty until the command ended. */
  stdout: string;
  /** The first 8,000 characters of stderr. */
  stderr: string;
}

export const isFinished = (status: InvocationStatus): boolean =>
  status === 'Success' || status === 'Failed' || status === 'TimedOut' || status === 'Cancelled';

/**
 * Every instance's status for one command, 50 per call: cheaper than one
 * GetCommandInvocation per instance per poll when there are many workers.
 */
export async function invocationStatuses(ssm: SSMClient, commandId: string): Promise<Map<string, InvocationStatus>> {
  const statuses = new Map<string, InvocationStatus>();
  let nextToken: string | undefined;
  try {
    do {
      const page = await ssm.send(
        new ListCommandInvocationsCommand({
          CommandId: commandId,
          MaxResults: 50,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      for (const i of page.CommandInvocations ?? []) {
        if (i.InstanceId) statuses.set(i.InstanceId, (i.Status ?? 'Pending') as InvocationStatus);
      }
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    throw explainAwsError(error, 'ssm:ListCommandInvocations');
  }
  return statuses;
}

/**
 * One instance's invocation. Right after SendCommand, AWS may answer InvocationDoesNotExist
 * for a moment: that is Pending, not an error.
 */
export async function getInvocation(ssm: SSMClient, commandId: string, instanceId: string): Promise<Invocation> {
  try {
    const answer = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
    return {
      status: (answer.Status ?? 'Pending') as InvocationStatus,
      statusDetails: answer.StatusDetails ?? '',
      responseCode: answer.ResponseCode ?? -1,
      stdout: answer.StandardOutputContent ?? '',
      stderr: answer.StandardErrorContent ?? '',
    };
  } catch (error) {
    if ((error as { name?: string }).name === 'InvocationDoesNotExist') {
      return { status: 'Pending', statusDetails: 'Pending', responseCode: -1, stdout: '', stderr: '' };
    }
    throw explainAwsError(error, 'ssm:GetCommandInvocation');
  }
}
