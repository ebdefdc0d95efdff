/**
 * The ElastiCache actions (2015-02-02, awsQuery protocol) for cluster-mode-disabled
 * replication groups, subnet groups, engine versions and tags. Element and list member
 * names follow the service model (`<NodeGroups><NodeGroup>`, `<MemberClusters><ClusterId>`),
 * error codes are the wire codes the SDK maps to its typed exceptions.
 */
import type { EventLog } from './events.js';
import type { NodeTls } from './redis-node.js';
import type { TlsMaterial } from './tls-material.js';
import { ApiError, type QueryParams } from './query-protocol.js';
import { ACCOUNT_ID, type Ec2Network } from './ec2-network.js';
import { mergeTags } from './ec2-api.js';
import { ENGINE_VERSIONS, familyOf, reportedEngineVersion, type EngineName } from './engine-versions.js';
import { parseCreateReplicationGroup, parseTags } from './replication-group-rules.js';
import type { ReplicationGroups } from './replication-groups.js';
import type { GroupRecord, NodeRecord, PersistedState, SubnetGroupRecord, Tag } from './state.js';
import { clusterReplicationGroupXml } from './cluster-xml.js';
import { unknownAction } from './aws-actions.js';
import { modifyReplicationGroup } from './modify-replication-group.js';
import { xmlList, type XmlNode, type XmlNodes, type XmlValue } from './xml.js';
import { paginate } from './paging.js';
import { SCALING_ACTIONS, startScaling, type ScalingAction } from './scaling-api.js';

export interface ElastiCacheContext {
  region: string;
}

export interface ElastiCacheDependencies {
  /** What DescribeEvents answers from (src/local/events.ts). */
  events: EventLog;
  state: PersistedState;
  network: Ec2Network;
  groups: ReplicationGroups;
  save(): void;
  /** The binary that runs nodes of this engine, and its real version. */
  engineBinary(engine: EngineName): { path: string; version: string };
  /** The state dir's CA and server certificate, made on first use. */
  tlsMaterial(): TlsMaterial;
  /** Whether this engine binary was built with TLS. */
  engineHasTls(binaryPath: string): boolean;
  /** Taggable resources other modules own (serverless caches, users, user groups), by ARN kind. */
  otherTaggable?(kind: string, region: string, name: string): Taggable | undefined;
}

export interface Taggable {
  tags: Tag[];
  set(tags: Tag[]): void;
}

type Result = (XmlNode | undefined)[] | undefined;
type Handler = (params: QueryParams, context: ElastiCacheContext) => Result;

const DEFAULT_SUBNET_GROUP = 'default';

export class ElastiCacheApi {
  private readonly handlers: Record<string, Handler> = {
    CreateReplicationGroup: (p, c) => this.createReplicationGroup(p, c),
    DescribeReplicationGroups: (p, c) => this.describeReplicationGroups(p, c),
    DeleteReplicationGroup: (p, c) => this.deleteReplicationGroup(p, c),
    TestFailover: (p, c) => this.testFailover(p, c),
    ModifyReplicationGroup: (p, c) => [
      [
        'ReplicationGroup',
        replicationGroupXml(
          modifyReplicationGroup(this.deps, this.findGroup(c.region, p.required('ReplicationGroupId')), p),
        ),
      ],
    ],
    DescribeEvents: (p, c) => this.deps.events.describe(p, c.region),
    DescribeCacheClusters: (p, c) => this.describeCacheClusters(p, c),
    CreateCacheSubnetGroup: (p, c) => this.createCacheSubnetGroup(p, c),
    DescribeCacheSubnetGroups: (p, c) => this.describeCacheSubnetGroups(p, c),
    DeleteCacheSubnetGroup: (p, c) => this.deleteCacheSubnetGroup(p, c),
    DescribeCacheEngineVersions: (p) => this.describeCacheEngineVersions(p),
    AddTagsToResource: (p, c) => this.addTagsToResource(p, c),
    ListTagsForResource: (p, c) => this.listTagsForResource(p, c),
    RemoveTagsFromResource: (p, c) => this.removeTagsFromResource(p, c),
    ...Object.fromEntries(
      SCALING_ACTIONS.map((action) => [action, (p: QueryParams, c: ElastiCacheContext) => this.scale(action, p, c)]),
    ),
  };

  constructor(private readonly deps: ElastiCacheDependencies) {}

  handles(action: string): boolean {
    return Object.hasOwn(this.handlers, action);
  }

  handle(action: string, params: QueryParams, context: ElastiCacheContext): Result {
    const handler = this.handlers[action];
    if (!handler) throw unknownAction('elasticache', action);
    return handler(params, context);
  }

  // ---- replication groups -----------------------------------------------------------

  private findGroup(region: string, rawId: string): GroupRecord {
    const group = this.deps.groups.find(region, rawId.toLowerCase());
    if (!group) throw new ApiError('ReplicationGroupNotFoundFault', `Replication group ${rawId} not found.`, 404);
    return group;
  }

  private createReplicationGroup(params: QueryParams, { region }: ElastiCacheContext): Result {
    const spec = parseCreateReplicationGroup(params, region);
    if (this.deps.groups.find(region, spec.id)) {
      throw new ApiError('ReplicationGroupAlreadyExists', `Replication group ${spec.id} already exists.`);
    }
    const subnetGroup = this.subnetGroupFor(region, spec.cacheSubnetGroupName);
    const securityGroupIds =
      spec.securityGroupIds.length > 0
        ? spec.securityGroupIds
        : [this.deps.network.defaultSecurityGroup(region, subnetGroup.vpcId)!.groupId];
    for (const groupId of securityGroupIds) {
      const securityGroup = this.deps.network.securityGroup(region, groupId);
      if (!securityGroup) throw new ApiError('InvalidParameterValue', `The security group ${groupId} does not exist.`);
      if (securityGroup.vpcId !== subnetGroup.vpcId) {
        throw new ApiError(
          'InvalidParameterCombination',
          `The security group ${groupId} is not in VPC ${subnetGroup.vpcId} of cache subnet group ${subnetGroup.name}.`,
        );
      }
    }
    let binary: { path: string; version: string };
    try {
      binary = this.deps.engineBinary(spec.engine);
    } catch (error) {
      throw new ApiError('InsufficientCacheClusterCapacity', (error as Error).message);
    }
    let tls: NodeTls | undefined;
    if (spec.transitEncryption) {
      if (!this.deps.engineHasTls(binary.path)) {
        throw new ApiError(
          'InvalidParameterCombination',
          `${binary.path} was built without TLS, so the local emulator cannot serve TransitEncryptionEnabled; install a build with TLS (Debian/Ubuntu's redis-server has it; from source: make BUILD_TLS=yes) or turn transit encryption off.`,
        );
      }
      let material: TlsMaterial;
      try {
        material = this.deps.tlsMaterial();
      } catch (error) {
        throw new ApiError('InsufficientCacheClusterCapacity', (error as Error).message);
      }
      tls = {
        mode: spec.transitEncryptionMode ?? 'required',
        certFile: material.certFile,
        keyFile: material.keyFile,
        caCertFile: material.caCertFile,
      };
    }
    const now = new Date().toISOString();
    const nodes: NodeRecord[] = spec.shards
      ? spec.shards.flatMap((shard) =>
          shard.memberIds.map(
            (nodeId, index) =>
              ({
                nodeId,
                nodeGroupId: shard.nodeGroupId,
                role: index === 0 ? 'primary' : 'replica',
                availabilityZone: shard.availabilityZones[index]!,
              }) as NodeRecord,
          ),
        )
      : spec.nodeIds.map((nodeId, index) => ({
          nodeId,
          role: index === 0 ? 'primary' : 'replica',
          availabilityZone: spec.availabilityZones[index]!,
        }));
    const record: GroupRecord = {
      id: spec.id,
      region,
      description: spec.description,
      status: 'creating',
      engine: spec.engine,
      engineVersion: reportedEngineVersion(spec.engine, spec.requestedEngineVersion),
      engineBinaryVersion: binary.version,
      cacheNodeType: spec.cacheNodeType,
      automaticFailover: spec.automaticFailover,
      multiAZ: spec.multiAZ,
      cacheSubnetGroupName: subnetGroup.name,
      securityGroupIds,
      transitEncryption: spec.transitEncryption,
      transitEncryptionMode: spec.transitEncryptionMode,
      atRestEncryption: spec.atRestEncryption,
      authTokenEnabled: spec.authToken !== undefined,
      authTokenLastModified: spec.authToken !== undefined ? now : undefined,
      snapshotRetentionLimit: spec.snapshotRetentionLimit,
      snapshotWindow: spec.snapshotWindow,
      maintenanceWindow: spec.maintenanceWindow,
      autoMinorVersionUpgrade: spec.autoMinorVersionUpgrade,
      tags: mergeTags([], spec.tags),
      createdAt: now,
      nodes,
      shards: spec.shards?.map((shard) => ({ nodeGroupId: shard.nodeGroupId, slots: shard.slots })),
      ...(spec.shards && params.string('ClusterMode')?.toLowerCase() === 'compatible'
        ? { clusterMode: 'compatible' as const }
        : {}),
      pids: [],
    };
    this.deps.groups.create(record, { engineBinary: binary.path, authToken: spec.authToken, tls });
    return [['ReplicationGroup', replicationGroupXml(record)]];
  }

  /** The named subnet group, or the region's `default` one (made from the default VPC on first use, as AWS does). */
  private subnetGroupFor(region: string, name: string | undefined): SubnetGroupRecord {
    const wanted = name ?? DEFAULT_SUBNET_GROUP;
    const found = this.findSubnetGroup(region, wanted);
    if (found) return found;
    if (wanted !== DEFAULT_SUBNET_GROUP) {
      throw new ApiError('CacheSubnetGroupNotFoundFault', `Cache subnet group ${wanted} not found.`);
    }
    const vpc = this.deps.network.defaultVpc(region);
    const created: SubnetGroupRecord = {
      name: DEFAULT_SUBNET_GROUP,
      region,
      description: 'Default CacheSubnetGroup',
      vpcId: vpc.vpcId,
      subnetIds: this.deps.network
        .region(region)
        .subnets.filter((s) => s.vpcId === vpc.vpcId)
        .map((s) => s.subnetId),
      tags: [],
    };
    this.deps.state.subnetGroups.push(created);
    this.deps.save();
    return created;
  }

  private describeReplicationGroups(params: QueryParams, { region }: ElastiCacheContext): Result {
    const id = params.string('ReplicationGroupId');
    const groups = id !== undefined ? [this.findGroup(region, id)] : this.deps.groups.list(region);
    const page = paginate(params, groups, (group) => group.id);
    return [page.marker, xmlList('ReplicationGroups', 'ReplicationGroup', page.items, replicationGroupXml)];
  }

  private deleteReplicationGroup(params: QueryParams, { region }: ElastiCacheContext): Result {
    const group = this.findGroup(region, params.required('ReplicationGroupId'));
    if (params.boolean('RetainPrimaryCluster')) {
      throw new ApiError('InvalidParameterValue', 'RetainPrimaryCluster is not supported by the local emulator.');
    }
    if (params.string('FinalSnapshotIdentifier')) {
      throw new ApiError(
        'InvalidParameterValue',
        'Snapshots (FinalSnapshotIdentifier) are not supported by the local emulator.',
      );
    }
    if (group.status !== 'available' && group.status !== 'create-failed') {
      throw new ApiError(
        'InvalidReplicationGroupState',
        `Replication group ${group.id} is not in available state (status: ${group.status}).`,
      );
    }
    this.deps.groups.delete(group);
    return [['ReplicationGroup', replicationGroupXml(group)]];
  }

  private testFailover(params: QueryParams, { region }: ElastiCacheContext): Result {
    const group = this.findGroup(region, params.required('ReplicationGroupId'));
    const nodeGroupId = params.required('NodeGroupId');
    const known = group.shards ? group.shards.map((shard) => shard.nodeGroupId) : ['0001'];
    if (!known.includes(nodeGroupId))
      throw new ApiError(
        'NodeGroupNotFoundFault',
        `The node group ${nodeGroupId} was not found for replication group ${group.id}.`,
        404,
      );
    if (group.status !== 'available') {
      throw new ApiError(
        'InvalidReplicationGroupState',
        `Replication group ${group.id} is not in available state (status: ${group.status}).`,
      );
    }
    if (!group.automaticFailover || group.nodes.length < 2) {
      throw new ApiError(
        'InvalidReplicationGroupState',
        `Replication group ${group.id} must have automatic failover enabled and at least one replica for a test failover.`,
      );
    }
    this.deps.groups.failover(group, nodeGroupId);
    return [['ReplicationGroup', replicationGroupXml(group)]];
  }

  /** Increase/DecreaseReplicaCount, ModifyReplicationGroupShardConfiguration (scaling-api.ts). */
  private scale(action: ScalingAction, params: QueryParams, { region }: ElastiCacheContext): Result {
    const group = this.findGroup(region, params.required('ReplicationGroupId'));
    startScaling(action, params, group, this.deps.groups);
    return [['ReplicationGroup', replicationGroupXml(group)]];
  }

  // ---- cache clusters (one per node) --------------------------------------------------

  private describeCacheClusters(params: QueryParams, { region }: ElastiCacheContext): Result {
    const showNodes = params.boolean('ShowCacheNodeInfo') ?? false;
    const onlyOutsideGroups = params.boolean('ShowCacheClustersNotInReplicationGroups') ?? false;
    const all = this.deps.groups
      .list(region)
      .flatMap((group) => group.nodes.map((node) => ({ group, node })))
      .sort((a, b) => (a.node.nodeId < b.node.nodeId ? -1 : 1));
    const id = params.string('CacheClusterId');
    let clusters = all;
    if (id !== undefined) {
      clusters = all.filter(({ node }) => node.nodeId === id.toLowerCase());
      if (clusters.length === 0) throw new ApiError('CacheClusterNotFound', `CacheCluster not found: ${id}`, 404);
    }
    if (onlyOutsideGroups) clusters = []; // every emulated cluster belongs to a replication group
    const page = paginate(params, clusters, ({ node }) => node.nodeId);
    return [
      page.marker,
      xmlList('CacheClusters', 'CacheCluster', page.items, ({ group, node }) =>
        cacheClusterXml(group, node, showNodes),
      ),
    ];
  }

  // ---- cache subnet groups ------------------------------------------------------------

  private findSubnetGroup(region: string, name: string): SubnetGroupRecord | undefined {
    return this.deps.state.subnetGroups.find((group) => group.region === region && group.name === name.toLowerCase());
  }

  private createCacheSubnetGroup(params: QueryParams, { region }: ElastiCacheContext): Result {
    const rawName = params.required('CacheSubnetGroupName');
    if (rawName.length > 255 || !/^[A-Za-z0-9-]+$/.test(rawName)) {
      throw new ApiError(
        'InvalidParameterValue',
        `Cache subnet group name must be 1-255 letters, digits or hyphens (got ${JSON.stringify(rawName)}).`,
      );
    }
    const name = rawName.toLowerCase();
    if (name === DEFAULT_SUBNET_GROUP)
      throw new ApiError('InvalidParameterValue', 'The cache subnet group name default is reserved.');
    const description = params.required('CacheSubnetGroupDescription');
    const subnetIds = params.list('SubnetIds.SubnetIdentifier');
    if (subnetIds.length === 0)
      throw new ApiError('InvalidParameterValue', 'At least one subnet id is required (SubnetIds).');
    if (this.findSubnetGroup(region, name))
      throw new ApiError('CacheSubnetGroupAlreadyExists', `Cache subnet group ${name} already exists.`);
    const subnets = subnetIds.map((subnetId) => {
      const subnet = this.deps.network.subnet(region, subnetId);
      if (!subnet) throw new ApiError('InvalidSubnet', `The subnet ID ${subnetId} does not exist`);
      return subnet;
    });
    const vpcIds = new Set(subnets.map((subnet) => subnet.vpcId));
    if (vpcIds.size > 1)
      throw new ApiError('InvalidSubnet', 'All subnets of a cache subnet group must be in the same VPC.');
    const record: SubnetGroupRecord = {
      name,
      region,
      description,
      vpcId: subnets[0]!.vpcId,
      subnetIds: [...new Set(subnetIds)],
      tags: mergeTags([], parseTags(params.structs('Tags.Tag'))),
    };
    this.deps.state.subnetGroups.push(record);
    this.deps.save();
    return [['CacheSubnetGroup', this.subnetGroupXml(record)]];
  }

  private describeCacheSubnetGroups(params: QueryParams, { region }: ElastiCacheContext): Result {
    const name = params.string('CacheSubnetGroupName');
    let groups: SubnetGroupRecord[];
    if (name !== undefined) {
      const found = this.findSubnetGroup(region, name);
      if (!found) throw new ApiError('CacheSubnetGroupNotFoundFault', `Cache subnet group ${name} not found.`);
      groups = [found];
    } else {
      groups = this.deps.state.subnetGroups
        .filter((group) => group.region === region)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
    const page = paginate(params, groups, (group) => group.name);
    return [
      page.marker,
      xmlList('CacheSubnetGroups', 'CacheSubnetGroup', page.items, (group) => this.subnetGroupXml(group)),
    ];
  }

  private deleteCacheSubnetGroup(params: QueryParams, { region }: ElastiCacheContext): Result {
    const name = params.required('CacheSubnetGroupName');
    const group = this.findSubnetGroup(region, name);
    if (!group) throw new ApiError('CacheSubnetGroupNotFoundFault', `Cache subnet group ${name} not found.`);
    if (group.name === DEFAULT_SUBNET_GROUP)
      throw new ApiError('InvalidParameterValue', 'The default cache subnet group cannot be deleted.');
    if (this.deps.groups.list(region).some((rg) => rg.cacheSubnetGroupName === group.name)) {
      throw new ApiError(
        'CacheSubnetGroupInUse',
        `Cache subnet group ${group.name} is currently in use by a cache cluster.`,
      );
    }
    this.deps.state.subnetGroups = this.deps.state.subnetGroups.filter((g) => g !== group);
    this.deps.save();
    return undefined;
  }

  private subnetGroupXml(group: SubnetGroupRecord): XmlNodes {
    return [
      ['CacheSubnetGroupName', group.name],
      ['CacheSubnetGroupDescription', group.description],
      ['VpcId', group.vpcId],
      xmlList('Subnets', 'Subnet', group.subnetIds, (subnetId) => [
        ['SubnetIdentifier', subnetId],
        ['SubnetAvailabilityZone', [['Name', this.deps.network.subnet(group.region, subnetId)?.availabilityZone]]],
        xmlList('SupportedNetworkTypes', 'member', ['ipv4'], (type) => type),
      ]),
      ['ARN', arn(group.region, 'subnetgroup', group.name)],
      xmlList('SupportedNetworkTypes', 'member', ['ipv4'], (type) => type),
    ];
  }

  // ---- engine versions ------------------------------------------------------------------

  private describeCacheEngineVersions(params: QueryParams): Result {
    const engine = params.string('Engine')?.toLowerCase();
    const version = params.string('EngineVersion');
    const family = params.string('CacheParameterGroupFamily');
    const defaultOnly = params.boolean('DefaultOnly') ?? false;
    let entries = ENGINE_VERSIONS.filter(
      (entry) =>
        (!engine || entry.engine === engine) &&
        (!version || entry.version === version) &&
        (!family || entry.family === family),
    );
    if (defaultOnly) {
      const lastPerEngine = new Map(entries.map((entry) => [entry.engine, entry]));
      entries = [...lastPerEngine.values()];
    }
    const page = paginate(params, entries, (entry) => `${entry.engine}/${entry.version}`, false);
    return [
      page.marker,
      xmlList('CacheEngineVersions', 'CacheEngineVersion', page.items, (entry) => [
        ['Engine', entry.engine],
        ['EngineVersion', entry.version],
        ['CacheParameterGroupFamily', entry.family],
        ['CacheEngineDescription', entry.engine === 'redis' ? 'Redis' : 'Valkey'],
        ['CacheEngineVersionDescription', `${entry.engine} version ${entry.version}`],
      ]),
    ];
  }

  // ---- tags -------------------------------------------------------------------------------

  /** The taggable thing an ARN names; tags of a member cluster are its group's. */
  private taggable(resourceName: string): Taggable {
    const match =
      /^arn:aws:elasticache:([a-z0-9-]+):(\d{12}):(replicationgroup|subnetgroup|cluster|serverlesscache|user|usergroup):([A-Za-z0-9-]+)$/.exec(
        resourceName,
      );
    if (!match) throw new ApiError('InvalidARN', `The ARN ${resourceName} is not valid.`);
    const [, region, , kind, name] = match as unknown as [string, string, string, string, string];
    const other = this.deps.otherTaggable?.(kind, region, name);
    if (other) return other;
    if (kind === 'subnetgroup') {
      const group = this.findSubnetGroup(region, name);
      if (!group) throw new ApiError('CacheSubnetGroupNotFoundFault', `Cache subnet group ${name} not found.`);
      return { tags: group.tags, set: (tags) => (group.tags = tags) };
    }
    if (kind === 'replicationgroup') {
      const group = this.findGroup(region, name);
      return { tags: group.tags, set: (tags) => (group.tags = tags) };
    }
    const group = this.deps.groups
      .list(region)
      .find((rg) => rg.nodes.some((node) => node.nodeId === name.toLowerCase()));
    if (!group) throw new ApiError('CacheClusterNotFound', `CacheCluster not found: ${name}`, 404);
    return { tags: group.tags, set: (tags) => (group.tags = tags) };
  }

  private addTagsToResource(params: QueryParams, _context: ElastiCacheContext): Result {
    const target = this.taggable(params.required('ResourceName'));
    const merged = mergeTags(target.tags, parseTags(params.structs('Tags.Tag')));
    if (merged.length > 50) throw new ApiError('TagQuotaPerResourceExceeded', 'A resource can have at most 50 tags.');
    target.set(merged);
    this.deps.save();
    return [tagListXml(merged)];
  }

  private listTagsForResource(params: QueryParams, _context: ElastiCacheContext): Result {
    return [tagListXml(this.taggable(params.required('ResourceName')).tags)];
  }

  private removeTagsFromResource(params: QueryParams, _context: ElastiCacheContext): Result {
    const target = this.taggable(params.required('ResourceName'));
    const keys = new Set(params.list('TagKeys.member'));
    const missing = [...keys].find((key) => !target.tags.some((tag) => tag.Key === key));
    if (missing !== undefined) throw new ApiError('TagNotFound', `Tag ${missing} not found.`, 404);
    const kept = target.tags.filter((tag) => !keys.has(tag.Key));
    target.set(kept);
    this.deps.save();
    return [tagListXml(kept)];
  }
}

// ---- XML of the model's structures ----------------------------------------------------

export function arn(region: string, kind: 'replicationgroup' | 'subnetgroup' | 'cluster', name: string): string {
  return `arn:aws:elasticache:${region}:${ACCOUNT_ID}:${kind}:${name}`;
}

function tagListXml(tags: Tag[]): XmlNode {
  return xmlList('TagList', 'Tag', tags, (tag) => [
    ['Key', tag.Key],
    ['Value', tag.Value],
  ])!;
}

export function endpointXml(endpoint: { address: string; port: number } | undefined): XmlValue {
  return endpoint
    ? [
        ['Address', endpoint.address],
        ['Port', endpoint.port],
      ]
    : undefined;
}

function nodeEndpoint(node: NodeRecord, host: string | undefined): { address: string; port: number } | undefined {
  return node.port !== undefined && host !== undefined ? { address: host, port: node.port } : undefined;
}

/** Node addresses are the host the group's endpoints listen on (127.0.0.1 unless --host). */
function hostOf(group: GroupRecord): string | undefined {
  return (group.primaryEndpoint ?? group.configurationEndpoint)?.address;
}

function enabled(flag: boolean): string {
  return flag ? 'enabled' : 'disabled';
}

export function replicationGroupXml(group: GroupRecord): XmlNodes {
  if (group.shards) return clusterReplicationGroupXml(group, replicationGroupXmlDisabled(group));
  return replicationGroupXmlDisabled(group);
}

function replicationGroupXmlDisabled(group: GroupRecord): XmlNodes {
  const host = hostOf(group);
  const primary = group.nodes.find((node) => node.role === 'primary');
  return [
    ['ReplicationGroupId', group.id],
    ['Description', group.description],
    ['Status', group.status],
    ['PendingModifiedValues', pendingXml(group)],
    xmlList('MemberClusters', 'ClusterId', group.nodes, (node) => node.nodeId),
    xmlList('NodeGroups', 'NodeGroup', [group], () => [
      ['NodeGroupId', '0001'],
      ['Status', group.status],
      ['PrimaryEndpoint', endpointXml(group.primaryEndpoint)],
      ['ReaderEndpoint', endpointXml(group.readerEndpoint)],
      xmlList('NodeGroupMembers', 'NodeGroupMember', group.nodes, (node) => [
        ['CacheClusterId', node.nodeId],
        ['CacheNodeId', '0001'],
        ['ReadEndpoint', endpointXml(nodeEndpoint(node, host))],
        ['PreferredAvailabilityZone', node.availabilityZone],
        ['CurrentRole', group.primaryEndpoint ? node.role : undefined],
      ]),
    ]),
    ['SnapshottingClusterId', group.snapshotRetentionLimit > 0 ? (group.nodes[1] ?? primary)?.nodeId : undefined],
    ['AutomaticFailover', enabled(group.automaticFailover)],
    ['MultiAZ', enabled(group.multiAZ)],
    ['SnapshotRetentionLimit', group.snapshotRetentionLimit],
    ['SnapshotWindow', group.snapshotWindow],
    ['ClusterEnabled', false],
    ['CacheNodeType', group.cacheNodeType],
    ['AuthTokenEnabled', group.authTokenEnabled],
    ['AuthTokenLastModifiedDate', group.authTokenLastModified ? new Date(group.authTokenLastModified) : undefined],
    ['TransitEncryptionEnabled', group.transitEncryption],
    ['TransitEncryptionMode', group.transitEncryptionMode],
    ['AtRestEncryptionEnabled', group.atRestEncryption],
    ['ARN', arn(group.region, 'replicationgroup', group.id)],
    ['ReplicationGroupCreateTime', new Date(group.createdAt)],
    ['DataTiering', 'disabled'],
    ['AutoMinorVersionUpgrade', group.autoMinorVersionUpgrade],
    ['NetworkType', 'ipv4'],
    ['IpDiscovery', 'ipv4'],
    ['ClusterMode', 'disabled'],
    ['Engine', group.engine],
  ];
}

function pendingXml(group: GroupRecord): XmlNodes {
  const pending = group.pendingModifiedValues;
  if (!pending) return [];
  return [
    ['AuthTokenStatus', pending.authTokenStatus],
    ['TransitEncryptionEnabled', pending.transitEncryptionEnabled],
    ['TransitEncryptionMode', pending.transitEncryptionMode],
  ];
}

function clusterStatus(group: GroupRecord): string {
  return group.status === 'create-failed' ? 'create-failed' : group.status;
}

function cacheClusterXml(group: GroupRecord, node: NodeRecord, showNodes: boolean): XmlNodes {
  const endpoint = nodeEndpoint(node, hostOf(group));
  return [
    ['CacheClusterId', node.nodeId],
    ['ClientDownloadLandingPage', 'https://console.aws.amazon.com/elasticache/home#client-download:'],
    ['CacheNodeType', group.cacheNodeType],
    ['Engine', group.engine],
    ['EngineVersion', group.engineVersion],
    ['CacheClusterStatus', clusterStatus(group)],
    ['NumCacheNodes', 1],
    ['PreferredAvailabilityZone', node.availabilityZone],
    ['CacheClusterCreateTime', new Date(group.createdAt)],
    ['PreferredMaintenanceWindow', group.maintenanceWindow],
    ['PendingModifiedValues', []],
    ['CacheSecurityGroups', []],
    [
      'CacheParameterGroup',
      [
        ['CacheParameterGroupName', `default.${familyOf(group.engine, group.engineVersion)}`],
        ['ParameterApplyStatus', 'in-sync'],
        ['CacheNodeIdsToReboot', []],
      ],
    ],
    ['CacheSubnetGroupName', group.cacheSubnetGroupName],
    showNodes
      ? xmlList('CacheNodes', 'CacheNode', [node], () => [
          ['CacheNodeId', '0001'],
          ['CacheNodeStatus', clusterStatus(group)],
          ['CacheNodeCreateTime', new Date(group.createdAt)],
          ['Endpoint', endpointXml(endpoint)],
          ['ParameterGroupStatus', 'in-sync'],
          ['CustomerAvailabilityZone', node.availabilityZone],
        ])
      : undefined,
    ['AutoMinorVersionUpgrade', group.autoMinorVersionUpgrade],
    xmlList('SecurityGroups', 'member', group.securityGroupIds, (id) => [
      ['SecurityGroupId', id],
      ['Status', 'active'],
    ]),
    ['ReplicationGroupId', group.id],
    ['SnapshotRetentionLimit', group.snapshotRetentionLimit],
    ['SnapshotWindow', group.snapshotWindow],
    ['AuthTokenEnabled', group.authTokenEnabled],
    ['AuthTokenLastModifiedDate', group.authTokenLastModified ? new Date(group.authTokenLastModified) : undefined],
    ['TransitEncryptionEnabled', group.transitEncryption],
    ['TransitEncryptionMode', group.transitEncryptionMode],
    ['AtRestEncryptionEnabled', group.atRestEncryption],
    ['ARN', arn(group.region, 'cluster', node.nodeId)],
    ['ReplicationGroupLogDeliveryEnabled', false],
    ['NetworkType', 'ipv4'],
    ['IpDiscovery', 'ipv4'],
  ];
}
