/**
 * AWS errors become one line that names the cause and the fix. The SDK has already
 * retried throttling (adaptive retry mode) by the time an error reaches here.
 */
import {
  CacheClusterNotFoundFault,
  CacheSubnetGroupAlreadyExistsFault,
  CacheSubnetGroupNotFoundFault,
  ReplicationGroupNotFoundFault,
  ServerlessCacheNotFoundFault,
  UserGroupNotFoundFault,
} from '@aws-sdk/client-elasticache';
import { CliError, NotFoundError, messageOf } from '../errors.js';
import { nonAwsAnswerEndpoint, nonAwsAnswerStatus } from './non-aws-answer.js';

/**
 * The one place SDK errors are recognised. ElastiCache's are typed exception classes:
 * matched with instanceof. EC2 exports none (its errors are plain ServiceExceptions),
 * so those are matched by the error code AWS sends (`awsErrorName`).
 */
export const isReplicationGroupNotFound = (error: unknown): boolean => error instanceof ReplicationGroupNotFoundFault;
export const isCacheClusterNotFound = (error: unknown): boolean => error instanceof CacheClusterNotFoundFault;
export const isCacheSubnetGroupNotFound = (error: unknown): boolean => error instanceof CacheSubnetGroupNotFoundFault;
export const isCacheSubnetGroupAlreadyExists = (error: unknown): boolean =>
  error instanceof CacheSubnetGroupAlreadyExistsFault;
export const isServerlessCacheNotFound = (error: unknown): boolean => error instanceof ServerlessCacheNotFoundFault;
export const isUserGroupNotFound = (error: unknown): boolean => error instanceof UserGroupNotFoundFault;
/** An endpoint (an older emulator, a partial AWS clone) that does not implement the action at all. */
export const isUnsupportedAction = (error: unknown): boolean =>
  ['InvalidAction', 'UnknownOperationException', 'UnsupportedOperation', 'NotImplemented'].includes(
    awsErrorName(error),
  ) ||
  // moto and other emulators answer an action they lack with a non-XML 5xx (HTML).
  nonAwsAnswerStatus(error) !== undefined;

/** The AWS error code (`InvalidGroup.NotFound`, …), or '' for an error that is not from AWS. */
export function awsErrorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? '';
}

interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const NOT_FOUND = new Set([
  'ReplicationGroupNotFoundFault',
  'CacheClusterNotFoundFault',
  'CacheSubnetGroupNotFoundFault',
  'NodeGroupNotFoundFault',
  'ServerlessCacheNotFoundFault',
  'UserGroupNotFoundFault',
  'InvalidGroup.NotFound',
  'InvalidVpcID.NotFound',
  'InvalidSubnetID.NotFound',
]);

const QUOTA = new Set([
  'NodeQuotaForCustomerExceededFault',
  'NodeQuotaForClusterExceededFault',
  'ClusterQuotaForCustomerExceededFault',
  'ServerlessCacheQuotaForCustomerExceededFault',
  'CacheSubnetGroupQuotaExceededFault',
  'CacheSubnetQuotaExceededFault',
  'TagQuotaPerResourceExceeded',
  'SecurityGroupLimitExceeded',
  'RulesPerSecurityGroupLimitExceeded',
]);

// AWS's own validation (the tool checks first, but AWS has the last word, e.g. on a feature a region lacks).
const REJECTED = new Set([
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'InvalidParameterCombination',
  'InvalidParameterCombinationException',
]);
const BUSY = new Set([
  'InvalidReplicationGroupState',
  'InvalidReplicationGroupStateFault',
  'InvalidCacheClusterStateFault',
  'InvalidServerlessCacheStateFault',
]);

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'APICallRateForCustomerExceededFault',
]);

/**
 * Turns any error thrown by an SDK call into a CliError. `action` is the IAM action
 * the call needs, e.g. `elasticache:CreateReplicationGroup`.
 */
export function explainAwsError(error: unknown, action: string): CliError {
  if (error instanceof CliError) return error;
  const e = (error ?? {}) as AwsLikeError;
  const name = e.name ?? e.code ?? 'Error';
  const detail = oneLine(e.message ?? messageOf(error));

  const status = nonAwsAnswerStatus(error);
  if (status !== undefined) {
    const at = nonAwsAnswerEndpoint(error);
    return new CliError(
      `HTTP ${status} that is not an AWS answer${at ? ` from ${at}` : ''}: the endpoint does not implement ${action}`,
    );
  }

  if (
    name === 'AccessDenied' ||
    name === 'AccessDeniedException' ||
    name === 'UnauthorizedOperation' ||
    name === 'AccessDeniedFault'
  ) {
    return new CliError(`AccessDenied on ${action}: the caller needs that IAM permission (${detail})`);
  }
  if (NOT_FOUND.has(name)) return new NotFoundError(`${name}: ${detail}`);
  if (name === 'InsufficientCacheClusterCapacityFault') {
    return new CliError(
      `${name}: AWS has no capacity for this node type in this zone right now; try another --node-type or region, or retry later (${detail})`,
    );
  }
  if (QUOTA.has(name)) {
    return new CliError(
      `${name}: an account quota is reached; delete unused resources or request a limit increase in Service Quotas (${detail})`,
    );
  }
  if (REJECTED.has(name)) {
    return new CliError(
      `${name} from ${action}: AWS rejected the settings (${detail}); change the setting it names and run again`,
    );
  }
  if (BUSY.has(name)) {
    return new CliError(
      `${name} from ${action}: the group is busy (${detail}); wait until it is available (elasticache-kit wait <id>) and run again`,
    );
  }
  if (name === 'DependencyViolation') {
    return new CliError(
      `${name} from ${action}: something still uses the resource (${detail}); retry in a few minutes`,
    );
  }
  if (EXPIRED.has(name)) {
    return new CliError(
      `${name}: the AWS credentials have expired; refresh them (aws sso login, or new session credentials) and run again`,
    );
  }
  if (THROTTLED.has(name)) {
    return new CliError(`${name}: AWS kept throttling ${action} after retries; wait a minute and run again`);
  }
  if (
    name === 'InvalidClientTokenId' ||
    name === 'UnrecognizedClientException' ||
    name === 'SignatureDoesNotMatch' ||
    name === 'AuthFailure'
  ) {
    return new CliError(
      `${name}: AWS rejected the credentials; check the access key, the profile (--profile) and the clock (${detail})`,
    );
  }
  if (name === 'ENOTFOUND' || name === 'EAI_AGAIN' || /getaddrinfo/.test(detail)) {
    return new CliError(
      `cannot reach the AWS endpoint for ${action} (${detail}): check --region (is it a real region?) and the network`,
    );
  }
  if (name === 'ECONNREFUSED' || /ECONNREFUSED/.test(detail)) {
    return new CliError(
      `connection refused calling ${action} (${detail}): is the endpoint (--endpoint-url / --local) running?`,
    );
  }
  return new CliError(`${name} from ${action}: ${detail}`);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
