/**
 * EC2 DescribeInstances over the emulated instances (instances.ts): one reservation per
 * instance, in the region's default VPC, always running; InstanceId.N, the filters a
 * distributed bench and the AWS CLI use (tag:*, tag-key, instance-id,
 * instance-state-name, vpc-id, subnet-id) and MaxResults paging, with EC2's error codes.
 */
import { applyFilters, paginate, tagFilter, tagSetXml, type Ec2Context, type Members } from './ec2-api.js';
import { ACCOUNT_ID, type Ec2Network } from './ec2-network.js';
import type { InstanceRecord } from './instances.js';
import { ApiError, type QueryParams } from './query-protocol.js';
import { xmlList } from './xml.js';

export function describeInstances(
  params: QueryParams,
  { region }: Ec2Context,
  instances: InstanceRecord[],
  network: Ec2Network,
): Members {
  const ids = params.list('InstanceId');
  for (const id of ids) {
    if (!/^i-[0-9a-f]{8,17}$/.test(id)) throw new ApiError('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
  }
  const missing = ids.filter((id) => !instances.some((i) => i.instanceId === id));
  if (missing.length > 0) {
    throw new ApiError(
      'InvalidInstanceID.NotFound',
      `The instance ID${missing.length > 1 ? 's' : ''} '${missing.join(', ')}' ${missing.length > 1 ? 'do' : 'does'} not exist`,
    );
  }
  if (ids.length > 0 && params.has('MaxResults')) {
    throw new ApiError(
      'InvalidParameterCombination',
      'The parameter instancesSet cannot be used with the parameter maxResults',
    );
  }
  const vpc = network.defaultVpc(region);
  const subnet = network.region(region).subnets.find((s) => s.vpcId === vpc.vpcId)!;
  const selected = instances.filter((i) => ids.length === 0 || ids.includes(i.instanceId));
  const matching = applyFilters(params, selected, (instance, name) => {
    switch (name) {
      case 'instance-id':
        return [instance.instanceId];
      case 'instance-state-name':
        return ['running'];
      case 'instance-state-code':
        return ['16'];
      case 'vpc-id':
        return [vpc.vpcId];
      case 'subnet-id':
        return [subnet.subnetId];
      case 'availability-zone':
        return [subnet.availabilityZone];
      default:
        return tagFilter(name, instance.tags);
    }
  });
  const page = paginate(params, matching);
  return [
    xmlList('reservationSet', 'item', page.items, (instance) => [
      ['reservationId', `r-${instance.instanceId.slice(2)}`],
      ['ownerId', ACCOUNT_ID],
      ['groupSet', []],
      xmlList('instancesSet', 'item', [instance], (i) => [
        ['instanceId', i.instanceId],
        ['imageId', 'ami-00000000000000000'],
        [
          'instanceState',
          [
            ['code', 16],
            ['name', 'running'],
          ],
        ],
        ['privateDnsName', 'localhost'],
        ['dnsName', ''],
        ['instanceType', 't3.micro'],
        ['launchTime', i.launchTime],
        [
          'placement',
          [
            ['availabilityZone', subnet.availabilityZone],
            ['tenancy', 'default'],
          ],
        ],
        ['subnetId', subnet.subnetId],
        ['vpcId', vpc.vpcId],
        ['privateIpAddress', '127.0.0.1'],
        ['architecture', 'x86_64'],
        ['rootDeviceType', 'ebs'],
        tagSetXml(i.tags),
      ]),
    ]),
    page.next,
  ];
}
