/**
 * AWS Systems Manager Run Command (2014-11-06, JSON 1.1 protocol: `X-Amz-Target:
 * AmazonSSM.<Action>`, JSON in and out, timestamps as epoch seconds) on the emulated
 * instances: SendCommand with AWS-RunShellScript, GetCommandInvocation,
 * ListCommandInvocations and CancelCommand, with SSM's error codes (InvalidInstanceId,
 * InvalidDocument, InvalidParameters, InvocationDoesNotExist, ValidationException).
 */
import { ApiError } from './query-protocol.js';
import { ACCOUNT_ID } from './ec2-network.js';
import type { EmulatedInstances, InvocationRecord } from './instances.js';

export const SSM_TARGET_PREFIX = 'AmazonSSM.';
export const SSM_CONTENT_TYPE = 'application/x-amz-json-1.1';
const PLUGIN_NAME = 'aws:runShellScript';
const DEFAULT_EXECUTION_TIMEOUT_S = 3600;
/** ListCommandInvocations' CommandPlugins[].Output: the first 2,500 characters. */
const PLUGIN_OUTPUT_LIMIT = 2_500;

type Json = Record<string, unknown>;

export interface SsmContext {
  region: string;
}

export class SsmApi {
  private readonly handlers: Record<string, (body: Json, context: SsmContext) => Json> = {
    SendCommand: (b, c) => this.sendCommand(b, c),
    GetCommandInvocation: (b) => this.getCommandInvocation(b),
    ListCommandInvocations: (b) => this.listCommandInvocations(b),
    CancelCommand: (b) => this.cancelCommand(b),
  };

  constructor(private readonly instances: EmulatedInstances) {}

  handle(action: string, body: Json, context: SsmContext): Json {
    const handler = this.handlers[action];
    if (!handler) throw new ApiError('InvalidAction', `The action ${action} is not valid for this web service.`);
    return handler(body, context);
  }

  private sendCommand(body: Json, { region }: SsmContext): Json {
    const documentName = requiredString(body, 'DocumentName');
    if (documentName !== 'AWS-RunShellScript') {
      // The emulator has one document: the one a distributed bench uses.
      throw new ApiError('InvalidDocument', `Document with name ${documentName} does not exist.`);
    }
    if (body.Targets !== undefined) {
      throw new ApiError('InvalidParameters', 'The emulator supports InstanceIds, not Targets.');
    }
    const instanceIds = stringList(body, 'InstanceIds');
    if (instanceIds.length === 0 || instanceIds.length > 50) {
      throw validation(
        'instanceIds',
        'Member must have length less than or equal to 50 and greater than or equal to 1',
      );
    }
    const unknown = instanceIds.filter((id) => !this.instances.find(id));
    if (unknown.length > 0) {
      throw new ApiError(
        'InvalidInstanceId',
        `Instances [[${unknown.join(', ')}]] not in a valid state for account ${ACCOUNT_ID}`,
      );
    }
    const parameters = (body.Parameters ?? {}) as Record<string, unknown>;
    const commands = parameters.commands;
    if (!Array.isArray(commands) || commands.length === 0 || !commands.every((c) => typeof c === 'string')) {
      throw new ApiError('InvalidParameters', 'Parameter "commands" is required and must be a list of strings.');
    }
    const extra = Object.keys(parameters).filter(
      (k) => !['commands', 'executionTimeout', 'workingDirectory'].includes(k),
    );
    if (extra.length > 0)
      throw new ApiError('InvalidParameters', `Parameter "${extra[0]}" is not defined in the document.`);
    const rawTimeout = (parameters.executionTimeout as string[] | undefined)?.[0];
    const executionTimeoutS = rawTimeout === undefined ? DEFAULT_EXECUTION_TIMEOUT_S : Number(rawTimeout);
    if (!Number.isInteger(executionTimeoutS) || executionTimeoutS < 1 || executionTimeoutS > 172_800) {
      throw new ApiError('InvalidParameters', `Parameter "executionTimeout" must be 1-172800 (got ${rawTimeout}).`);
    }
    const timeoutSeconds = body.TimeoutSeconds === undefined ? 3600 : Number(body.TimeoutSeconds);
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 30 || timeoutSeconds > 2_592_000) {
      throw validation('timeoutSeconds', 'Member must have value between 30 and 2592000');
    }
    const comment = typeof body.Comment === 'string' ? body.Comment : '';
    if (comment.length > 100) throw validation('comment', 'Member must have length less than or equal to 100');
    const stringParameters = Object.fromEntries(
      Object.entries(parameters).map(([k, v]) => [k, (v as unknown[]).map(String)]),
    );
    const record = this.instances.send(
      { documentName, comment, parameters: stringParameters, instanceIds, timeoutSeconds },
      (commands as string[]).join('\n'),
      executionTimeoutS,
      region,
    );
    return {
      Command: {
        CommandId: record.commandId,
        DocumentName: documentName,
        DocumentVersion: '$DEFAULT',
        Comment: comment,
        ExpiresAfter: epochSeconds(new Date(record.requestedAt.getTime() + timeoutSeconds * 1000)),
        Parameters: stringParameters,
        InstanceIds: instanceIds,
        Targets: [],
        RequestedDateTime: epochSeconds(record.requestedAt),
        Status: 'Pending',
        StatusDetails: 'Pending',
        OutputS3Region: region,
        OutputS3BucketName: '',
        OutputS3KeyPrefix: '',
        MaxConcurrency: '50',
        MaxErrors: '0',
        TargetCount: instanceIds.length,
        CompletedCount: 0,
        ErrorCount: 0,
        DeliveryTimedOutCount: 0,
        ServiceRole: '',
        NotificationConfig: { NotificationArn: '', NotificationEvents: [], NotificationType: '' },
        CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
        TimeoutSeconds: timeoutSeconds,
      },
    };
  }

  private getCommandInvocation(body: Json): Json {
    const commandId = commandIdOf(body, true)!;
    const instanceId = requiredString(body, 'InstanceId');
    if (body.PluginName !== undefined && body.PluginName !== PLUGIN_NAME) {
      throw new ApiError('InvalidPluginName', `The plugin name ${String(body.PluginName)} is not valid.`);
    }
    const invocation = this.instances.invocations.find((i) => i.commandId === commandId && i.instanceId === instanceId);
    if (!invocation) throw new ApiError('InvocationDoesNotExist', '');
    const done = invocation.endedAt !== undefined;
    return {
      CommandId: invocation.commandId,
      InstanceId: invocation.instanceId,
      Comment: invocation.comment,
      DocumentName: invocation.documentName,
      DocumentVersion: '$DEFAULT',
      PluginName: PLUGIN_NAME,
      ResponseCode: invocation.responseCode,
      ExecutionStartDateTime: invocation.startedAt?.toISOString() ?? '',
      ExecutionElapsedTime: elapsed(invocation),
      ExecutionEndDateTime: invocation.endedAt?.toISOString() ?? '',
      Status: invocation.status,
      StatusDetails: invocation.statusDetails,
      // "If the command hasn't finished running … this string is empty."
      StandardOutputContent: done ? invocation.stdout : '',
      StandardOutputUrl: '',
      StandardErrorContent: done ? invocation.stderr : '',
      StandardErrorUrl: '',
      CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
    };
  }

  private listCommandInvocations(body: Json): Json {
    const commandId = commandIdOf(body, false);
    const instanceId = typeof body.InstanceId === 'string' ? body.InstanceId : undefined;
    const max = body.MaxResults === undefined ? 50 : Number(body.MaxResults);
    if (!Number.isInteger(max) || max < 1 || max > 50) {
      throw validation('maxResults', 'Member must have value less than or equal to 50');
    }
    const start =
      body.NextToken === undefined ? 0 : Number(Buffer.from(String(body.NextToken), 'base64url').toString());
    if (!Number.isInteger(start) || start < 0)
      throw new ApiError('InvalidNextToken', 'The specified token is not valid.');
    const matching = this.instances.invocations.filter(
      (i) =>
        (commandId === undefined || i.commandId === commandId) &&
        (instanceId === undefined || i.instanceId === instanceId),
    );
    const page = matching.slice(start, start + max);
    const details = body.Details === true;
    return {
      CommandInvocations: page.map((i) => this.invocationSummary(i, details)),
      ...(start + max < matching.length ? { NextToken: Buffer.from(String(start + max)).toString('base64url') } : {}),
    };
  }

  private invocationSummary(i: InvocationRecord, details: boolean): Json {
    const name = this.instances.find(i.instanceId)?.tags.find((t) => t.Key === 'Name')?.Value ?? '';
    return {
      CommandId: i.commandId,
      InstanceId: i.instanceId,
      InstanceName: name,
      Comment: i.comment,
      DocumentName: i.documentName,
      DocumentVersion: '$DEFAULT',
      RequestedDateTime: epochSeconds(i.requestedAt),
      Status: i.status,
      StatusDetails: i.statusDetails,
      TraceOutput: '',
      StandardOutputUrl: '',
      StandardErrorUrl: '',
      CommandPlugins: details
        ? [
            {
              Name: PLUGIN_NAME,
              Status: i.status,
              StatusDetails: i.statusDetails,
              ResponseCode: i.responseCode,
              ...(i.startedAt ? { ResponseStartDateTime: epochSeconds(i.startedAt) } : {}),
              ...(i.endedAt ? { ResponseFinishDateTime: epochSeconds(i.endedAt) } : {}),
              Output: i.endedAt ? (i.stdout + i.stderr).slice(0, PLUGIN_OUTPUT_LIMIT) : '',
              StandardOutputUrl: '',
              StandardErrorUrl: '',
              OutputS3Region: '',
              OutputS3BucketName: '',
              OutputS3KeyPrefix: '',
            },
          ]
        : [],
      ServiceRole: '',
      NotificationConfig: { NotificationArn: '', NotificationEvents: [], NotificationType: '' },
      CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
    };
  }

  private cancelCommand(body: Json): Json {
    const commandId = commandIdOf(body, true)!;
    const instanceIds = body.InstanceIds === undefined ? undefined : stringList(body, 'InstanceIds');
    const invocations = this.instances.invocations.filter(
      (i) => i.commandId === commandId && (instanceIds === undefined || instanceIds.includes(i.instanceId)),
    );
    if (invocations.length === 0) throw new ApiError('InvalidCommandId', '');
    for (const invocation of invocations) this.instances.stop(invocation, 'Cancelled', 'Cancelled');
    return {};
  }
}

/** JSON 1.1 timestamps: seconds since the epoch, fractional. */
function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

function elapsed(i: InvocationRecord): string {
  if (!i.startedAt) return '';
  const ms = (i.endedAt ?? new Date()).getTime() - i.startedAt.getTime();
  return `PT${(ms / 1000).toFixed(3)}S`;
}

function validation(member: string, constraint: string): ApiError {
  return new ApiError(
    'ValidationException',
    `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

function requiredString(body: Json, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') {
    const member = name[0]!.toLowerCase() + name.slice(1);
    throw validation(member, 'Member must not be null');
  }
  return value;
}

function stringList(body: Json, name: string): string[] {
  const value = body[name];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw validation(name[0]!.toLowerCase() + name.slice(1), 'Member must be a list of strings');
  }
  return value as string[];
}

/** A CommandId is a 36-character UUID. */
function commandIdOf(body: Json, required: boolean): string | undefined {
  if (body.CommandId === undefined && !required) return undefined;
  const id = requiredString(body, 'CommandId');
  if (id.length !== 36) {
    throw validation('commandId', 'Member must have length less than or equal to 36 and greater than or equal to 36');
  }
  return id;
}
