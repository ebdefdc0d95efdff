/**
 * The EC2 actions the tool needs (2016-11-15, ec2 query protocol): VPCs, subnets, security
 * groups and tags. Responses use EC2's camelCase members and `<item>` lists; errors use
 * EC2's codes (`InvalidGroup.Duplicate`, `InvalidGroup.NotFound`, `InvalidPermission.Duplicate`).
 */
import { ApiError, type QueryParams } from './query-protocol.js';
import { unknownAction } from './aws-actions.js';
import { ACCOUNT_ID, type Ec2Network, resourceId } from './ec2-network.js';
import type { RuleRecord, SecurityGroupRecord, SubnetRecord, Tag, VpcRecord } from './state.js';
import { xmlList, type XmlNode, type XmlNodes } from './xml.js';

export interface Ec2Context {
  region: string;
}

export interface Ec2Dependencies {
  network: Ec2Network;
  /** Persist after a change. */
  save(): void;
  /** The replication group that uses this security group, if one does (DependencyViolation). */
  securityGroupUser(region: string, groupId: string): string | undefined;
}

export type Members = (XmlNode | undefined)[];
type Handler = (params: QueryParams, context: Ec2Context) => Members;

export class Ec2Api {
  private readonly handlers: Record<string, Handler> = {
    DescribeVpcs: (p, c) => this.describeVpcs(p, c),
    DescribeSubnets: (p, c) => this.describeSubnets(p, c),
    DescribeSecurityGroups: (p, c) => this.describeSecurityGroups(p, c),
    CreateSecurityGroup: (p, c) => this.createSecurityGroup(p, c),
    AuthorizeSecurityGroupIngress: (p, c) => this.authorizeIngress(p, c),
    DeleteSecurityGroup: (p, c) => this.deleteSecurityGroup(p, c),
    CreateTags: (p, c) => this.createTags(p, c),
    DescribeAvailabilityZones: (p, c) => this.describeAvailabilityZones(p, c),
    DescribeInstances: (p, c) => this.describeInstances?.(p, c) ?? [['reservationSet', []]],
  };
  private describeInstances?: Handler;

  constructor(private readonly deps: Ec2Dependencies) {}

  /** DescribeInstances answers from the emulated instances (ec2-instances.ts). */
  describeInstancesWith(handler: Handler): void {
    this.describeInstances = handler;
  }

  handles(action: string): boolean {
    return Object.hasOwn(this.handlers, action);
  }

  handle(action: string, params: QueryParams, context: Ec2Context): Members {
    const handler = this.handlers[action];
    if (!handler) throw unknownAction('ec2', action);
    return handler(params, context);
  }

  private get network(): Ec2Network {
    return this.deps.network;
  }

  private tagsOf(region: string, id: string): Tag[] {
    return this.network.region(region).tags[id] ?? [];
  }

  // ---- VPCs and subnets -------------------------------------------------------------

  private describeVpcs(params: QueryParams, { region }: Ec2Context): Members {
    const network = this.network.region(region);
    const ids = params.list('VpcId');
    for (const id of ids) {
      if (!network.vpcs.some((vpc) => vpc.vpcId === id))
        throw new ApiError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
    }
    const vpcs = network.vpcs.filter((vpc) => ids.length === 0 || ids.includes(vpc.vpcId));
    const matching = applyFilters(params, vpcs, (vpc, name) => vpcFilter(vpc, name, this.tagsOf(region, vpc.vpcId)));
    const page = paginate(params, matching);
    return [xmlList('vpcSet', 'item', page.items, (vpc) => this.vpcXml(region, vpc)), page.next];
  }

  private vpcXml(region: string, vpc: VpcRecord): XmlNodes {
    return [
      ['vpcId', vpc.vpcId],
      ['ownerId', ACCOUNT_ID],
      ['state', 'available'],
      ['cidrBlock', vpc.cidrBlock],
      [
        'cidrBlockAssociationSet',
        [
          [
            'item',
            [
              ['cidrBlock', vpc.cidrBlock],
              ['associationId', vpc.associationId],
              ['cidrBlockState', [['state', 'associated']]],
            ],
          ],
        ],
      ],
      ['ipv6CidrBlockAssociationSet', []],
      ['dhcpOptionsId', vpc.dhcpOptionsId],
      ['instanceTenancy', 'default'],
      ['isDefault', vpc.isDefault],
      tagSetXml(this.tagsOf(region, vpc.vpcId)),
    ];
  }

  private describeSubnets(params: QueryParams, { region }: Ec2Context): Members {
    const network = this.network.region(region);
    const ids = params.list('SubnetId');
    for (const id of ids) {
      if (!network.subnets.some((subnet) => subnet.subnetId === id)) {
        throw new ApiError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
      }
    }
    const subnets = network.subnets.filter((subnet) => ids.length === 0 || ids.includes(subnet.subnetId));
    const matching = applyFilters(params, subnets, (subnet, name) =>
      subnetFilter(subnet, name, this.tagsOf(region, subnet.subnetId)),
    );
    const page = paginate(params, matching);
    return [xmlList('subnetSet', 'item', page.items, (subnet) => this.subnetXml(region, subnet)), page.next];
  }

  private subnetXml(region: string, subnet: SubnetRecord): XmlNodes {
    return [
      ['subnetId', subnet.subnetId],
      ['subnetArn', `arn:aws:ec2:${region}:${ACCOUNT_ID}:subnet/${subnet.subnetId}`],
      ['state', 'available'],
      ['ownerId', ACCOUNT_ID],
      ['vpcId', subnet.vpcId],
      ['cidrBlock', subnet.cidrBlock],
      ['ipv6CidrBlockAssociationSet', []],
      ['availableIpAddressCount', 4091],
      ['availabilityZone', subnet.availabilityZone],
      ['availabilityZoneId', subnet.availabilityZoneId],
      ['defaultForAz', subnet.defaultForAz],
      ['mapPublicIpOnLaunch', subnet.defaultForAz],
      ['assignIpv6AddressOnCreation', false],
      ['ipv6Native', false],
      ['mapCustomerOwnedIpOnLaunch', false],
      ['enableDns64', false],
      tagSetXml(this.tagsOf(region, subnet.subnetId)),
    ];
  }

  private describeAvailabilityZones(_params: QueryParams, { region }: Ec2Context): Members {
    const subnets = this.network.region(region).subnets.filter((subnet) => subnet.defaultForAz);
    return [
      xmlList('availabilityZoneInfo', 'item', subnets, (subnet) => [
        ['zoneName', subnet.availabilityZone],
        ['zoneId', subnet.availabilityZoneId],
        ['zoneState', 'available'],
        ['regionName', region],
        ['zoneType', 'availability-zone'],
        ['optInStatus', 'opt-in-not-required'],
      ]),
    ];
  }

  // ---- security groups --------------------------------------------------------------

  private describeSecurityGroups(params: QueryParams, { region }: Ec2Context): Members {
    const network = this.network.region(region);
    const ids = params.list('GroupId');
    const names = params.list('GroupName');
    for (const id of ids) {
      if (!this.network.securityGroup(region, id)) throw groupNotFound(id);
    }
    const defaultVpc = this.network.defaultVpc(region).vpcId;
    for (const name of names) {
      if (!network.securityGroups.some((group) => group.groupName === name && group.vpcId === defaultVpc)) {
        throw new ApiError(
          'InvalidGroup.NotFound',
          `The security group '${name}' does not exist in default VPC '${defaultVpc}'`,
        );
      }
    }
    const groups = network.securityGroups.filter(
      (group) =>
        (ids.length === 0 && names.length === 0) ||
        ids.includes(group.groupId) ||
        (names.includes(group.groupName) && group.vpcId === defaultVpc),
    );
    const matching = applyFilters(params, groups, (group, name) =>
      securityGroupFilter(group, name, this.tagsOf(region, group.groupId)),
    );
    const page = paginate(params, matching);
    return [
      xmlList('securityGroupInfo', 'item', page.items, (group) => this.securityGroupXml(region, group)),
      page.next,
    ];
  }

  private securityGroupXml(region: string, group: SecurityGroupRecord): XmlNodes {
    return [
      ['ownerId', ACCOUNT_ID],
      ['groupId', group.groupId],
      ['groupName', group.groupName],
      ['groupDescription', group.description],
      ['vpcId', group.vpcId],
      ['securityGroupArn', securityGroupArn(region, group.groupId)],
      ['ipPermissions', permissionsXml(group.ingress)],
      ['ipPermissionsEgress', permissionsXml(group.egress)],
      tagSetXml(this.tagsOf(region, group.groupId)),
    ];
  }

  private createSecurityGroup(params: QueryParams, { region }: Ec2Context): Members {
    const name = params.required('GroupName');
    const description = params.required('GroupDescription');
    if (name.length > 255)
      throw new ApiError(
        'InvalidParameterValue',
        `Value (${name}) for parameter GroupName is invalid. Length exceeds maximum of 255.`,
      );
    if (description.length > 255)
      throw new ApiError(
        'InvalidParameterValue',
        'Value for parameter GroupDescription is invalid. Length exceeds maximum of 255.',
      );
    if (name.toLowerCase().startsWith('sg-')) {
      throw new ApiError(
        'InvalidParameterValue',
        `Value (${name}) for parameter GroupName is invalid. Group names may not be in the format sg-*.`,
      );
    }
    const vpcId = params.string('VpcId') ?? this.network.defaultVpc(region).vpcId;
    if (!this.network.vpc(region, vpcId))
      throw new ApiError('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
    const network = this.network.region(region);
    if (network.securityGroups.some((group) => group.vpcId === vpcId && group.groupName === name)) {
      throw new ApiError('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpcId}'`);
    }
    const tags = tagSpecificationTags(params, 'security-group');
    const group: SecurityGroupRecord = {
      groupId: resourceId('sg'),
      groupName: name,
      description,
      vpcId,
      ingress: [],
      egress: [{ ruleId: resourceId('sgr'), ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' }],
    };
    network.securityGroups.push(group);
    if (tags.length > 0) network.tags[group.groupId] = mergeTags([], tags);
    this.deps.save();
    return [
      ['return', true],
      ['groupId', group.groupId],
      ['securityGroupArn', securityGroupArn(region, group.groupId)],
      tags.length > 0 ? tagSetXml(network.tags[group.groupId]!) : undefined,
    ];
  }

  private resolveGroup(params: QueryParams, region: string): SecurityGroupRecord {
    const id = params.string('GroupId');
    if (id) {
      const group = this.network.securityGroup(region, id);
      if (!group) throw groupNotFound(id);
      return group;
    }
    const name = params.string('GroupName');
    if (!name) throw new ApiError('MissingParameter', 'The request must contain the parameter GroupId or GroupName');
    const defaultVpc = this.network.defaultVpc(region).vpcId;
    const group = this.network
      .region(region)
      .securityGroups.find((g) => g.groupName === name && g.vpcId === defaultVpc);
    if (!group)
      throw new ApiError(
        'InvalidGroup.NotFound',
        `The security group '${name}' does not exist in default VPC '${defaultVpc}'`,
      );
    return group;
  }

  private authorizeIngress(params: QueryParams, { region }: Ec2Context): Members {
    const group = this.resolveGroup(params, region);
    const rules = this.requestedRules(params, region);
    if (rules.length === 0)
      throw new ApiError('MissingParameter', 'The request must contain the parameter IpPermissions');
    // A rule already on the group, or given twice in this request, is a duplicate.
    rules.forEach((rule, index) => {
      const earlier = [...group.ingress, ...rules.slice(0, index)];
      if (earlier.some((existing) => sameRule(existing, rule))) {
        throw new ApiError('InvalidPermission.Duplicate', `the specified rule "${describeRule(rule)}" already exists`);
      }
    });
    group.ingress.push(...rules);
    const tags = tagSpecificationTags(params, 'security-group-rule');
    if (tags.length > 0) for (const rule of rules) this.network.region(region).tags[rule.ruleId] = mergeTags([], tags);
    this.deps.save();
    return [
      ['return', true],
      xmlList('securityGroupRuleSet', 'item', rules, (rule) => [
        ['securityGroupRuleId', rule.ruleId],
        ['groupId', group.groupId],
        ['groupOwnerId', ACCOUNT_ID],
        ['isEgress', false],
        ['ipProtocol', rule.ipProtocol],
        ['fromPort', rule.fromPort ?? -1],
        ['toPort', rule.toPort ?? -1],
        ['cidrIpv4', rule.cidrIpv4],
        ['cidrIpv6', rule.cidrIpv6],
        rule.groupId
          ? [
              'referencedGroupInfo',
              [
                ['groupId', rule.groupId],
                ['userId', ACCOUNT_ID],
              ],
            ]
          : undefined,
        ['description', rule.description],
        tags.length > 0 ? tagSetXml(tags) : undefined,
      ]),
    ];
  }

  /** One rule per peer: AWS stores an IpPermission with three CIDRs as three rules. */
  private requestedRules(params: QueryParams, region: string): RuleRecord[] {
    const permissions = params.structs('IpPermissions');
    const rules: RuleRecord[] = [];
    if (
      permissions.length === 0 &&
      (params.has('IpProtocol') || params.has('CidrIp') || params.has('SourceSecurityGroupName'))
    ) {
      // The legacy top-level form: CidrIp / IpProtocol / FromPort / ToPort.
      const base = portRange(params);
      const cidr = params.string('CidrIp');
      if (cidr) rules.push({ ruleId: resourceId('sgr'), ...base, cidrIpv4: checkCidr(cidr) });
      const sourceName = params.string('SourceSecurityGroupName');
      if (sourceName) {
        const source = this.network.region(region).securityGroups.find((g) => g.groupName === sourceName);
        if (!source) throw new ApiError('InvalidGroup.NotFound', `The security group '${sourceName}' does not exist`);
        rules.push({ ruleId: resourceId('sgr'), ...base, groupId: source.groupId });
      }
      return rules;
    }
    for (const permission of permissions) {
      const base = portRange(permission);
      for (const range of permission.structs('IpRanges')) {
        rules.push({
          ruleId: resourceId('sgr'),
          ...base,
          cidrIpv4: checkCidr(range.required('CidrIp')),
          description: range.string('Description'),
        });
      }
      for (const range of permission.structs('Ipv6Ranges')) {
        rules.push({
          ruleId: resourceId('sgr'),
          ...base,
          cidrIpv6: range.required('CidrIpv6'),
          description: range.string('Description'),
        });
      }
      for (const pair of permission.structs('Groups')) {
        const sourceId = pair.string('GroupId');
        const sourceName = pair.string('GroupName');
        const source = sourceId
          ? this.network.securityGroup(region, sourceId)
          : this.network.region(region).securityGroups.find((g) => g.groupName === sourceName);
        if (!source) throw groupNotFound(sourceId ?? sourceName ?? '');
        rules.push({
          ruleId: resourceId('sgr'),
          ...base,
          groupId: source.groupId,
          description: pair.string('Description'),
        });
      }
    }
    return rules;
  }

  private deleteSecurityGroup(params: QueryParams, { region }: Ec2Context): Members {
    const group = this.resolveGroup(params, region);
    if (group.groupName === 'default') {
      throw new ApiError(
        'CannotDelete',
        `the specified group: "${group.groupId}" name: "default" cannot be deleted by a user`,
      );
    }
    const user = this.deps.securityGroupUser(region, group.groupId);
    const network = this.network.region(region);
    const referencing = network.securityGroups.find(
      (other) => other !== group && [...other.ingress, ...other.egress].some((rule) => rule.groupId === group.groupId),
    );
    if (user || referencing) {
      throw new ApiError('DependencyViolation', `resource ${group.groupId} has a dependent object`);
    }
    network.securityGroups = network.securityGroups.filter((g) => g !== group);
    delete network.tags[group.groupId];
    this.deps.save();
    return [
      ['return', true],
      ['groupId', group.groupId],
    ];
  }

  // ---- tags ---------------------------------------------------------------------------

  private createTags(params: QueryParams, { region }: Ec2Context): Members {
    const resources = params.list('ResourceId');
    if (resources.length === 0)
      throw new ApiError('MissingParameter', 'The request must contain the parameter ResourceId');
    const tags = tagStructs(params.structs('Tag'));
    const network = this.network.region(region);
    for (const id of resources) {
      const exists =
        network.vpcs.some((v) => v.vpcId === id) ||
        network.subnets.some((s) => s.subnetId === id) ||
        network.securityGroups.some((g) => g.groupId === id);
      if (!exists) throw notFoundById(id);
    }
    for (const id of resources) network.tags[id] = mergeTags(network.tags[id] ?? [], tags);
    this.deps.save();
    return [['return', true]];
  }
}

// ---- helpers --------------------------------------------------------------------------

/** A security group id EC2 would not even look up (`sg-` and 8 or 17 hex digits) is malformed. */
function groupNotFound(id: string): ApiError {
  if (!/^sg-([0-9a-f]{8}|[0-9a-f]{17})$/.test(id)) {
    return new ApiError('InvalidGroupId.Malformed', `Invalid id: "${id}" (expecting "sg-...")`);
  }
  return new ApiError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
}

function notFoundById(id: string): ApiError {
  if (id.startsWith('sg-')) return groupNotFound(id);
  if (id.startsWith('vpc-')) return new ApiError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
  if (id.startsWith('subnet-')) return new ApiError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
  return new ApiError('InvalidID', `The ID '${id}' is not valid`);
}

function securityGroupArn(region: string, groupId: string): string {
  return `arn:aws:ec2:${region}:${ACCOUNT_ID}:security-group/${groupId}`;
}

export function tagSetXml(tags: Tag[]): XmlNode | undefined {
  if (tags.length === 0) return undefined;
  return xmlList('tagSet', 'item', tags, (tag) => [
    ['key', tag.Key],
    ['value', tag.Value],
  ]);
}

function tagStructs(structs: QueryParams[]): Tag[] {
  return structs.map((tag) => ({ Key: tag.required('Key'), Value: tag.string('Value') ?? '' }));
}

function tagSpecificationTags(params: QueryParams, resourceType: string): Tag[] {
  const tags: Tag[] = [];
  for (const spec of params.structs('TagSpecification')) {
    const type = spec.string('ResourceType');
    if (type && type !== resourceType) {
      throw new ApiError(
        'InvalidParameterValue',
        `'${type}' is not a valid taggable resource type for this operation.`,
      );
    }
    tags.push(...tagStructs(spec.structs('Tag')));
  }
  return tags;
}

export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const merged = new Map(existing.map((tag) => [tag.Key, tag.Value]));
  for (const tag of added) merged.set(tag.Key, tag.Value);
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}

const PROTOCOL_NAMES: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', all: '-1' };

function portRange(params: QueryParams): Pick<RuleRecord, 'ipProtocol' | 'fromPort' | 'toPort'> {
  const raw = (params.string('IpProtocol') ?? '').toLowerCase();
  if (raw === '') throw new ApiError('MissingParameter', 'The request must contain the parameter IpProtocol');
  const ipProtocol = PROTOCOL_NAMES[raw] ?? raw;
  if (ipProtocol === '-1') return { ipProtocol };
  if (!['tcp', 'udp', 'icmp', 'icmpv6'].includes(ipProtocol) && !/^\d+$/.test(ipProtocol)) {
    throw new ApiError('InvalidParameterValue', `Invalid value '${raw}' for IP protocol. Unknown protocol.`);
  }
  const fromPort = params.integer('FromPort');
  const toPort = params.integer('ToPort');
  if ((ipProtocol === 'tcp' || ipProtocol === 'udp') && (fromPort === undefined || toPort === undefined)) {
    throw new ApiError(
      'InvalidParameterValue',
      "Invalid value 'null' for portRange. Must specify both from and to ports with TCP/UDP.",
    );
  }
  if ((ipProtocol === 'tcp' || ipProtocol === 'udp') && (fromPort! < 0 || toPort! > 65535 || fromPort! > toPort!)) {
    throw new ApiError('InvalidParameterValue', `Invalid value '${fromPort}-${toPort}' for portRange.`);
  }
  return { ipProtocol, fromPort, toPort };
}

function checkCidr(cidr: string): string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match || match.slice(1, 5).some((octet) => Number(octet) > 255) || Number(match[5]) > 32) {
    throw new ApiError('InvalidParameterValue', `CIDR block ${cidr} is malformed`);
  }
  return cidr;
}

function sameRule(a: RuleRecord, b: RuleRecord): boolean {
  return (
    a.ipProtocol === b.ipProtocol &&
    a.fromPort === b.fromPort &&
    a.toPort === b.toPort &&
    a.cidrIpv4 === b.cidrIpv4 &&
    a.cidrIpv6 === b.cidrIpv6 &&
    a.groupId === b.groupId
  );
}

function describeRule(rule: RuleRecord): string {
  const peer = rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.groupId;
  const protocol = rule.ipProtocol === '-1' ? 'ALL' : rule.ipProtocol.toUpperCase();
  const ports = rule.ipProtocol === '-1' ? '' : `, from port: ${rule.fromPort}, to port: ${rule.toPort}`;
  return `peer: ${peer}, ${protocol}${ports}, ALLOW`;
}

/** Rules grouped into IpPermissions by protocol and port range, as DescribeSecurityGroups shows them. */
function permissionsXml(rules: RuleRecord[]): XmlNodes {
  const permissions = new Map<string, RuleRecord[]>();
  for (const rule of rules) {
    const key = `${rule.ipProtocol}/${rule.fromPort}/${rule.toPort}`;
    permissions.set(key, [...(permissions.get(key) ?? []), rule]);
  }
  return [...permissions.values()].map((group) => {
    const first = group[0]!;
    return [
      'item',
      [
        ['ipProtocol', first.ipProtocol],
        ['fromPort', first.fromPort],
        ['toPort', first.toPort],
        xmlList(
          'groups',
          'item',
          group.filter((r) => r.groupId),
          (r) => [
            ['userId', ACCOUNT_ID],
            ['groupId', r.groupId],
            ['description', r.description],
          ],
        ),
        xmlList(
          'ipRanges',
          'item',
          group.filter((r) => r.cidrIpv4),
          (r) => [
            ['cidrIp', r.cidrIpv4],
            ['description', r.description],
          ],
        ),
        xmlList(
          'ipv6Ranges',
          'item',
          group.filter((r) => r.cidrIpv6),
          (r) => [
            ['cidrIpv6', r.cidrIpv6],
            ['description', r.description],
          ],
        ),
        ['prefixListIds', []],
      ],
    ] as XmlNode;
  });
}

// ---- filters and paging ---------------------------------------------------------------

/** The values a filter name sees on a resource; undefined means EC2 does not know the filter. */
export type FilterValues<T> = (item: T, name: string) => string[] | undefined;

export function applyFilters<T>(params: QueryParams, items: T[], valuesOf: FilterValues<T>): T[] {
  let result = items;
  for (const filter of params.structs('Filter')) {
    const name = filter.required('Name');
    const wanted = filter.list('Value').map(wildcard);
    if (items.length > 0 && valuesOf(items[0]!, name) === undefined) {
      throw new ApiError('InvalidParameterValue', `The filter '${name}' is invalid`);
    }
    result = result.filter((item) => {
      const values = valuesOf(item, name) ?? [];
      return wanted.some((pattern) => values.some((value) => pattern.test(value)));
    });
  }
  return result;
}

function wildcard(value: string): RegExp {
  const escaped = value
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

export function tagFilter(name: string, tags: Tag[]): string[] | undefined {
  if (name === 'tag-key') return tags.map((tag) => tag.Key);
  if (name === 'tag-value') return tags.map((tag) => tag.Value);
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    return tags.filter((tag) => tag.Key === key).map((tag) => tag.Value);
  }
  return undefined;
}

function vpcFilter(vpc: VpcRecord, name: string, tags: Tag[]): string[] | undefined {
  switch (name) {
    case 'vpc-id':
      return [vpc.vpcId];
    case 'isDefault':
    case 'is-default':
      return [String(vpc.isDefault)];
    case 'cidr':
    case 'cidr-block':
    case 'cidr-block-association.cidr-block':
      return [vpc.cidrBlock];
    case 'state':
      return ['available'];
    case 'owner-id':
      return [ACCOUNT_ID];
    case 'dhcp-options-id':
      return [vpc.dhcpOptionsId];
    default:
      return tagFilter(name, tags);
  }
}

function subnetFilter(subnet: SubnetRecord, name: string, tags: Tag[]): string[] | undefined {
  switch (name) {
    case 'vpc-id':
    case 'vpcId':
      return [subnet.vpcId];
    case 'subnet-id':
    case 'subnetId':
      return [subnet.subnetId];
    case 'availability-zone':
    case 'availabilityZone':
      return [subnet.availabilityZone];
    case 'availability-zone-id':
    case 'availabilityZoneId':
      return [subnet.availabilityZoneId];
    case 'default-for-az':
    case 'defaultForAz':
      return [String(subnet.defaultForAz)];
    case 'cidr':
    case 'cidr-block':
    case 'cidrBlock':
      return [subnet.cidrBlock];
    case 'state':
      return ['available'];
    case 'owner-id':
      return [ACCOUNT_ID];
    default:
      return tagFilter(name, tags);
  }
}

function securityGroupFilter(group: SecurityGroupRecord, name: string, tags: Tag[]): string[] | undefined {
  switch (name) {
    case 'group-id':
      return [group.groupId];
    case 'group-name':
      return [group.groupName];
    case 'vpc-id':
      return [group.vpcId];
    case 'description':
      return [group.description];
    case 'owner-id':
      return [ACCOUNT_ID];
    case 'ip-permission.cidr':
      return group.ingress.flatMap((rule) => (rule.cidrIpv4 ? [rule.cidrIpv4] : []));
    case 'ip-permission.group-id':
      return group.ingress.flatMap((rule) => (rule.groupId ? [rule.groupId] : []));
    case 'ip-permission.from-port':
      return group.ingress.map((rule) => String(rule.fromPort ?? -1));
    case 'ip-permission.to-port':
      return group.ingress.map((rule) => String(rule.toPort ?? -1));
    case 'ip-permission.protocol':
      return group.ingress.map((rule) => rule.ipProtocol);
    default:
      return tagFilter(name, tags);
  }
}

/** MaxResults/NextToken: the token is the offset of the next item. */
export function paginate<T>(params: QueryParams, items: T[]): { items: T[]; next: XmlNode | undefined } {
  const max = params.integer('MaxResults');
  const token = params.string('NextToken');
  let start = 0;
  if (token !== undefined) {
    start = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw new ApiError('InvalidNextToken', 'The token is invalid');
  }
  if (max === undefined) return { items: items.slice(start), next: undefined };
  if (max < 5 || max > 1000)
    throw new ApiError(
      'InvalidParameterValue',
      `Value ( ${max} ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.`,
    );
  const page = items.slice(start, start + max);
  const nextStart = start + max;
  return {
    items: page,
    next: nextStart < items.length ? ['nextToken', Buffer.from(String(nextStart)).toString('base64url')] : undefined,
  };
}
