/**
 * The emulated EC2 network of each region: a default VPC (172.31.0.0/16) with one default
 * subnet in each of three availability zones and a `default` security group, created the
 * first time a region is touched. Other modules look subnets and security groups up here.
 */
import { randomBytes } from 'node:crypto';
import type { Ec2RegionState, PersistedState, SecurityGroupRecord, SubnetRecord, VpcRecord } from './state.js';

export const ACCOUNT_ID = '000000000000';

/** The three availability zones the emulator offers in a region: `<region>a/b/c`. */
export function availabilityZones(region: string): string[] {
  return ['a', 'b', 'c'].map((letter) => region + letter);
}

/** `us-east-1` → `use1`, the prefix of AWS's zone ids (`use1-az1`). */
function regionShortName(region: string): string {
  const parts = region.split('-');
  return parts.map((part, index) => (index === 0 || /^\d+$/.test(part) ? part : part[0])).join('');
}

export function resourceId(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

export class Ec2Network {
  constructor(private readonly state: PersistedState) {}

  /** The region's network, created (default VPC, subnets, default SG) on first use. */
  region(region: string): Ec2RegionState {
    let network = this.state.ec2[region];
    if (!network) {
      network = bootstrapRegion(region);
      this.state.ec2[region] = network;
    }
    return network;
  }

  defaultVpc(region: string): VpcRecord {
    return this.region(region).vpcs.find((vpc) => vpc.isDefault)!;
  }

  vpc(region: string, vpcId: string): VpcRecord | undefined {
    return this.region(region).vpcs.find((vpc) => vpc.vpcId === vpcId);
  }

  subnet(region: string, subnetId: string): SubnetRecord | undefined {
    return this.region(region).subnets.find((subnet) => subnet.subnetId === subnetId);
  }

  securityGroup(region: string, groupId: string): SecurityGroupRecord | undefined {
    return this.region(region).securityGroups.find((group) => group.groupId === groupId);
  }

  defaultSecurityGroup(region: string, vpcId: string): SecurityGroupRecord | undefined {
    return this.region(region).securityGroups.find((group) => group.vpcId === vpcId && group.groupName === 'default');
  }
}

function bootstrapRegion(region: string): Ec2RegionState {
  const vpc: VpcRecord = {
    vpcId: resourceId('vpc'),
    cidrBlock: '172.31.0.0/16',
    isDefault: true,
    dhcpOptionsId: resourceId('dopt'),
    associationId: resourceId('vpc-cidr-assoc'),
  };
  const short = regionShortName(region);
  const subnets: SubnetRecord[] = availabilityZones(region).map((zone, index) => ({
    subnetId: resourceId('subnet'),
    vpcId: vpc.vpcId,
    cidrBlock: `172.31.${index * 16}.0/20`,
    availabilityZone: zone,
    availabilityZoneId: `${short}-az${index + 1}`,
    defaultForAz: true,
  }));
  const defaultGroupId = resourceId('sg');
  const defaultGroup: SecurityGroupRecord = {
    groupId: defaultGroupId,
    groupName: 'default',
    description: 'default VPC security group',
    vpcId: vpc.vpcId,
    ingress: [{ ruleId: resourceId('sgr'), ipProtocol: '-1', groupId: defaultGroupId }],
    egress: [{ ruleId: resourceId('sgr'), ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' }],
  };
  return { vpcs: [vpc], subnets, securityGroups: [defaultGroup], tags: {} };
}
