/** The emulator's pure parts: request parsing, validation rules, XML writing, signature shape. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, QueryParams, checkSignature, serviceOf } from '../../src/local/query-protocol.js';
import {
  checkAuthToken,
  checkReplicationGroupId,
  parseCreateReplicationGroup,
} from '../../src/local/replication-group-rules.js';
import { engineVersionKnown, familyOf } from '../../src/local/engine-versions.js';
import { renderElement, xmlList } from '../../src/local/xml.js';

function params(values: Record<string, string>): QueryParams {
  return QueryParams.parse(new URLSearchParams(values).toString());
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    return error.code;
  }
}

test('flattened lists and structures are read in index order', () => {
  const p = params({
    'SecurityGroupIds.SecurityGroupId.2': 'sg-b',
    'SecurityGroupIds.SecurityGroupId.1': 'sg-a',
    'Tags.Tag.1.Key': 'k1',
    'Tags.Tag.1.Value': 'v1',
    'Tags.Tag.10.Key': 'k10',
    'Tags.Tag.2.Key': 'k2',
    'Filter.1.Name': 'vpc-id',
    'Filter.1.Value.1': 'vpc-1',
    'Filter.1.Value.2': 'vpc-2',
  });
  assert.deepEqual(p.list('SecurityGroupIds.SecurityGroupId'), ['sg-a', 'sg-b']);
  assert.deepEqual(
    p.structs('Tags.Tag').map((tag) => tag.string('Key')),
    ['k1', 'k2', 'k10'],
  );
  const [filter] = p.structs('Filter');
  assert.equal(filter!.string('Name'), 'vpc-id');
  assert.deepEqual(filter!.list('Value'), ['vpc-1', 'vpc-2']);
  assert.equal(
    code(() => params({ N: 'x' }).integer('N')),
    'InvalidParameterValue',
  );
  assert.equal(
    code(() => params({ B: 'yes' }).boolean('B')),
    'InvalidParameterValue',
  );
  assert.equal(params({ B: 'TRUE' }).boolean('B'), true);
});

test('replication group ids follow the ElastiCache rule and are stored lower-case', () => {
  assert.equal(checkReplicationGroupId('Orders-Cache-1'), 'orders-cache-1');
  assert.equal(checkReplicationGroupId('a'.repeat(40)), 'a'.repeat(40));
  for (const bad of ['', '1abc', '-abc', 'abc-', 'a--b', 'a_b', 'a.b', 'a'.repeat(41)]) {
    assert.equal(
      code(() => checkReplicationGroupId(bad)),
      'InvalidParameterValue',
      bad,
    );
  }
});

test('AUTH tokens: 16-128 characters, letters, digits and only ! & # $ ^ < > - (AWS)', () => {
  checkAuthToken('abcdefghijklmnop');
  checkAuthToken('!&#$^<>-abcdefgh');
  checkAuthToken('x'.repeat(128));
  for (const bad of [
    'short',
    'x'.repeat(129),
    'abcdefghijklmnop@',
    'abcdefghijklmnop/',
    'abcdefghijklmnop"',
    'abcdefgh ijklmnop',
    'abcdefghijklmnopé',
    'abcdefghijklmnop_',
    'abcdefghijklmnop%',
    'abcdefghijklmnop*',
  ]) {
    assert.equal(
      code(() => checkAuthToken(bad)),
      'InvalidParameterValue',
      bad,
    );
  }
});

test('CreateReplicationGroup: defaults, node ids, zone spread, combinations', () => {
  const base = { ReplicationGroupId: 'Demo', ReplicationGroupDescription: 'd' };
  const one = parseCreateReplicationGroup(params(base), 'eu-west-1');
  assert.deepEqual(one.nodeIds, ['demo-001']);
  assert.equal(one.engine, 'redis');
  assert.equal(one.automaticFailover, false);

  const four = parseCreateReplicationGroup(
    params({ ...base, ReplicasPerNodeGroup: '3', Engine: 'Valkey' }),
    'eu-west-1',
  );
  assert.deepEqual(four.nodeIds, ['demo-001', 'demo-002', 'demo-003', 'demo-004']);
  assert.deepEqual(four.availabilityZones, ['eu-west-1a', 'eu-west-1b', 'eu-west-1c', 'eu-west-1a']);
  assert.equal(four.engine, 'valkey');

  const placed = parseCreateReplicationGroup(
    params({
      ...base,
      NumCacheClusters: '2',
      'PreferredCacheClusterAZs.AvailabilityZone.1': 'us-east-1c',
      'PreferredCacheClusterAZs.AvailabilityZone.2': 'us-east-1a',
    }),
    'us-east-1',
  );
  assert.deepEqual(placed.availabilityZones, ['us-east-1c', 'us-east-1a']);

  const cases: Array<[Record<string, string>, string]> = [
    [{ NumCacheClusters: '0' }, 'InvalidParameterValue'],
    [{ NumCacheClusters: '7' }, 'InvalidParameterValue'],
    [{ ReplicasPerNodeGroup: '6' }, 'InvalidParameterValue'],
    [{ NumCacheClusters: '3', ReplicasPerNodeGroup: '1' }, 'InvalidParameterCombination'],
    [{ AutomaticFailoverEnabled: 'true' }, 'InvalidParameterCombination'],
    [{ NumCacheClusters: '2', MultiAZEnabled: 'true' }, 'InvalidParameterCombination'],
    [{ NumNodeGroups: '501' }, 'InvalidParameterValue'],
    [{ NumNodeGroups: '2', ReplicasPerNodeGroup: '6' }, 'InvalidParameterValue'],
    [
      {
        NumNodeGroups: '2',
        'NodeGroupConfiguration.NodeGroupConfiguration.1.Slots': '0-100',
        'NodeGroupConfiguration.NodeGroupConfiguration.2.Slots': '101-200',
      },
      'InvalidParameterValue',
    ],
    [{ Engine: 'memcached' }, 'InvalidParameterValue'],
    [{ EngineVersion: '3.2' }, 'InvalidParameterCombination'],
    [{ CacheNodeType: 'm5.large' }, 'InvalidParameterValue'],
    [{ TransitEncryptionMode: 'required' }, 'InvalidParameterCombination'],
    [{ TransitEncryptionEnabled: 'true', TransitEncryptionMode: 'sometimes' }, 'InvalidParameterValue'],
    [{ AuthToken: 'abcdefghijklmnopq' }, 'InvalidParameterCombination'],
    [{ ReplicationGroupDescription: '' }, 'InvalidParameterValue'],
  ];
  for (const [extra, expected] of cases) {
    assert.equal(
      code(() => parseCreateReplicationGroup(params({ ...base, ...extra }), 'us-east-1')),
      expected,
      JSON.stringify(extra),
    );
  }
  const sharded = parseCreateReplicationGroup(
    params({
      ...base,
      NumNodeGroups: '2',
      'NodeGroupConfiguration.NodeGroupConfiguration.1.Slots': '0-99',
      'NodeGroupConfiguration.NodeGroupConfiguration.1.ReplicaCount': '2',
      'NodeGroupConfiguration.NodeGroupConfiguration.2.Slots': '100-16383',
    }),
    'us-east-1',
  );
  assert.deepEqual(
    sharded.shards!.map((shard) => [shard.nodeGroupId, shard.slots, shard.memberIds.length]),
    [
      ['0001', '0-99', 3],
      ['0002', '100-16383', 2],
    ],
  );
  const withFailover = parseCreateReplicationGroup(
    params({ ...base, NumCacheClusters: '2', AutomaticFailoverEnabled: 'true', MultiAZEnabled: 'true' }),
    'us-east-1',
  );
  assert.equal(withFailover.multiAZ, true);
});

test('engine versions: requested forms that name a listed version', () => {
  for (const ok of ['7.1', '7.0', '7', '6.x', '6.2', '7.1.0']) assert.equal(engineVersionKnown('redis', ok), true, ok);
  for (const bad of ['3.2', '8.0', '7.5']) assert.equal(engineVersionKnown('redis', bad), false, bad);
  assert.equal(engineVersionKnown('valkey', '8.0'), true);
  assert.equal(familyOf('redis', '7.0.15'), 'redis7');
  assert.equal(familyOf('redis', '6.2.14'), 'redis6.x');
  assert.equal(familyOf('valkey', '8.1.1'), 'valkey8');
});

test('XML: escaping, omitted members, empty lists, member names', () => {
  assert.equal(renderElement('A', 'x<&>"\''), '<A>x&lt;&amp;&gt;&quot;&apos;</A>');
  assert.equal(
    renderElement('A', [
      ['B', undefined],
      ['C', 1],
      ['D', false],
    ]),
    '<A><C>1</C><D>false</D></A>',
  );
  const list = xmlList('MemberClusters', 'ClusterId', ['a-001', 'a-002'], (id) => id)!;
  assert.equal(
    renderElement(list[0], list[1]),
    '<MemberClusters><ClusterId>a-001</ClusterId><ClusterId>a-002</ClusterId></MemberClusters>',
  );
  const empty = xmlList('NodeGroups', 'NodeGroup', [], () => 'x')!;
  assert.equal(renderElement(empty[0], empty[1]), '<NodeGroups/>');
  assert.equal(renderElement('T', new Date('2026-01-02T03:04:05.000Z')), '<T>2026-01-02T03:04:05.000Z</T>');
});

test('SigV4 shape: header or presigned query; no auth is 403 MissingAuthenticationToken, a bad shape 400 IncompleteSignature', () => {
  const header =
    'AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/elasticache/aws4_request, SignedHeaders=host, Signature=abcdef0123';
  assert.deepEqual(checkSignature(header, new URLSearchParams()), { region: 'eu-west-1', service: 'elasticache' });
  const presigned = new URLSearchParams({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': 'AKID/20260101/us-west-2/ec2/aws4_request',
    'X-Amz-Signature': 'ab',
  });
  assert.deepEqual(checkSignature(undefined, presigned), { region: 'us-west-2', service: 'ec2' });
  // AWS's common errors: MissingAuthenticationToken is 403, IncompleteSignature 400.
  for (const [auth, expected, status] of [
    [undefined, 'MissingAuthenticationToken', 403],
    ['', 'MissingAuthenticationToken', 403],
    ['AWS AKID:signature', 'IncompleteSignature', 400],
    ['AWS4-HMAC-SHA256 Credential=AKID/bad, SignedHeaders=host, Signature=ab', 'IncompleteSignature', 400],
  ] as const) {
    assert.throws(
      () => checkSignature(auth, new URLSearchParams()),
      (error: ApiError) => error.code === expected && error.status === status,
    );
  }
  assert.equal(serviceOf(params({ Version: '2016-11-15' }), 'elasticache'), 'ec2', 'Version wins over the scope');
  assert.equal(serviceOf(params({}), 'ec2'), 'ec2');
  assert.equal(serviceOf(params({}), 's3'), undefined);
});
