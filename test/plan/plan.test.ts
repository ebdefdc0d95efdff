import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, missingRequired, resolvePlan, resolveAvailability } from '../../src/plan/cluster-plan.js';
import { parseAllowFrom, validateReplicationGroupId, validateAuthToken } from '../../src/plan/rules.js';
import { knownNodeTypes, parseNodeType, supportsMultiAZ } from '../../src/plan/node-types.js';
import { chooseEngineVersion, checkVersionFeatures, sortVersions } from '../../src/plan/engine-versions.js';
import {
  subnetGroupDescription,
  AUTH_TOKEN_PLACEHOLDER,
  CREATED_SECURITY_GROUP_ID,
  planToRequests,
  securityGroupNameFor,
  subnetGroupNameFor,
  type ResolvedNetwork,
} from '../../src/plan/requests.js';
import { differences, formatDifferences, type ExistingGroup } from '../../src/plan/differences.js';
import { UsageError } from '../../src/errors.js';

test('defaults: redis, cache.t3.micro, 1 primary + 2 replicas, port 6379, failover on, Multi-AZ off', () => {
  const { plan, warnings } = resolvePlan({ id: 'Demo', allowFrom: '10.0.0.0/16' });
  assert.deepEqual(warnings, []);
  assert.equal(plan.replicationGroupId, 'demo', 'stored lower-case as AWS does');
  assert.equal(plan.engine, 'redis');
  assert.equal(plan.engineVersion, undefined);
  assert.equal(plan.nodeType, 'cache.t3.micro');
  assert.equal(plan.replicas, 2);
  assert.equal(plan.port, 6379);
  assert.equal(plan.automaticFailover, true);
  assert.equal(plan.multiAZ, false);
  assert.equal(plan.transitEncryption, true, 'in-transit encryption is on by default, as in the console presets');
  assert.equal(plan.atRestEncryption, false, 'redis: at rest off by default');
  assert.equal(
    resolvePlan({ id: 'v', engine: 'valkey', allowFrom: '10.0.0.0/8' }).plan.atRestEncryption,
    true,
    "valkey: at rest on (AWS's default)",
  );
  assert.equal(
    resolvePlan({ id: 'v', engine: 'valkey', allowFrom: '10.0.0.0/8', atRestEncryption: false }).plan.atRestEncryption,
    false,
  );
  assert.equal(plan.waitTimeoutMinutes, DEFAULTS.waitTimeoutMinutes);
  assert.equal(plan.description, 'demo, created by elasticache-kit');
  assert.deepEqual(plan.access, {
    kind: 'allow-from',
    source: { kind: 'cidr', cidr: '10.0.0.0/16', ipv6: false, open: false },
  });
  assert.ok(plan.explicit.has('allowFrom'));
  assert.ok(!plan.explicit.has('replicas'));
});

test('valid ids at the edges are accepted', () => {
  assert.equal(validateReplicationGroupId('a'), 'a');
  assert.equal(validateReplicationGroupId('A'.repeat(40)), 'a'.repeat(40));
  assert.equal(validateReplicationGroupId('orders-cache-1'), 'orders-cache-1');
});

test('availability: failover follows replicas and node type unless set; Multi-AZ implies failover', () => {
  assert.deepEqual(resolveAvailability({}, 'cache.t3.micro', 0), { automaticFailover: false, multiAZ: false });
  assert.deepEqual(resolveAvailability({}, 'cache.t3.micro', 1), { automaticFailover: true, multiAZ: false });
  assert.deepEqual(resolveAvailability({}, 'cache.t1.micro', 2), { automaticFailover: false, multiAZ: false });
  assert.deepEqual(resolveAvailability({ multiAz: true }, 'cache.r6g.large', 1), {
    automaticFailover: true,
    multiAZ: true,
  });
  assert.deepEqual(resolveAvailability({ automaticFailover: false }, 'cache.t3.micro', 2), {
    automaticFailover: false,
    multiAZ: false,
  });
  // cache.t2.micro may fail over; Multi-AZ is only advised against there (not defaulted).
  assert.deepEqual(resolveAvailability({}, 'cache.t2.micro', 2), { automaticFailover: true, multiAZ: false });
  assert.deepEqual(resolveAvailability({ multiAz: false }, 'cache.t2.micro', 2), {
    automaticFailover: true,
    multiAZ: false,
  });
  assert.equal(supportsMultiAZ('cache.t2.small'), true);
  assert.equal(supportsMultiAZ('cache.t2.micro'), false);
});

test('node types: known ones pass quietly, unknown well-formed ones pass with a warning', () => {
  assert.deepEqual(resolvePlan({ id: 'a', allowFrom: '10.0.0.0/8', nodeType: 'cache.r7g.large' }).warnings, []);
  const future = resolvePlan({ id: 'a', allowFrom: '10.0.0.0/8', nodeType: 'cache.r9g.large' });
  assert.equal(future.plan.nodeType, 'cache.r9g.large');
  assert.equal(future.warnings.length, 1);
  assert.match(future.warnings[0]!, /cache\.r9g\.large is not a node type this tool knows; passing it to AWS as is/);
  assert.equal(parseNodeType('cache.t3.huge')?.known, false);
  assert.ok(knownNodeTypes().includes('cache.t4g.micro'));
  assert.ok(!knownNodeTypes().includes('cache.t1.micro'), 'previous generation is not offered first');
  assert.ok(knownNodeTypes({ includePrevious: true }).includes('cache.t2.micro'));
  assert.ok(!knownNodeTypes({ includePrevious: true }).includes('cache.t1.micro'), 'retired types are never offered');
});

test("multi-az on cache.t2.micro is the walkthrough's advice, a warning: AWS accepts it", () => {
  const { plan, warnings } = resolvePlan({
    id: 'a',
    allowFrom: '10.0.0.0/8',
    nodeType: 'cache.t2.micro',
    multiAz: true,
  });
  assert.equal(plan.multiAZ, true);
  assert.equal(plan.automaticFailover, true);
  assert.ok(
    warnings.some((w) => /--multi-az on cache\.t2\.micro: the walkthrough advises/.test(w)),
    warnings.join('; '),
  );
});

test('allow-from: CIDRs normalised, 0.0.0.0/0 accepted only as given and with a warning', () => {
  assert.deepEqual(parseAllowFrom('sg-0a1b2c3d'), { kind: 'security-group', groupId: 'sg-0a1b2c3d' });
  assert.deepEqual(parseAllowFrom('sg-0123456789abcdef0'), { kind: 'security-group', groupId: 'sg-0123456789abcdef0' });
  assert.deepEqual(parseAllowFrom('192.168.1.7/32'), {
    kind: 'cidr',
    cidr: '192.168.1.7/32',
    ipv6: false,
    open: false,
  });
  assert.deepEqual(parseAllowFrom('2001:db8:0:0::/64'), {
    kind: 'cidr',
    cidr: '2001:db8::/64',
    ipv6: true,
    open: false,
  });
  const open = resolvePlan({ id: 'a', allowFrom: '0.0.0.0/0' });
  assert.equal(
    open.plan.access.kind === 'allow-from' && open.plan.access.source.kind === 'cidr' && open.plan.access.source.open,
    true,
  );
  assert.equal(open.warnings.length, 1);
  assert.match(open.warnings[0]!, /0\.0\.0\.0\/0 opens port 6379/);
});

test('AUTH token: accepted at 16 and 128 characters with the allowed specials, and kept out of requests', () => {
  assert.equal(validateAuthToken('abcdefghijklmno!', '$T'), 'abcdefghijklmno!');
  assert.equal(validateAuthToken('A1!&#$^<>-'.padEnd(128, 'x'), '$T').length, 128);
  const { plan } = resolvePlan({
    id: 'a',
    allowFrom: '10.0.0.0/8',
    transitEncryption: true,
    authToken: { value: 'abcdefghijklmnop', origin: '$T' },
  });
  const requests = planToRequests(plan, NETWORK_REUSE);
  assert.ok(!JSON.stringify(requests).includes('abcdefghijklmnop'), 'the token never appears in requests');
  assert.equal(requests.at(-1)!.input.AuthToken, AUTH_TOKEN_PLACEHOLDER);
});

test('missingRequired lists the id and the network source for a non-interactive run', () => {
  const missing = missingRequired({});
  assert.equal(missing.length, 2);
  assert.match(missing[0]!, /<id>/);
  assert.match(missing[1]!, /--allow-from .* or --security-group/);
  assert.deepEqual(missingRequired({ id: 'x', securityGroup: 'sg-0a1b2c3d' }), []);
});

test('engine versions: newest by default, a requested one must be offered, encryption needs 3.2.6', () => {
  const offered = ['6.2', '7.0', '5.0.6', '7.1', '6.0'];
  assert.deepEqual(sortVersions(offered), ['7.1', '7.0', '6.2', '6.0', '5.0.6']);
  assert.equal(chooseEngineVersion('redis', offered), '7.1');
  assert.equal(chooseEngineVersion('redis', offered, '6.2'), '6.2');
  assert.equal(chooseEngineVersion('redis', ['7.0.15'], '7.0'), '7.0');
  assert.throws(
    () => chooseEngineVersion('redis', offered, '9.9'),
    (e: Error) =>
      e instanceof UsageError &&
      /--engine-version must be one of 7\.1, 7\.0, 6\.2, 6\.0, 5\.0\.6 for redis \(got 9\.9\)/.test(e.message),
  );
  assert.throws(() => chooseEngineVersion('valkey', []), /AWS offers no valkey versions/);
  assert.throws(
    () => checkVersionFeatures('redis', '3.2.4', { transitEncryption: true, atRestEncryption: false }),
    /--transit-encryption needs redis 3\.2\.6/,
  );
  checkVersionFeatures('redis', '3.2.6', { transitEncryption: true, atRestEncryption: true });
  checkVersionFeatures('valkey', '7.2', { transitEncryption: true, atRestEncryption: true });
});

const NETWORK_CREATE: ResolvedNetwork = {
  vpcId: 'vpc-0a1b2c3d',
  vpcIsDefault: true,
  subnetGroup: {
    action: 'create',
    name: 'elasticache-kit-vpc-0a1b2c3d',
    vpcId: 'vpc-0a1b2c3d',
    subnetIds: ['subnet-00000001', 'subnet-00000002'],
  },
  securityGroups: [
    {
      action: 'create',
      name: 'elasticache-kit-6379-from-10.0.0.0/16',
      vpcId: 'vpc-0a1b2c3d',
      source: parseAllowFrom('10.0.0.0/16'),
      port: 6379,
    },
  ],
};
const NETWORK_REUSE: ResolvedNetwork = {
  vpcId: 'vpc-0a1b2c3d',
  vpcIsDefault: true,
  subnetGroup: {
    action: 'reuse',
    name: 'elasticache-kit-vpc-0a1b2c3d',
    vpcId: 'vpc-0a1b2c3d',
    subnetIds: ['subnet-00000001'],
  },
  securityGroups: [{ action: 'reuse', groupId: 'sg-0000000a', vpcId: 'vpc-0a1b2c3d', createdByTool: true }],
};

test('planToRequests: subnet group, security group, ingress for the cache port only, then the group; all tagged', () => {
  const { plan } = resolvePlan({ id: 'demo', allowFrom: '10.0.0.0/16', tags: ['team=web'] });
  const requests = planToRequests(plan, NETWORK_CREATE);
  assert.deepEqual(
    requests.map((r) => r.action),
    ['CreateCacheSubnetGroup', 'CreateSecurityGroup', 'AuthorizeSecurityGroupIngress', 'CreateReplicationGroup'],
  );
  const [subnetGroup, securityGroup, ingress, group] = requests as [any, any, any, any];
  assert.deepEqual(subnetGroup.input.SubnetIds, ['subnet-00000001', 'subnet-00000002']);
  assert.equal(securityGroup.input.VpcId, 'vpc-0a1b2c3d');
  const sgTags = securityGroup.input.TagSpecifications[0].Tags as Array<{ Key: string; Value: string }>;
  assert.ok(sgTags.some((t) => t.Key === 'created-by' && t.Value === 'elasticache-kit'));
  assert.ok(sgTags.some((t) => t.Key === 'elasticache-kit:replication-group' && t.Value === 'demo'));
  assert.ok(sgTags.some((t) => t.Key === 'elasticache-kit:allow-from' && t.Value === '10.0.0.0/16'));
  assert.ok(sgTags.some((t) => t.Key === 'team' && t.Value === 'web'));
  assert.deepEqual(ingress.input.IpPermissions[0].FromPort, 6379);
  assert.deepEqual(ingress.input.IpPermissions[0].ToPort, 6379);
  assert.equal(ingress.input.IpPermissions[0].IpRanges[0].CidrIp, '10.0.0.0/16');
  assert.equal(ingress.input.GroupId, CREATED_SECURITY_GROUP_ID);
  assert.deepEqual(
    { ...group.input, Tags: undefined },
    {
      ReplicationGroupId: 'demo',
      ReplicationGroupDescription: 'demo, created by elasticache-kit',
      Engine: 'redis',
      CacheNodeType: 'cache.t3.micro',
      NumCacheClusters: 3,
      Port: 6379,
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: false,
      CacheSubnetGroupName: 'elasticache-kit-vpc-0a1b2c3d',
      SecurityGroupIds: [CREATED_SECURITY_GROUP_ID],
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: false,
      Tags: undefined,
    },
  );
  assert.ok((group.input.Tags as Array<{ Key: string }>).some((t) => t.Key === 'created-by'));
  assert.ok(subnetGroup.input.Tags.some((t: { Key: string }) => t.Key === 'created-by'));
});

test('planToRequests: reused network means one request; a security-group source becomes a group pair', () => {
  const { plan } = resolvePlan({ id: 'demo', securityGroup: 'sg-0000000a', engineVersion: '7.1' });
  const requests = planToRequests(plan, NETWORK_REUSE);
  assert.deepEqual(
    requests.map((r) => r.action),
    ['CreateReplicationGroup'],
  );
  assert.deepEqual(requests[0]!.input.SecurityGroupIds, ['sg-0000000a']);
  assert.equal(requests[0]!.input.EngineVersion, '7.1');
  const { plan: fromBastion } = resolvePlan({ id: 'demo', allowFrom: 'sg-0bbbbbbb' });
  const network: ResolvedNetwork = {
    ...NETWORK_REUSE,
    securityGroups: [
      {
        action: 'create',
        name: securityGroupNameFor(6379, parseAllowFrom('sg-0bbbbbbb')),
        vpcId: 'vpc-0a1b2c3d',
        source: parseAllowFrom('sg-0bbbbbbb'),
        port: 6379,
      },
    ],
  };
  const ingress = planToRequests(fromBastion, network)[1]!;
  assert.deepEqual((ingress.input.IpPermissions as any)[0].UserIdGroupPairs[0].GroupId, 'sg-0bbbbbbb');
  assert.equal((ingress.input.IpPermissions as any)[0].IpRanges, undefined);
});

test("a subnet group description stays within AWS's 255 characters", () => {
  const many = Array.from({ length: 20 }, (_, i) => `subnet-0123456789abcde${String(i).padStart(2, '0')}`);
  assert.equal(subnetGroupDescription(many, 'vpc-0a1b2c3d'), 'elasticache-kit: 20 subnets of vpc-0a1b2c3d');
  assert.match(subnetGroupDescription(many.slice(0, 3), 'vpc-0a1b2c3d'), /subnets subnet-0123456789abcde00, /);
});

test('names of what the tool creates are deterministic', () => {
  assert.equal(
    subnetGroupNameFor('vpc-0a1b2c3d', ['subnet-2', 'subnet-1'], false),
    subnetGroupNameFor('vpc-0a1b2c3d', ['subnet-1', 'subnet-2'], false),
  );
  assert.notEqual(
    subnetGroupNameFor('vpc-0a1b2c3d', ['subnet-1'], false),
    subnetGroupNameFor('vpc-0a1b2c3d', ['subnet-2'], false),
  );
  assert.match(subnetGroupNameFor('vpc-0a1b2c3d', ['subnet-1'], false), /^[a-z0-9-]{1,255}$/);
  assert.equal(securityGroupNameFor(6380, parseAllowFrom('10.0.0.0/16')), 'elasticache-kit-6380-from-10.0.0.0/16');
});

const EXISTING: ExistingGroup = {
  status: 'available',
  engine: 'redis',
  engineVersion: '7.1.0',
  nodeType: 'cache.t3.micro',
  replicas: 2,
  port: 6379,
  multiAZ: false,
  automaticFailover: true,
  transitEncryption: true,
  atRestEncryption: false,
  authTokenEnabled: false,
  description: 'demo, created by elasticache-kit',
  clusterMode: false,
  subnetGroupName: 'elasticache-kit-vpc-0a1b2c3d',
  securityGroupIds: ['sg-0000000a'],
  allowFromSources: ['10.0.0.0/16'],
};

test('differences: the same command finds none; each changed setting is named', () => {
  const same = resolvePlan({ id: 'demo', allowFrom: '10.0.0.0/16', engineVersion: '7.1' }).plan;
  assert.deepEqual(differences(same, EXISTING), []);
  const changed = resolvePlan({
    id: 'demo',
    allowFrom: '10.1.0.0/16',
    replicas: '1',
    nodeType: 'cache.t3.small',
    engineVersion: '7.0',
  }).plan;
  const found = differences(changed, EXISTING);
  assert.deepEqual(found.map((d) => d.setting).sort(), [
    '--allow-from',
    '--engine-version',
    '--node-type',
    '--replicas',
  ]);
  const message = formatDifferences('demo', found);
  assert.match(message, /--replicas is 2, the command asks for 1/);
  assert.match(message, /--node-type is cache\.t3\.micro, the command asks for cache\.t3\.small/);
  assert.match(message, /Nothing was changed/);
  assert.deepEqual(
    differences(resolvePlan({ id: 'demo', securityGroup: 'sg-0000000b' }).plan, EXISTING).map((d) => d.setting),
    ['--security-group'],
  );
  assert.deepEqual(
    differences(resolvePlan({ id: 'demo', allowFrom: '10.0.0.0/16', description: 'other' }).plan, EXISTING).map(
      (d) => d.setting,
    ),
    ['--description'],
  );
  const placed = { ...EXISTING, vpcId: 'vpc-0a1b2c3d', subnetIds: ['subnet-00000001', 'subnet-00000002'] };
  assert.deepEqual(
    differences(
      resolvePlan({
        id: 'demo',
        allowFrom: '10.0.0.0/16',
        vpc: 'vpc-0a1b2c3d',
        subnets: 'subnet-00000002,subnet-00000001',
      }).plan,
      placed,
    ),
    [],
  );
  assert.deepEqual(
    differences(
      resolvePlan({ id: 'demo', allowFrom: '10.0.0.0/16', vpc: 'vpc-0e0e0e0e', subnets: 'subnet-00000001' }).plan,
      placed,
    ).map((d) => d.setting),
    ['--vpc', '--subnets'],
  );
});
