/**
 * Serverless caches (ElastiCache 2015-02-02): CreateServerlessCache,
 * DescribeServerlessCaches, ModifyServerlessCache, DeleteServerlessCache, answered with
 * botocore's ServerlessCache shape and the service's wire error codes. The processes
 * behind each cache are ServerlessCaches' (a TLS Redis Cluster behind two endpoints).
 */
import type { AclUser } from './acl.js';
import { endpointXml, type Taggable } from './elasticache-api.js';
import { ACCOUNT_ID, type Ec2Network } from './ec2-network.js';
import { mergeTags } from './ec2-api.js';
import type { EngineName } from './engine-versions.js';
import { paginate, type PageNames } from './paging.js';
import { ApiError, type QueryParams } from './query-protocol.js';
import type { ServerlessCaches } from './serverless-caches.js';
import {
  checkServerlessCacheName,
  parseCreateServerlessCache,
  parseModifyServerlessCache,
} from './serverless-rules.js';
import type { ServerlessCacheRecord } from './state.js';
import type { TlsMaterial } from './tls-material.js';
import type { UsersApi } from './users-api.js';
import { xmlList, type XmlNode, type XmlNodes } from './xml.js';

type Result = (XmlNode | undefined)[] | undefined;
type Handler = (params: QueryParams, context: { region: string }) => Result;

export interface ServerlessDependencies {
  caches: ServerlessCaches;
  network: Ec2Network;
  users: UsersApi;
  engineBinary(engine: EngineName): { path: string; version: string };
  tlsMaterial(): TlsMaterial;
  engineHasTls(binaryPath: string): boolean;
}

/** DescribeServerlessCaches pages with MaxResults / NextToken. */
const SERVERLESS_PAGING: PageNames = { size: 'MaxResults', token: 'NextToken', min: 1, max: 100 };

export class ServerlessApi {
  private readonly handlers: Record<string, Handler> = {
    CreateServerlessCache: (p, c) => this.create(p, c.region),
    DescribeServerlessCaches: (p, c) => this.describe(p, c.region),
    ModifyServerlessCache: (p, c) => this.modify(p, c.region),
    DeleteServerlessCache: (p, c) => this.delete(p, c.region),
  };

  constructor(private readonly deps: ServerlessDependencies) {}

  handles(action: string): boolean {
    return Object.hasOwn(this.handlers, action);
  }

  handle(action: string, params: QueryParams, context: { region: string }): Result {
    return this.handlers[action]!(params, context);
  }

  /** Re-applies a user group's users to every cache that uses it (after a user or group change). */
  usersChanged(region: string, userGroupId: string): void {
    for (const cache of this.deps.caches.list(region)) {
      // A cache still creating gets the change once it runs; one being deleted needs none.
      if (cache.userGroupId !== userGroupId || cache.status === 'deleting' || cache.status === 'create-failed')
        continue;
      this.deps.caches.modify(cache, { users: this.deps.users.aclUsers(region, userGroupId) });
    }
  }

  /** The caches that use a user group (DescribeUserGroups' ServerlessCaches). */
  cachesUsing(region: string, userGroupId: string): string[] {
    return this.deps.caches
      .list(region)
      .filter((cache) => cache.userGroupId === userGroupId)
      .map((cache) => cache.name);
  }

  /** The cache an ARN names, for the tag actions (ServerlessCacheNotFoundFault when there is none). */
  taggable(region: string, name: string): Taggable {
    const cache = this.find(region, name);
    return { tags: cache.tags, set: (tags) => (cache.tags = tags) };
  }

  private find(region: string, rawName: string): ServerlessCacheRecord {
    const cache = this.deps.caches.find(region, rawName.toLowerCase());
    if (!cache) throw new ApiError('ServerlessCacheNotFoundFault', `Serverless cache ${rawName} not found.`, 404);
    return cache;
  }

  /** The group's users, or UserGroupNotFound / InvalidUserGroupState. */
  private usersOf(region: string, userGroupId: string): AclUser[] {
    const group = this.deps.users.findGroup(region, userGroupId);
    if (group.status !== 'active')
      throw new ApiError('InvalidUserGroupState', `User group ${group.userGroupId} is not active.`);
    return this.deps.users.aclUsers(region, userGroupId);
  }

  /** SubnetIds (default: the default VPC's) and SecurityGroupIds (default: that VPC's default group), checked. */
  private placement(
    region: string,
    subnetIds: string[],
    securityGroupIds: string[],
  ): { subnetIds: string[]; securityGroupIds: string[] } {
    const network = this.deps.network;
    let vpcId: string;
    if (subnetIds.length > 0) {
      const subnets = subnetIds.map((id) => {
        const subnet = network.subnet(region, id);
        if (!subnet) throw new ApiError('InvalidSubnet', `The subnet ID ${id} does not exist`);
        return subnet;
      });
      if (new Set(subnets.map((subnet) => subnet.vpcId)).size > 1)
        throw new ApiError('InvalidParameterCombination', 'All subnets of a serverless cache must be in the same VPC.');
      vpcId = subnets[0]!.vpcId;
    } else {
      vpcId = network.defaultVpc(region).vpcId;
      subnetIds = network
        .region(region)
        .subnets.filter((subnet) => subnet.vpcId === vpcId)
        .map((subnet) => subnet.subnetId);
    }
    if (securityGroupIds.length === 0) {
      securityGroupIds = [network.defaultSecurityGroup(region, vpcId)!.groupId];
    }
    for (const groupId of securityGroupIds) {
      const group = network.securityGroup(region, groupId);
      if (!group) throw new ApiError('InvalidParameterValue', `The security group ${groupId} does not exist.`);
      if (group.vpcId !== vpcId) {
        throw new ApiError(
          'InvalidParameterCombination',
          `The security group ${groupId} is not in VPC ${vpcId} of the cache's subnets.`,
        );
      }
    }
    return { subnetIds, securityGroupIds };
  }

  private create(params: QueryParams, region: string): Result {
    const spec = parseCreateServerlessCache(params);
    if (this.deps.caches.find(region, spec.name))
      throw new ApiError('ServerlessCacheAlreadyExistsFault', `Serverless cache ${spec.name} already exists.`);
    const users = spec.userGroupId !== undefined ? this.usersOf(region, spec.userGroupId) : undefined;
    const placement = this.placement(region, spec.subnetIds, spec.securityGroupIds);
    let binary: { path: string; version: string };
    let tls: TlsMaterial;
    try {
      binary = this.deps.engineBinary(spec.engine);
      tls = this.deps.tlsMaterial();
    } catch (error) {
      throw new ApiError('InsufficientCacheClusterCapacity', (error as Error).message);
    }
    if (!this.deps.engineHasTls(binary.path)) {
      throw new ApiError(
        'InvalidParameterCombination',
        `${binary.path} was built without TLS, and serverless caches are TLS only; install a build with TLS (Debian/Ubuntu's redis-server has it; from source: make BUILD_TLS=yes).`,
      );
    }
    const record: ServerlessCacheRecord = {
      name: spec.name,
      region,
      description: spec.description,
      status: 'creating',
      engine: spec.engine,
      majorEngineVersion: spec.majorEngineVersion,
      // The version actually served: the installed binary's major.minor.
      fullEngineVersion: binary.version.split('.').slice(0, 2).join('.'),
      cacheUsageLimits: spec.cacheUsageLimits,
      kmsKeyId: spec.kmsKeyId,
      securityGroupIds: placement.securityGroupIds,
      subnetIds: placement.subnetIds,
      userGroupId: spec.userGroupId,
      snapshotRetentionLimit: spec.snapshotRetentionLimit,
      dailySnapshotTime: spec.dailySnapshotTime,
      tags: mergeTags([], spec.tags),
      createdAt: new Date().toISOString(),
      nodes: [],
      pids: [],
    };
    this.deps.caches.create(record, { engineBinary: binary.path, tls, users });
    return [['ServerlessCache', serverlessCacheXml(record)]];
  }

  private describe(params: QueryParams, region: string): Result {
    const name = params.string('ServerlessCacheName');
    const caches = name !== undefined ? [this.find(region, name)] : this.deps.caches.list(region);
    const page = paginate(params, caches, (cache) => cache.name, true, SERVERLESS_PAGING);
    return [page.marker, xmlList('ServerlessCaches', 'member', page.items, serverlessCacheXml)];
  }

  private modify(params: QueryParams, region: string): Result {
    const spec = parseModifyServerlessCache(params);
    const cache = this.find(region, spec.name);
    if (cache.status !== 'available') {
      throw new ApiError(
        'InvalidServerlessCacheStateFault',
        `Serverless cache ${cache.name} is not in available state (status: ${cache.status}).`,
      );
    }
    if (spec.engine !== undefined && spec.engine !== cache.engine) {
      throw new ApiError(
        'InvalidParameterCombination',
        `Changing the engine of a serverless cache (${cache.engine} to ${spec.engine}) is not supported by the local emulator.`,
      );
    }
    if (spec.majorEngineVersion !== undefined && spec.majorEngineVersion !== cache.majorEngineVersion) {
      throw new ApiError(
        'InvalidParameterValue',
        `Upgrading MajorEngineVersion (${cache.majorEngineVersion} to ${spec.majorEngineVersion}) is not supported by the local emulator.`,
      );
    }
    let users: AclUser[] | null | undefined;
    if (spec.userGroupId === null) {
      if (cache.userGroupId === undefined)
        throw new ApiError(
          'InvalidParameterCombination',
          `Serverless cache ${cache.name} has no user group to remove.`,
        );
      users = null;
    } else if (spec.userGroupId !== undefined) {
      users = this.usersOf(region, spec.userGroupId);
    }
    const placement =
      spec.securityGroupIds !== undefined ? this.placement(region, cache.subnetIds, spec.securityGroupIds) : undefined;
    // Checked: now change the record.
    if (spec.description !== undefined) cache.description = spec.description;
    if (spec.cacheUsageLimits !== undefined) cache.cacheUsageLimits = spec.cacheUsageLimits;
    if (placement) cache.securityGroupIds = placement.securityGroupIds;
    if (spec.snapshotRetentionLimit !== undefined) cache.snapshotRetentionLimit = spec.snapshotRetentionLimit;
    if (spec.dailySnapshotTime !== undefined) cache.dailySnapshotTime = spec.dailySnapshotTime;
    if (spec.userGroupId !== undefined) cache.userGroupId = spec.userGroupId ?? undefined;
    this.deps.caches.modify(cache, { users });
    return [['ServerlessCache', serverlessCacheXml(cache)]];
  }

  private delete(params: QueryParams, region: string): Result {
    const name = checkServerlessCacheName(params.string('ServerlessCacheName'));
    const cache = this.find(region, name);
    if (params.string('FinalSnapshotName')) {
      throw new ApiError(
        'InvalidParameterValue',
        'Snapshots (FinalSnapshotName) are not supported by the local emulator.',
      );
    }
    if (cache.status !== 'available' && cache.status !== 'create-failed') {
      throw new ApiError(
        'InvalidServerlessCacheStateFault',
        `Serverless cache ${cache.name} is not in available state (status: ${cache.status}).`,
      );
    }
    this.deps.caches.delete(cache);
    return [['ServerlessCache', serverlessCacheXml(cache)]];
  }
}

export function serverlessCacheArn(region: string, name: string): string {
  return `arn:aws:elasticache:${region}:${ACCOUNT_ID}:serverlesscache:${name}`;
}

export function serverlessCacheXml(cache: ServerlessCacheRecord): XmlNodes {
  const limits = cache.cacheUsageLimits;
  return [
    ['ServerlessCacheName', cache.name],
    ['Description', cache.description],
    ['CreateTime', new Date(cache.createdAt)],
    ['Status', cache.status],
    ['Engine', cache.engine],
    ['MajorEngineVersion', cache.majorEngineVersion],
    ['FullEngineVersion', cache.fullEngineVersion],
    limits
      ? [
          'CacheUsageLimits',
          [
            limits.dataStorage
              ? [
                  'DataStorage',
                  [
                    ['Maximum', limits.dataStorage.maximum],
                    ['Minimum', limits.dataStorage.minimum],
                    ['Unit', limits.dataStorage.unit],
                  ],
                ]
              : undefined,
            limits.ecpuPerSecond
              ? [
                  'ECPUPerSecond',
                  [
                    ['Maximum', limits.ecpuPerSecond.maximum],
                    ['Minimum', limits.ecpuPerSecond.minimum],
                  ],
                ]
              : undefined,
          ],
        ]
      : undefined,
    ['KmsKeyId', cache.kmsKeyId],
    xmlList('SecurityGroupIds', 'SecurityGroupId', cache.securityGroupIds, (id) => id),
    ['Endpoint', endpointXml(cache.endpoint)],
    ['ReaderEndpoint', endpointXml(cache.readerEndpoint)],
    ['ARN', serverlessCacheArn(cache.region, cache.name)],
    ['UserGroupId', cache.userGroupId],
    xmlList('SubnetIds', 'SubnetId', cache.subnetIds, (id) => id),
    ['SnapshotRetentionLimit', cache.snapshotRetentionLimit],
    ['DailySnapshotTime', cache.dailySnapshotTime],
  ];
}
