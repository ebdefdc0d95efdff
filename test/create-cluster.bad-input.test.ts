/**
 * The bad-input table through the CLI (a representative subset; every row is a unit test
 * in test/plan/bad-input.test.ts): exit 2, a message naming the flag, and no API call.
 * The proof of "no call": the endpoint is a closed port, so any call would fail with
 * exit 1 (connection refused) instead of 2 — the control row shows that it does.
 * The rows run in-process through the commander program (helpers/cli-in-process.ts); the
 * control, a few rows and the secret-file check also run the real binary.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { runCliInProcess } from './helpers/cli-in-process.js';
import { freePort } from './helpers/ports.js';

let closedEndpoint: string;
const env: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: 'AKIATESTBADINPUT0000',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
  REDIS_AUTH_SHORT: 'tooshort',
  REDIS_AUTH_OK: 'abcdefghijklmnop',
};
const create = (args: string[]) =>
  runCli(['--endpoint-url', closedEndpoint, 'create-cluster', ...args], { env, timeoutMs: 60_000 });
const createInProcess = (args: string[]) =>
  runCliInProcess(['--endpoint-url', closedEndpoint, 'create-cluster', ...args], { env });

/** Rows that also run the real binary: an id rule, a range, a secret that is not there. */
const END_TO_END = ['id with two hyphens', 'replicas 7', 'AUTH token variable unset'];

const ROWS: Array<[string, string[], RegExp]> = [
  [
    'id with two hyphens',
    ['my--demo', '--allow-from', '10.0.0.0/16', '--yes'],
    /id must be 1-40 letters, digits or hyphens.*"--"/,
  ],
  [
    'id starting with a digit',
    ['1demo', '--allow-from', '10.0.0.0/16', '--yes'],
    /id must be 1-40.*start with a letter/,
  ],
  [
    'engine',
    ['demo', '--engine', 'memcached', '--allow-from', '10.0.0.0/16', '--yes'],
    /--engine must be one of redis, valkey \(got memcached\)/,
  ],
  [
    'replicas 7',
    ['demo', '--replicas', '7', '--allow-from', '10.0.0.0/16', '--yes'],
    /--replicas must be an integer 0-5 \(got 7\)/,
  ],
  [
    'port',
    ['demo', '--port', '80', '--allow-from', '10.0.0.0/16', '--yes'],
    /--port must be an integer 1024-65535 \(got 80\)/,
  ],
  [
    'node type',
    ['demo', '--node-type', 't3.micro', '--allow-from', '10.0.0.0/16', '--yes'],
    /--node-type must look like cache\.<family>\.<size>/,
  ],
  [
    'multi-az with 0 replicas',
    ['demo', '--replicas', '0', '--multi-az', '--allow-from', '10.0.0.0/16', '--yes'],
    /--multi-az needs at least one replica/,
  ],
  [
    'retired node type',
    ['demo', '--node-type', 'cache.m3.medium', '--allow-from', '10.0.0.0/16', '--yes'],
    /--node-type cache\.m3\.medium is a previous-generation type that can no longer be created/,
  ],
  // Without --yes and without a terminal: the bad value is reported, not the missing --yes.
  [
    'retired node type, no --yes',
    ['demo', '--node-type', 'cache.r3.large', '--allow-from', '10.0.0.0/16'],
    /--node-type cache\.r3\.large is a previous-generation type/,
  ],
  [
    'multi-az without failover',
    ['demo', '--multi-az', '--no-automatic-failover', '--allow-from', '10.0.0.0/16', '--yes'],
    /--multi-az needs automatic failover/,
  ],
  [
    'failover on T1',
    ['demo', '--node-type', 'cache.t1.micro', '--automatic-failover', '--allow-from', '10.0.0.0/16', '--yes'],
    /--node-type cache\.t1\.micro is a previous-generation type that can no longer be created/,
  ],
  [
    'allow-from host bits',
    ['demo', '--allow-from', '10.0.1.0/16', '--yes'],
    /--allow-from 10\.0\.1\.0\/16 has host bits set/,
  ],
  [
    'allow-from word',
    ['demo', '--allow-from', 'everyone', '--yes'],
    /--allow-from must be a security group id .* or a CIDR block/,
  ],
  ['vpc', ['demo', '--vpc', 'default', '--allow-from', '10.0.0.0/16', '--yes'], /--vpc must be a VPC id/],
  [
    'subnets',
    ['demo', '--subnets', 'a,b', '--allow-from', '10.0.0.0/16', '--yes'],
    /--subnets must be comma-separated subnet ids/,
  ],
  [
    'security group',
    ['demo', '--security-group', 'web', '--yes'],
    /--security-group must be 1-5 comma-separated security group ids/,
  ],
  ['tag', ['demo', '--tag', 'aws:x=1', '--allow-from', '10.0.0.0/16', '--yes'], /--tag key must not start with aws:/],
  [
    'wait timeout',
    ['demo', '--wait-timeout', 'soon', '--allow-from', '10.0.0.0/16', '--yes'],
    /--wait-timeout must be minutes/,
  ],
  [
    'engine version shape',
    ['demo', '--engine-version', 'latest', '--allow-from', '10.0.0.0/16', '--yes'],
    /--engine-version must be a version number/,
  ],
  [
    'AUTH token too short',
    ['demo', '--transit-encryption', '--auth-token-env', 'REDIS_AUTH_SHORT', '--allow-from', '10.0.0.0/16', '--yes'],
    /AUTH token \(\$REDIS_AUTH_SHORT\) must be 16-128 characters/,
  ],
  [
    'AUTH token without TLS',
    ['demo', '--no-transit-encryption', '--auth-token-env', 'REDIS_AUTH_OK', '--allow-from', '10.0.0.0/16', '--yes'],
    /needs --transit-encryption/,
  ],
  [
    'AUTH token variable unset',
    ['demo', '--transit-encryption', '--auth-token-env', 'NOT_SET_ANYWHERE', '--allow-from', '10.0.0.0/16', '--yes'],
    /--auth-token-env NOT_SET_ANYWHERE: the variable is not set/,
  ],
  [
    'AUTH token file missing',
    ['demo', '--transit-encryption', '--auth-token-file', '/nonexistent/token', '--allow-from', '10.0.0.0/16', '--yes'],
    /--auth-token-file \/nonexistent\/token: cannot read it \(ENOENT\)/,
  ],
  [
    'AUTH token prompt without TLS',
    ['demo', '--no-transit-encryption', '--auth-token-prompt', '--allow-from', '10.0.0.0/16', '--yes'],
    /--auth-token-prompt needs --transit-encryption/,
  ],
  [
    'AUTH token prompt without a terminal',
    ['demo', '--transit-encryption', '--auth-token-prompt', '--allow-from', '10.0.0.0/16', '--yes'],
    /--auth-token-prompt needs a terminal/,
  ],
  [
    'two AUTH token sources',
    [
      'demo',
      '--transit-encryption',
      '--auth-token-env',
      'REDIS_AUTH_OK',
      '--auth-token-file',
      '/tmp/x',
      '--allow-from',
      '10.0.0.0/16',
      '--yes',
    ],
    /give only one AUTH token source/,
  ],
  [
    'missing id and source without a terminal',
    ['--yes'],
    /missing required values \(no terminal to ask on\): pass <id>.*--allow-from <sg-id\|CIDR> or --security-group/,
  ],
  [
    'missing source without a terminal',
    ['demo', '--yes'],
    /pass --allow-from <sg-id\|CIDR> or --security-group <sg-id>/,
  ],
  ['no --yes without a terminal', ['demo', '--allow-from', '10.0.0.0/16'], /pass --yes to create without confirmation/],
  [
    'subnet group and subnets',
    ['demo', '--subnet-group', 'g', '--subnets', 'subnet-0a1b2c3d', '--allow-from', '10.0.0.0/16', '--yes'],
    /--subnet-group and --subnets cannot be used together/,
  ],
];

describe('create-cluster bad input through the CLI: exit 2, the flag named, no API call', () => {
  before(async () => {
    closedEndpoint = `http://127.0.0.1:${await freePort()}`;
  });

  test('control: a valid command against the closed endpoint makes a call and fails with exit 1', async () => {
    const result = await create(['demo', '--allow-from', '10.0.0.0/16', '--yes']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /connection refused|ECONNREFUSED/);
  });

  test('control: in-process, the same valid command makes the call and fails with exit 1', async () => {
    const result = await createInProcess(['demo', '--allow-from', '10.0.0.0/16', '--yes']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /connection refused|ECONNREFUSED/);
  });

  for (const [name, args, pattern] of ROWS) {
    test(`${name}: exit 2 with one line naming the flag`, async () => {
      const result = await createInProcess(args);
      assert.equal(result.code, 2, `${name}: exit ${result.code}\n${result.stderr}`);
      const line = result.stderr.split('\n').find((l) => l.startsWith('elasticache-kit: '));
      assert.ok(line, `${name}: an error line on stderr`);
      assert.match(line, pattern, name);
      assert.equal(result.stdout, '', `${name}: nothing on stdout`);
    });
  }

  test('the real binary answers some rows exactly as the in-process program does', async () => {
    const rows = ROWS.filter(([name]) => END_TO_END.includes(name));
    assert.equal(rows.length, END_TO_END.length, 'every end-to-end row is in the table');
    await Promise.all(
      rows.map(async ([name, args, pattern]) => {
        const child = await create(args);
        const inProcess = await createInProcess(args);
        assert.equal(child.code, 2, `${name}: exit ${child.code}\n${child.stderr}`);
        assert.match(child.stderr, pattern, name);
        assert.deepEqual(
          { code: inProcess.code, stdout: inProcess.stdout, stderr: inProcess.stderr },
          { code: child.code, stdout: child.stdout, stderr: child.stderr },
          name,
        );
      }),
    );
  });

  test('an AUTH token from a file is never printed, even when it is rejected', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eck-token-'));
    try {
      const file = join(dir, 'token');
      await writeFile(file, 'Secret@Value-1234567\n', { mode: 0o600 });
      const result = await create([
        'demo',
        '--transit-encryption',
        '--auth-token-file',
        file,
        '--allow-from',
        '10.0.0.0/16',
        '--yes',
      ]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /contains "@"/);
      assert.ok(!result.stderr.includes('Secret@Value') && !result.stdout.includes('Secret@Value'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the companions validate before connecting too', async () => {
    const run = (args: string[]) => runCliInProcess(['--endpoint-url', closedEndpoint, ...args], { env });
    const cases: Array<[string[], RegExp]> = [
      [['wait', 'bad--id'], /id must be/],
      [['wait', 'demo', '--wait-timeout', '0'], /--wait-timeout must be minutes/],
      [['delete-cluster', 'demo'], /pass --yes to delete/],
      [['failover', 'demo'], /pass --yes to fail over/],
      [['failover', 'demo', '--yes', '--node-group', 'x'], /--node-group must be a node group id/],
    ];
    for (const [args, pattern] of cases) {
      const result = await run(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, pattern);
    }
    // And one through the real binary.
    const child = await runCli(['--endpoint-url', closedEndpoint, 'delete-cluster', 'demo'], { env });
    assert.equal(child.code, 2, child.stderr);
    assert.match(child.stderr, /pass --yes to delete/);
  });
});
