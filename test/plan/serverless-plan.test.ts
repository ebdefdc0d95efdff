/** create-cluster --serverless, the pure part: the plan, its limits, the requests, and the differences. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/errors.js';
import {
  kindFromFlags,
  refuseNodeBasedFlags,
  refuseServerlessOnlyFlags,
  resolveServerlessPlan,
  usageLimits,
  missingServerless,
} from '../../src/plan/serverless-plan.js';
import { serverlessToRequests, type ServerlessNetwork } from '../../src/plan/serverless-requests.js';
import { CREATED_SECURITY_GROUP_ID } from '../../src/plan/requests.js';
import { serverlessDifferences, type ExistingServerless } from '../../src/plan/serverless-differences.js';

const usage = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (error: unknown) => error instanceof UsageError && pattern.test(error.message));

test('defaults: valkey (the console default for serverless), no usage limits, no user group', () => {
  const { plan, warnings } = resolveServerlessPlan({ id: 'Sessions', allowFrom: '10.0.0.0/16' });
  assert.deepEqual(warnings, []);
  assert.equal(plan.name, 'sessions', 'stored lower-case');
  assert.equal(plan.engine, 'valkey');
  assert.equal(plan.majorEngineVersion, undefined);
  assert.equal(usageLimits(plan), undefined, 'no CacheUsageLimits when none was asked for');
  assert.equal(plan.userGroupId, undefined);
  assert.equal(plan.description, 'sessions, created by elasticache-kit');
});

test('usage limits: AWS ranges (1-5000 GB, 1000-15000000 ECPU/s), minimum not above maximum', () => {
  const { plan } = resolveServerlessPlan({
    id: 's',
    allowFrom: '10.0.0.0/16',
    maxDataStorage: '10',
    minDataStorage: '2',
    maxEcpuPerSecond: '5000',
  });
  assert.deepEqual(usageLimits(plan), {
    DataStorage: { Maximum: 10, Minimum: 2, Unit: 'GB' },
    ECPUPerSecond: { Maximum: 5000 },
  });
  usage(() => resolveServerlessPlan({ id: 's', maxDataStorage: '0' }), /--max-data-storage must be an integer 1-5000/);
  usage(() => resolveServerlessPlan({ id: 's', maxDataStorage: '5001' }), /--max-data-storage .*got 5001/);
  usage(() => resolveServerlessPlan({ id: 's', maxEcpuPerSecond: '999' }), /--max-ecpu-per-second .*1000-15000000/);
  usage(
    () => resolveServerlessPlan({ id: 's', minEcpuPerSecond: '20000', maxEcpuPerSecond: '10000' }),
    /--min-ecpu-per-second \(20000\) must not exceed --max-ecpu-per-second/,
  );
  usage(
    () => resolveServerlessPlan({ id: 's', minDataStorage: '20', maxDataStorage: '10' }),
    /--min-data-storage \(20 GB\) must not exceed --max-data-storage/,
  );
  usage(() => resolveServerlessPlan({ id: 's', majorEngineVersion: '7.1' }), /--major-engine-version must be a major/);
  usage(() => resolveServerlessPlan({ id: 's', userGroup: 'bad_group' }), /--user-group must be a user group id/);
  usage(() => resolveServerlessPlan({ id: 's', engine: 'memcached' }), /--engine must be one of redis, valkey/);
});

test('node-based flags are refused with --serverless, naming them; serverless flags need --serverless', () => {
  usage(() => refuseNodeBasedFlags({ nodeType: 'cache.t3.micro' }), /^--node-type cannot be used with --serverless/);
  usage(() => refuseNodeBasedFlags({ replicas: '2', port: '7000' }), /^--replicas, --port cannot be used/);
  usage(() => refuseNodeBasedFlags({ multiAz: false }), /--multi-az\/--no-multi-az cannot be used/);
  usage(() => refuseNodeBasedFlags({ authTokenEnv: 'X' }), /--user-group/);
  usage(() => refuseNodeBasedFlags({ shards: '3' }), /--shards cannot be used with --serverless/);
  refuseNodeBasedFlags({ engine: 'valkey', allowFrom: '10.0.0.0/16', tag: ['a=b'], wait: true });
  usage(() => refuseServerlessOnlyFlags({ maxDataStorage: '5' }), /^--max-data-storage only applies to a serverless/);
  usage(
    () => refuseServerlessOnlyFlags({ userGroup: 'g', majorEngineVersion: '7' }),
    /--major-engine-version, --user-group only apply/,
  );
  refuseServerlessOnlyFlags({ replicas: '2' });
  assert.equal(kindFromFlags({ serverless: true }), 'serverless');
  assert.equal(kindFromFlags({ replicas: '1' }), 'node-based');
  assert.equal(kindFromFlags({ engine: 'redis', wait: true }), undefined, 'shared flags leave the question open');
});

test('missing values name the flags', () => {
  assert.deepEqual(missingServerless({ id: 'x', allowFrom: '10.0.0.0/8' }), []);
  assert.match(missingServerless({}).join('; '), /<id>.*--allow-from/);
});

const network = (overrides: Partial<ServerlessNetwork> = {}): ServerlessNetwork => ({
  vpcId: 'vpc-0a1b2c3d',
  vpcIsDefault: true,
  securityGroups: [
    {
      action: 'create',
      name: 'elasticache-kit-6379-6380-from-10.0.0.0/16',
      vpcId: 'vpc-0a1b2c3d',
      source: { kind: 'cidr', cidr: '10.0.0.0/16', ipv6: false, open: false },
      port: 6379,
      toPort: 6380,
    },
  ],
  ...overrides,
});

test('requests: one security group opening 6379-6380 to the source, then CreateServerlessCache with its id', () => {
  const { plan } = resolveServerlessPlan({
    id: 'sessions',
    allowFrom: '10.0.0.0/16',
    engine: 'redis',
    majorEngineVersion: '7',
    maxEcpuPerSecond: '5000',
    userGroup: 'App-Users',
    tags: ['team=web'],
  });
  const requests = serverlessToRequests(plan, network());
  assert.deepEqual(
    requests.map((r) => r.action),
    ['CreateSecurityGroup', 'AuthorizeSecurityGroupIngress', 'CreateServerlessCache'],
  );
  const [sg, ingress, create] = requests;
  const tags = (sg!.input.TagSpecifications as Array<{ Tags: Array<{ Key: string; Value: string }> }>)[0]!.Tags;
  assert.ok(tags.some((t) => t.Key === 'created-by' && t.Value === 'elasticache-kit'));
  assert.ok(tags.some((t) => t.Key === 'elasticache-kit:serverless-cache' && t.Value === 'sessions'));
  assert.ok(tags.some((t) => t.Key === 'elasticache-kit:port' && t.Value === '6379-6380'));
  const rule = (ingress!.input.IpPermissions as Array<Record<string, unknown>>)[0]!;
  assert.equal(rule.FromPort, 6379);
  assert.equal(rule.ToPort, 6380, 'both the endpoint and the reader endpoint port');
  assert.deepEqual(create!.input, {
    ServerlessCacheName: 'sessions',
    Description: 'sessions, created by elasticache-kit',
    Engine: 'redis',
    MajorEngineVersion: '7',
    CacheUsageLimits: { ECPUPerSecond: { Maximum: 5000 } },
    SecurityGroupIds: [CREATED_SECURITY_GROUP_ID],
    UserGroupId: 'app-users',
    Tags: [
      { Key: 'created-by', Value: 'elasticache-kit' },
      { Key: 'elasticache-kit:serverless-cache', Value: 'sessions' },
      { Key: 'team', Value: 'web' },
    ],
  });
  // Existing security groups and explicit subnets go straight into the request.
  const reuse = serverlessToRequests(
    resolveServerlessPlan({ id: 's', securityGroup: 'sg-0a1b2c3d', subnets: 'subnet-0a1b2c3d,subnet-4e5f6a7b' }).plan,
    network({
      subnetIds: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'],
      securityGroups: [{ action: 'reuse', groupId: 'sg-0a1b2c3d', vpcId: 'vpc-0a1b2c3d', createdByTool: false }],
    }),
  );
  assert.equal(reuse.length, 1);
  assert.deepEqual(reuse[0]!.input.SecurityGroupIds, ['sg-0a1b2c3d']);
  assert.deepEqual(reuse[0]!.input.SubnetIds, ['subnet-0a1b2c3d', 'subnet-4e5f6a7b']);
});

test('differences: the same settings are none; each different one is named', () => {
  const { plan } = resolveServerlessPlan({
    id: 's',
    allowFrom: '10.0.0.0/16',
    maxDataStorage: '10',
    userGroup: 'app',
  });
  const same: ExistingServerless = {
    status: 'available',
    engine: 'valkey',
    majorEngineVersion: '8',
    description: 'whatever',
    dataStorageGb: { max: 10 },
    ecpuPerSecond: {},
    userGroupId: 'app',
    subnetIds: ['subnet-1'],
    securityGroupIds: ['sg-1'],
    allowFromSources: ['10.0.0.0/16'],
  };
  assert.deepEqual(serverlessDifferences(plan, same), [], 'unnamed settings (version, description) are not compared');
  const found = serverlessDifferences(plan, {
    ...same,
    engine: 'redis',
    dataStorageGb: { max: 20 },
    userGroupId: undefined,
    allowFromSources: ['10.9.0.0/16'],
  });
  assert.deepEqual(
    found.map((d) => d.setting),
    ['--engine', '--user-group', '--max-data-storage', '--allow-from'],
  );
  assert.deepEqual(found[2], { setting: '--max-data-storage', existing: '20', planned: '10' });
});
