/**
 * Sends the planned requests, in order, exactly as `--dry-run` printed them (with the
 * created security group's id and the AUTH token filled in). No half-done work: when a
 * step fails, what this run created so far is removed again, and the error says so.
 */
import {
  CreateCacheSubnetGroupCommand,
  CreateReplicationGroupCommand,
  CreateServerlessCacheCommand,
  type CreateCacheSubnetGroupCommandInput,
  type CreateReplicationGroupCommandInput,
  type CreateServerlessCacheCommandInput,
} from '@aws-sdk/client-elasticache';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  type AuthorizeSecurityGroupIngressCommandInput,
  type CreateSecurityGroupCommandInput,
} from '@aws-sdk/client-ec2';
import type { AwsContext } from './clients.js';
import { awsErrorName, explainAwsError, isCacheSubnetGroupAlreadyExists } from './errors.js';
import { describeSubnetGroup } from './cache-network.js';
import { findToolSecurityGroupByName, removeCreated, type CreatedResource } from './network.js';
import { CliError } from '../errors.js';
import { AUTH_TOKEN_PLACEHOLDER, CREATED_SECURITY_GROUP_ID, type ApiRequest } from '../plan/requests.js';

export interface LaunchOptions {
  /** The AUTH token, substituted for its placeholder at send time only. */
  authToken?: string;
  /** Called before each request is sent (progress lines). */
  onStep?: (request: ApiRequest) => void;
  /** Lets the caller undo on Ctrl-C: the resources created so far, live. */
  created?: CreatedResource[];
  /**
   * CreateReplicationGroup answered ReplicationGroupAlreadyExists (a retry after a lost
   * answer): resolves true when that group is this run's, which then counts as created.
   */
  isOwnGroup?: (created: readonly CreatedResource[]) => Promise<boolean>;
}

export interface LaunchResult {
  created: CreatedResource[];
}

export async function launch(
  aws: AwsContext,
  requests: readonly ApiRequest[],
  options: LaunchOptions = {},
): Promise<LaunchResult> {
  const created = options.created ?? [];
  let securityGroupId: string | undefined;
  const fill = (value: unknown): unknown => {
    if (value === CREATED_SECURITY_GROUP_ID) {
      if (!securityGroupId)
        throw new CliError('internal error: a request refers to a security group that was not created');
      return securityGroupId;
    }
    if (value === AUTH_TOKEN_PLACEHOLDER) return options.authToken;
    if (Array.isArray(value)) return value.map(fill);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };

  for (const request of requests) {
    options.onStep?.(request);
    const input = fill(request.input);
    try {
      switch (request.action) {
        case 'CreateCacheSubnetGroup': {
          const typed = input as CreateCacheSubnetGroupCommandInput;
          // Its name says which VPC and subnets it holds: one that another create-cluster made
          // since this run looked is the same subnet group, used as is (and not this run's to undo).
          try {
            await aws.elasticache.send(new CreateCacheSubnetGroupCommand(typed));
            created.push({ kind: 'subnet-group', name: typed.CacheSubnetGroupName! });
          } catch (error) {
            if (!isCacheSubnetGroupAlreadyExists(error)) throw error;
            if (!(await describeSubnetGroup(aws, typed.CacheSubnetGroupName!))) throw error;
          }
          break;
        }
        case 'CreateSecurityGroup': {
          const typed = input as CreateSecurityGroupCommandInput;
          try {
            const result = await aws.ec2.send(new CreateSecurityGroupCommand(typed));
            securityGroupId = result.GroupId;
            if (!securityGroupId) throw new CliError('CreateSecurityGroup returned no GroupId');
            created.push({ kind: 'security-group', groupId: securityGroupId });
          } catch (error) {
            // Another create-cluster made the same tool security group (same VPC, source and
            // port, hence the same name) since this run looked: use it, its rule included.
            if (awsErrorName(error) !== 'InvalidGroup.Duplicate') throw error;
            const existing = await findToolSecurityGroupByName(aws, typed.VpcId!, typed.GroupName!);
            if (!existing) throw error;
            securityGroupId = existing.groupId;
          }
          break;
        }
        case 'AuthorizeSecurityGroupIngress':
          try {
            await aws.ec2.send(
              new AuthorizeSecurityGroupIngressCommand(input as AuthorizeSecurityGroupIngressCommandInput),
            );
          } catch (error) {
            // This very rule is there already: the group's maker added it (this run adopted the
            // group), or a concurrent run that adopted this run's new group got to it first.
            if (awsErrorName(error) !== 'InvalidPermission.Duplicate') throw error;
          }
          break;
        case 'CreateReplicationGroup':
          await aws.elasticache.send(new CreateReplicationGroupCommand(input as CreateReplicationGroupCommandInput));
          break;
        case 'CreateServerlessCache':
          await aws.elasticache.send(new CreateServerlessCacheCommand(input as CreateServerlessCacheCommandInput));
          break;
      }
    } catch (error) {
      if (
        request.action === 'CreateReplicationGroup' &&
        awsErrorName(error) === 'ReplicationGroupAlreadyExistsFault' &&
        (await options.isOwnGroup?.(created).catch(() => false))
      ) {
        continue;
      }
      const explained = explainAwsError(error, `${request.service}:${request.action}`);
      if (created.length === 0) throw explained;
      const undo = await removeCreated(aws, created);
      created.length = 0;
      const removed = undo.removed.length > 0 ? `; removed what this run had created: ${undo.removed.join(', ')}` : '';
      const left = undo.failed.length > 0 ? `; could NOT remove ${undo.failed.join(', ')} (delete it by hand)` : '';
      throw new CliError(`${explained.message}${removed}${left}`, explained.exitCode, { cause: error });
    }
  }
  return { created };
}
