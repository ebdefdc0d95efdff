/**
 * The bad-input table: every invalid value of every flag is a UsageError (exit 2) with
 * one line that names the flag and the allowed values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePlan, type PlanInput } from '../../src/plan/cluster-plan.js';
import { ExitCode, UsageError } from '../../src/errors.js';

const VALID: PlanInput = { id: 'demo', allowFrom: '10.0.0.0/16' };

/** [description, the bad input, text the message must contain (flag and allowed values)]. */
export const BAD_INPUTS: Array<[string, PlanInput, RegExp[]]> = [
  // id
  ['empty id', { id: '' }, [/id must be 1-40/, /start with a letter/]],
  ['id of 41 characters', { id: 'a'.repeat(41) }, [/id must be 1-40/, /41 characters/]],
  ['id starting with a digit', { id: '1demo' }, [/id must be 1-40/, /must start with a letter/]],
  ['id starting with a hyphen', { id: '-demo' }, [/id must be 1-40/, /start with a letter/]],
  ['id with two hyphens', { id: 'my--demo' }, [/id must be 1-40/, /"--"/]],
  ['id with a trailing hyphen', { id: 'demo-' }, [/id must be 1-40/, /ends with a hyphen/]],
  ['id with an underscore', { id: 'my_demo' }, [/id must be 1-40 letters, digits or hyphens/, /got my_demo/]],
  ['id with a dot', { id: 'my.demo' }, [/id must be/, /got my\.demo/]],
  ['id with a space', { id: 'my demo' }, [/id must be/]],
  ['id with a non-ASCII letter', { id: 'démo' }, [/id must be/]],
  // engine
  ['engine memcached', { engine: 'memcached' }, [/--engine must be one of redis, valkey/, /got memcached/]],
  ['engine empty', { engine: '' }, [/--engine must be one of redis, valkey/]],
  [
    'engine version garbage',
    { engineVersion: 'latest' },
    [/--engine-version must be a version number such as 7\.1/, /got latest/],
  ],
  ['engine version with a v', { engineVersion: 'v7.1' }, [/--engine-version/]],
  ['engine version with four parts', { engineVersion: '7.1.0.1' }, [/--engine-version/]],
  // description
  ['empty description', { description: '' }, [/--description must be 1-255 printable characters/]],
  ['blank description', { description: '   ' }, [/--description must be 1-255/]],
  [
    'description with a newline',
    { description: 'two\nlines' },
    [/--description must be 1-255 printable characters on one line/],
  ],
  ['description too long', { description: 'x'.repeat(256) }, [/--description must be 1-255/]],
  // node type
  [
    'node type without cache. prefix',
    { nodeType: 't3.micro' },
    [/--node-type must look like cache\.<family>\.<size>/, /did you mean cache\.t3\.micro/],
  ],
  ['node type garbage', { nodeType: 'big' }, [/--node-type must look like cache\.<family>\.<size>/, /cache\.t3/]],
  ['node type with upper case', { nodeType: 'cache.T3.micro' }, [/--node-type must look like/]],
  ['node type missing size', { nodeType: 'cache.t3' }, [/--node-type must look like/]],
  ...[
    'cache.t1.micro',
    'cache.m1.small',
    'cache.m2.xlarge',
    'cache.m3.medium',
    'cache.c1.xlarge',
    'cache.r3.large',
    'cache.m3.9xlarge',
  ].map((nodeType): [string, PlanInput, RegExp[]] => [
    `retired node type ${nodeType}`,
    { nodeType },
    [
      new RegExp(
        `--node-type ${nodeType.replace(/\./g, '\\.')} is a previous-generation type that can no longer be created`,
      ),
      /cache\.t3/,
    ],
  ]),
  ['node type with extra part', { nodeType: 'cache.t3.micro.x' }, [/--node-type must look like/]],
  // replicas
  ['replicas 6', { replicas: '6' }, [/--replicas must be an integer 0-5 \(got 6\)/]],
  ['replicas 7', { replicas: '7' }, [/--replicas must be an integer 0-5 \(got 7\)/]],
  ['replicas -1', { replicas: '-1' }, [/--replicas must be an integer 0-5 \(got -1\)/]],
  ['replicas 1.5', { replicas: '1.5' }, [/--replicas must be an integer 0-5 \(got 1\.5\)/]],
  ['replicas two', { replicas: 'two' }, [/--replicas must be an integer 0-5 \(got two\)/]],
  ['replicas empty', { replicas: '' }, [/--replicas must be an integer 0-5/]],
  // port
  ['port 80 (privileged)', { port: '80' }, [/--port must be an integer 1024-65535 \(got 80\)/]],
  ['port 0', { port: '0' }, [/--port must be an integer 1024-65535/]],
  ['port 65536', { port: '65536' }, [/--port must be an integer 1024-65535 \(got 65536\)/]],
  ['port text', { port: 'redis' }, [/--port must be an integer 1024-65535 \(got redis\)/]],
  ['port fractional', { port: '6379.5' }, [/--port must be an integer/]],
  // availability combinations
  [
    'multi-az with 0 replicas',
    { multiAz: true, replicas: '0' },
    [/--multi-az needs at least one replica/, /--replicas 1-5/],
  ],
  [
    'automatic failover with 0 replicas',
    { automaticFailover: true, replicas: '0' },
    [/--automatic-failover needs at least one replica/, /--replicas 1-5/],
  ],
  [
    'multi-az without automatic failover',
    { multiAz: true, automaticFailover: false },
    [/--multi-az needs automatic failover/, /--no-automatic-failover/],
  ],
  // T1 (and every retired family) is refused as a node type, before any availability rule.
  [
    'multi-az on cache.t1.micro',
    { multiAz: true, nodeType: 'cache.t1.micro' },
    [/--node-type cache\.t1\.micro is a previous-generation type that can no longer be created/, /cache\.t3/],
  ],
  [
    'automatic failover on cache.t1.micro',
    { automaticFailover: true, nodeType: 'cache.t1.micro' },
    [/--node-type cache\.t1\.micro is a previous-generation type/],
  ],
  // network
  ['vpc garbage', { vpc: 'default' }, [/--vpc must be a VPC id such as vpc-/, /got default/]],
  ['vpc with upper-case hex', { vpc: 'vpc-0A1B2C3D' }, [/--vpc must be a VPC id/]],
  ['vpc with 10 hex digits', { vpc: 'vpc-0123456789' }, [/--vpc must be a VPC id/]],
  ['subnets not ids', { subnets: 'a,b' }, [/--subnets must be comma-separated subnet ids/]],
  ['subnets with an empty entry', { subnets: 'subnet-0a1b2c3d,' }, [/--subnets must be comma-separated subnet ids/]],
  ['subnets listed twice', { subnets: 'subnet-0a1b2c3d,subnet-0a1b2c3d' }, [/--subnets lists a subnet twice/]],
  [
    'subnet group with underscore',
    { subnetGroup: 'my_group' },
    [/--subnet-group must be a cache subnet group name: 1-255 letters, digits or hyphens/],
  ],
  ['subnet group empty', { subnetGroup: '' }, [/--subnet-group must be/]],
  [
    'subnet group and subnets together',
    { subnetGroup: 'mine', subnets: 'subnet-0a1b2c3d' },
    [/--subnet-group and --subnets cannot be used together/],
  ],
  [
    'security group not an id',
    { securityGroup: 'default', allowFrom: undefined },
    [/--security-group must be 1-5 comma-separated security group ids such as sg-/],
  ],
  [
    'six security groups',
    { securityGroup: Array.from({ length: 6 }, (_, i) => `sg-0000000${i}`).join(','), allowFrom: undefined },
    [/--security-group must be 1-5/],
  ],
  [
    'security group and allow-from together',
    { securityGroup: 'sg-0a1b2c3d' },
    [/--security-group and --allow-from cannot be used together/],
  ],
  [
    'allow-from word',
    { allowFrom: 'anywhere' },
    [/--allow-from must be a security group id \(sg-0a1b2c3d\) or a CIDR block \(10\.0\.0\.0\/16\)/],
  ],
  ['allow-from bare IPv4', { allowFrom: '10.0.0.5' }, [/--allow-from must be/, /10\.0\.0\.5\/32/]],
  ['allow-from bare IPv6', { allowFrom: '2001:db8::1' }, [/--allow-from must be/, /\/128/]],
  ['allow-from bad octet', { allowFrom: '10.0.0.256/16' }, [/--allow-from must be/]],
  ['allow-from prefix 33', { allowFrom: '10.0.0.0/33' }, [/--allow-from prefix length must be 0-32/]],
  ['allow-from IPv6 prefix 129', { allowFrom: '2001:db8::/129' }, [/--allow-from prefix length must be 0-128/]],
  ['allow-from prefix not a number', { allowFrom: '10.0.0.0/x' }, [/--allow-from must be/]],
  [
    'allow-from host bits set',
    { allowFrom: '10.0.1.0/16' },
    [/--allow-from 10\.0\.1\.0\/16 has host bits set; the network is 10\.0\.0\.0\/16/],
  ],
  [
    'allow-from IPv6 host bits set',
    { allowFrom: '2001:db8::1/64' },
    [/--allow-from .* has host bits set; the network is 2001:db8::\/64/],
  ],
  [
    'allow-from sg id malformed',
    { allowFrom: 'sg-xyz' },
    [/--allow-from must be a security group id/, /not a security group id/],
  ],
  // security
  [
    'AUTH token too short',
    { transitEncryption: true, authToken: { value: 'short', origin: '$REDIS_AUTH' } },
    [/the AUTH token \(\$REDIS_AUTH\) must be 16-128 characters/, /it has 5/],
  ],
  [
    'AUTH token too long',
    { transitEncryption: true, authToken: { value: 'a'.repeat(129), origin: '$REDIS_AUTH' } },
    [/must be 16-128 characters/, /it has 129/],
  ],
  [
    'AUTH token with @',
    { transitEncryption: true, authToken: { value: 'abcdefgh@ijklmnop', origin: 'token.txt' } },
    [/AUTH token \(token\.txt\) must be/, /contains "@"/],
  ],
  [
    'AUTH token with "',
    { transitEncryption: true, authToken: { value: 'abcdefgh"ijklmnop', origin: '$T' } },
    [/contains """/],
  ],
  [
    'AUTH token with /',
    { transitEncryption: true, authToken: { value: 'abcdefgh/ijklmnop', origin: '$T' } },
    [/contains "\/"/],
  ],
  [
    'AUTH token with a space',
    { transitEncryption: true, authToken: { value: 'abcdefgh ijklmnop', origin: '$T' } },
    [/contains character code 32/],
  ],
  [
    'AUTH token with a newline',
    { transitEncryption: true, authToken: { value: 'abcdefghijklmnop\n', origin: '$T' } },
    [/contains character code 10/],
  ],
  [
    'AUTH token without transit encryption',
    { transitEncryption: false, authToken: { value: 'abcdefghijklmnop', origin: '$REDIS_AUTH' } },
    [/AUTH token \(\$REDIS_AUTH\) needs --transit-encryption/],
  ],
  // tags
  ['tag without =', { tags: ['team'] }, [/--tag must be key=value \(got team\)/]],
  ['tag with empty key', { tags: ['=x'] }, [/--tag key must be key 1-128/]],
  ['tag key too long', { tags: ['k'.repeat(129) + '=v'] }, [/--tag key must be key 1-128/]],
  ['tag value too long', { tags: ['k=' + 'v'.repeat(257)] }, [/--tag value must be/]],
  ['tag key with aws: prefix', { tags: ['aws:owner=me'] }, [/--tag key must not start with aws:/]],
  ['tag key with forbidden character', { tags: ['team!=x'] }, [/--tag key must be/]],
  ['tag key reserved by the tool', { tags: ['created-by=me'] }, [/--tag key must not be created-by/]],
  [
    'tag key in the tool prefix',
    { tags: ['elasticache-kit:x=1'] },
    [/--tag key must not be created-by or start with elasticache-kit:/],
  ],
  ['tag key given twice', { tags: ['team=a', 'team=b'] }, [/--tag must name each key once \(got team twice\)/]],
  [
    'too many tags',
    { tags: Array.from({ length: 46 }, (_, i) => `k${i}=v`) },
    [/--tag may be given at most 45 times \(got 46\)/],
  ],
  // wait
  ['wait timeout 0', { waitTimeout: '0' }, [/--wait-timeout must be minutes, more than 0/]],
  ['wait timeout negative', { waitTimeout: '-5' }, [/--wait-timeout must be minutes/]],
  ['wait timeout text', { waitTimeout: 'soon' }, [/--wait-timeout must be minutes.*\(got soon\)/]],
  [
    'wait timeout beyond a day',
    { waitTimeout: '1441' },
    [/--wait-timeout must be minutes, more than 0 and at most 1440/],
  ],
];

for (const [name, bad, expected] of BAD_INPUTS) {
  test(`bad input: ${name} → exit 2 naming the flag`, () => {
    const input = { ...VALID, ...bad };
    assert.throws(
      () => resolvePlan(input),
      (error: unknown) => {
        assert.ok(error instanceof UsageError, `UsageError, got ${String(error)}`);
        assert.equal(error.exitCode, ExitCode.usage);
        assert.ok(!error.message.includes('\n'), `one line: ${error.message}`);
        for (const pattern of expected) assert.match(error.message, pattern);
        return true;
      },
    );
  });
}

test('an AUTH token is never echoed in its error', () => {
  const secret = 'Sup3rSecretValue@2026';
  assert.throws(
    () => resolvePlan({ ...VALID, transitEncryption: true, authToken: { value: secret, origin: '$T' } }),
    (error: Error) => !error.message.includes(secret) && !error.message.includes('Sup3r'),
  );
});

test('every flag of create-cluster appears in the bad-input table', () => {
  const covered = new Set(BAD_INPUTS.flatMap(([, input]) => Object.keys(input)));
  for (const key of [
    'id',
    'engine',
    'engineVersion',
    'description',
    'nodeType',
    'replicas',
    'port',
    'multiAz',
    'automaticFailover',
    'vpc',
    'subnets',
    'subnetGroup',
    'securityGroup',
    'allowFrom',
    'authToken',
    'tags',
    'waitTimeout',
  ]) {
    assert.ok(covered.has(key), `${key} has bad inputs in the table`);
  }
});
