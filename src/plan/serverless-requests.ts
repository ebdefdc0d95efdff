/**
 * ServerlessPlan (+ its network resolved against AWS) → the exact API requests, in order:
 * the security group the tool makes (one rule for both ports, 6379-6380), then
 * CreateServerlessCache. `--dry-run` prints these objects and the launcher sends them. Pure.
 */
import { TOOL_TAG_KEY, TOOL_TAG_VALUE, type Tag } from './rules.js';
import { TAG_SERVERLESS_CACHE, securityGroupRequests, type ApiRequest, type SecurityGroupStep } from './requests.js';
import { usageLimits, type ServerlessPlan } from './serverless-plan.js';

/** Where the cache goes, as the AWS step resolved it. */
export interface ServerlessNetwork {
  vpcId: string;
  vpcIsDefault: boolean;
  /** Undefined: AWS places the cache in the default VPC's subnets. */
  subnetIds?: string[];
  securityGroups: SecurityGroupStep[];
}

export function serverlessToolTags(name: string): Tag[] {
  return [
    { Key: TOOL_TAG_KEY, Value: TOOL_TAG_VALUE },
    { Key: TAG_SERVERLESS_CACHE, Value: name },
  ];
}

export function serverlessToRequests(plan: ServerlessPlan, network: ServerlessNetwork): ApiRequest[] {
  const requests: ApiRequest[] = [];
  const baseTags = [...serverlessToolTags(plan.name), ...plan.tags];
  const securityGroupIds = securityGroupRequests(network.securityGroups, baseTags, requests);
  const limits = usageLimits(plan);
  requests.push({
    service: 'elasticache',
    action: 'CreateServerlessCache',
    input: {
      ServerlessCacheName: plan.name,
      Description: plan.description,
      Engine: plan.engine,
      ...(plan.majorEngineVersion ? { MajorEngineVersion: plan.majorEngineVersion } : {}),
      ...(limits ? { CacheUsageLimits: limits } : {}),
      SecurityGroupIds: securityGroupIds,
      ...(network.subnetIds ? { SubnetIds: [...network.subnetIds] } : {}),
      ...(plan.userGroupId ? { UserGroupId: plan.userGroupId } : {}),
      Tags: baseTags,
    },
  });
  return requests;
}
