/**
 * A serverless cache through the built CLI against the emulator, as a user would run it:
 * create-cluster --serverless with a user group (review, wait, idempotent re-run,
 * differences), list with both kinds, wait, endpoints in every format (appsettings-xml
 * refused), the user's password written 0600 with --include-auth, a real ioredis Cluster
 * over TLS from the written config, a failed launch that takes back its security group,
 * Ctrl-C while waiting, and delete-cluster removing the cache and the network it made.
 * Each command flow (create-cluster --dry-run, create-cluster, list, wait, endpoints with the
 * password, Ctrl-C, delete-cluster) runs the real binary at least once; the other runs go
 * through the same commander program in-process (helpers/cli-in-process.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import {
  CreateUserCommand,
  CreateUserGroupCommand,
  DescribeServerlessCachesCommand,
} from '@aws-sdk/client-elasticache';
import { Cluster } from 'ioredis';
import { runCli, spawnCli } from './helpers/cli.js';
import { runCliInProcess } from './helpers/cli-in-process.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { caCertPath } from '../src/local/tls-material.js';
import type { Topology } from '../src/topology.js';
import { ec2Sdk } from './helpers/ec2.js';

const { DescribeSecurityGroupsCommand } = ec2Sdk();

let emulator: TestEmulator;
let dir: string;
const PASSWORD = 'App-User-Password-0123';
/** The built CLI as a child process: one run of each command flow the file covers. */
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(['--endpoint-url', emulator.url, ...args], { env: { ...emulator.env, ...env } });
/** The same commander program in the test process, for the runs whose subject is not the process. */
const cliIn = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCliInProcess(['--endpoint-url', emulator.url, ...args], { env: { ...emulator.env, ...env } });
const toolGroups = async () =>
  ((await emulator.ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? []).filter((g) =>
    (g.Tags ?? []).some((tag) => tag.Key === 'created-by' && tag.Value === 'elasticache-kit'),
  );
const serverlessNames = async () =>
  ((await emulator.elasticache.send(new DescribeServerlessCachesCommand({}))).ServerlessCaches ?? []).map(
    (c) => c.ServerlessCacheName,
  );

const CREATE = [
  'create-cluster',
  'sessions',
  '--serverless',
  '--engine',
  'valkey',
  '--max-data-storage',
  '10',
  '--max-ecpu-per-second',
  '5000',
  '--user-group',
  'app-users',
  '--allow-from',
  '10.0.0.0/16',
  '--yes',
];

describe('a serverless cache through the CLI', () => {
  before(async () => {
    emulator = await startTestEmulator();
    dir = await mkdtemp(join(tmpdir(), 'eck-serverless-'));
    // RBAC as an app team sets it up: a user with a password, and a group with it and `default`.
    await emulator.elasticache.send(
      new CreateUserCommand({
        UserId: 'app',
        UserName: 'app',
        Engine: 'valkey',
        AccessString: 'on ~* +@all',
        Passwords: [PASSWORD],
      }),
    );
    await emulator.elasticache.send(
      new CreateUserGroupCommand({ UserGroupId: 'app-users', Engine: 'valkey', UserIds: ['default', 'app'] }),
    );
  });
  after(async () => {
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('--dry-run prints the exact requests: one security group for 6379-6380, then CreateServerlessCache', async () => {
    const result = await cli([...CREATE, '--dry-run']);
    assert.equal(result.code, 0, result.stderr);
    const requests = JSON.parse(result.stdout) as Array<{ action: string; input: Record<string, unknown> }>;
    assert.deepEqual(
      requests.map((r) => r.action),
      ['CreateSecurityGroup', 'AuthorizeSecurityGroupIngress', 'CreateServerlessCache'],
    );
    assert.deepEqual(requests[2]!.input.CacheUsageLimits, {
      DataStorage: { Maximum: 10, Unit: 'GB' },
      ECPUPerSecond: { Maximum: 5000 },
    });
    assert.equal(requests[2]!.input.UserGroupId, 'app-users');
    assert.deepEqual(await serverlessNames(), [], 'nothing created');
    assert.deepEqual(await toolGroups(), []);
  });

  test('create: review, launch, wait with progress → the Topology with its two endpoints and its users', async () => {
    const result = await cli([...CREATE, '--output', 'json']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Serverless cache +sessions/);
    assert.match(result.stderr, /Usage limits +data max 10 GB; max 5,000 ECPU\/s/);
    assert.match(result.stderr, /Access +ports 6379-6380\/tcp from 10\.0\.0\.0\/16 only/);
    assert.match(result.stderr, /requesting serverless cache sessions/);
    assert.match(result.stderr, /sessions is available after/);
    const topology = JSON.parse(result.stdout) as Topology;
    assert.equal(topology.kind, 'serverless');
    assert.equal(topology.status, 'available');
    assert.equal(topology.tls, true);
    assert.equal(topology.authRequired, true);
    assert.equal(topology.userGroupId, 'app-users');
    assert.deepEqual(topology.users, ['default', 'app']);
    assert.ok(topology.primaryEndpoint && topology.readerEndpoint);
    assert.notEqual(topology.primaryEndpoint.port, topology.readerEndpoint.port);
    const [group] = await toolGroups();
    assert.equal(group?.GroupName, 'elasticache-kit-6379-6380-from-10.0.0.0/16');
    assert.deepEqual(
      group?.IpPermissions?.map((p) => [p.FromPort, p.ToPort]),
      [[6379, 6380]],
      'one rule opening both the endpoint and the reader port',
    );
  });

  test('idempotent: the same command reports and waits; different settings exit 2 naming them', async () => {
    const same = await cliIn(CREATE);
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stderr, /serverless cache sessions already exists with these settings \(status: available\)/);
    const different = await cliIn([
      ...CREATE.filter((a) => a !== '--user-group' && a !== 'app-users').map((a) => (a === '5000' ? '6000' : a)),
    ]);
    assert.equal(different.code, 2, different.stderr);
    assert.match(
      different.stderr,
      /already exists with different settings: --user-group is app-users, the command asks for \(none\); --max-ecpu-per-second is 5000, the command asks for 6000/,
    );
    assert.equal((await toolGroups()).length, 1, 'nothing new created');
  });

  test('list: serverless caches and replication groups in one table with a kind; JSON is one document', async () => {
    const created = await cliIn(['create-cluster', 'nodes', '--replicas', '0', '--allow-from', '10.0.0.0/16', '--yes']);
    assert.equal(created.code, 0, created.stderr);
    const table = await cli(['list']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^ID +KIND +STATUS +ENGINE +NODE TYPE +NODES +ENDPOINT$/m);
    assert.match(table.stdout, /^nodes +replication group +available +redis +cache\.t3\.micro +1 +127\.0\.0\.1:\d+$/m);
    assert.match(table.stdout, /^sessions +serverless +available +valkey +- +- +127\.0\.0\.1:\d+ \(reader \d+\)$/m);
    const json = JSON.parse((await cliIn(['list', '--output', 'json'])).stdout) as Array<{
      kind: string;
      replicationGroupId: string;
    }>;
    assert.deepEqual(
      json.map((g) => [g.replicationGroupId, g.kind]),
      [
        ['nodes', 'replication-group'],
        ['sessions', 'serverless'],
      ],
    );
    const gone = await cliIn(['delete-cluster', 'nodes', '--yes']);
    assert.equal(gone.code, 0, gone.stderr);
  });

  test('wait finds the serverless cache; an unknown id is exit 3 naming both kinds', async () => {
    const waited = await cli(['wait', 'sessions', '--output', 'json']);
    assert.equal(waited.code, 0, waited.stderr);
    assert.equal((JSON.parse(waited.stdout) as Topology).kind, 'serverless');
    for (const command of [
      ['wait', 'nosuch'],
      ['endpoints', 'nosuch'],
      ['delete-cluster', 'nosuch', '--yes'],
    ]) {
      const result = await cliIn(command);
      assert.equal(result.code, 3, `${command.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /nosuch not found: no replication group and no serverless cache of that name/);
    }
  });

  test('endpoints in every format: endpoint + reader endpoint, TLS, cluster protocol, the user', async () => {
    const topology = JSON.parse((await cliIn(['endpoints', 'sessions'])).stdout) as Topology;
    const endpoint = `127.0.0.1:${topology.primaryEndpoint!.port}`;
    const reader = `127.0.0.1:${topology.readerEndpoint!.port}`;

    const url = await cliIn(['endpoints', 'sessions', '--format', 'url']);
    assert.equal(url.stdout, `endpoint rediss://app@${endpoint}\nreader rediss://app@${reader}\n`);
    assert.match(url.stderr, /requires the password of user app; it is not written/);

    const json = JSON.parse((await cliIn(['endpoints', 'sessions', '--format', 'appsettings-json'])).stdout);
    assert.deepEqual(json, {
      ElastiCache: { Endpoint: endpoint, ReaderEndpoint: reader, Tls: true, ClusterProtocol: true, User: 'app' },
    });
    for (const format of ['dotenv', 'shell']) {
      const text = (await cliIn(['endpoints', 'sessions', '--format', format])).stdout.replace(/^export /gm, '');
      const env = parseEnv(text.replace(/'/g, ''));
      assert.equal(env.ELASTICACHE_ENDPOINT, endpoint, format);
      assert.equal(env.ELASTICACHE_READER_ENDPOINT, reader, format);
      assert.equal(env.ELASTICACHE_TLS, 'true', format);
      assert.equal(env.ELASTICACHE_USER, 'app', format);
    }
    const github = join(dir, 'github-output');
    const gh = await cliIn(['endpoints', 'sessions', '--format', 'github', '--out', github]);
    assert.equal(gh.code, 0, gh.stderr);
    assert.match(await readFile(github, 'utf8'), new RegExp(`^ELASTICACHE_ENDPOINT=${endpoint}$`, 'm'));
    const se = await cliIn(['endpoints', 'sessions', '--format', 'stackexchange']);
    assert.equal(se.stdout, `${endpoint},ssl=true,user=app,abortConnect=false\n`);

    const xml = await cliIn(['endpoints', 'sessions', '--format', 'appsettings-xml', '--out', join(dir, 'web.config')]);
    assert.equal(xml.code, 2);
    const lines = xml.stderr.trim().split('\n');
    assert.equal(lines.length, 1, xml.stderr);
    assert.match(lines[0]!, /it is a serverless cache, which speaks only the cluster protocol and ServiceStack\.Redis/);
    await assert.rejects(stat(join(dir, 'web.config')), 'nothing written');

    const wrongUser = await cliIn(['endpoints', 'sessions', '--format', 'url', '--user', 'bob']);
    assert.equal(wrongUser.code, 2);
    assert.match(wrongUser.stderr, /--user bob is not in user group app-users/);
  });

  test('--include-auth writes the password (file mode 0600); an ioredis Cluster over TLS from the file sets and gets', async () => {
    const file = join(dir, 'appsettings.json');
    const result = await cli(
      [
        'endpoints',
        'sessions',
        '--format',
        'appsettings-json',
        '--out',
        file,
        '--include-auth',
        '--auth-token-env',
        'APP_PASSWORD',
      ],
      { APP_PASSWORD: PASSWORD },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stderr.includes(PASSWORD) && !result.stdout.includes(PASSWORD), 'never printed');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const config = JSON.parse(await readFile(file, 'utf8')).ElastiCache as Record<string, string | boolean>;
    assert.equal(config.AuthToken, PASSWORD);

    const [host, port] = String(config.Endpoint).split(':');
    const cluster = new Cluster([{ host: host!, port: Number(port) }], {
      redisOptions: {
        tls: config.Tls ? { ca: await readFile(caCertPath(emulator.stateDir)) } : undefined,
        username: String(config.User),
        password: String(config.AuthToken),
      },
    });
    try {
      assert.equal(await cluster.set('eck:serverless:e2e', 'hello', 'EX', 60), 'OK');
      assert.equal(await cluster.get('eck:serverless:e2e'), 'hello');
      await cluster.del('eck:serverless:e2e');
    } finally {
      cluster.disconnect();
    }
  });

  test('a launch AWS rejects takes back the security group it made (exit 1, nothing left)', async () => {
    // Serverless Redis OSS has no major version 6: AWS (and the emulator) reject it at CreateServerlessCache.
    const result = await cliIn([
      'create-cluster',
      'old',
      '--serverless',
      '--engine',
      'redis',
      '--major-engine-version',
      '6',
      '--allow-from',
      '10.9.0.0/16',
      '--yes',
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /InvalidParameterValue.*removed what this run had created: security group sg-/);
    assert.ok(!(await toolGroups()).some((g) => g.GroupName?.includes('10.9.0.0/16')), 'the security group is gone');
    assert.ok(!(await serverlessNames()).includes('old'));
  });

  test('Ctrl-C while waiting for the cache: exit 130, it keeps being created, the printed wait resumes', async (t) => {
    const creating = spawnCli(
      [
        '--endpoint-url',
        emulator.url,
        'create-cluster',
        'later',
        '--serverless',
        '--security-group',
        (await toolGroups())[0]!.GroupId!,
        '--yes',
      ],
      { env: emulator.env, after: (fn) => t.after(fn) },
    );
    assert.ok(await creating.stderrMatches(/later: creating/), creating.stderr());
    creating.child.kill('SIGINT');
    assert.equal(await creating.exited, 130, creating.stderr());
    const resume = /Resume with: (elasticache-kit .*wait later)$/m.exec(creating.stderr());
    assert.ok(resume, creating.stderr());
    const resumed = await runCliInProcess([...resume[1]!.split(' ').slice(1), '--output', 'json'], {
      env: emulator.env,
    });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((JSON.parse(resumed.stdout) as Topology).status, 'available');
    const deleted = await cliIn(['delete-cluster', 'later', '--yes']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stderr, /kept security group .*still used by sessions/, 'the group another cache uses stays');
  });

  test('delete-cluster: DeleteServerlessCache, wait until gone, then the security group it made', async () => {
    const result = await cli(['delete-cluster', 'sessions', '--yes', '--output', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { status: string; removed: string[] };
    assert.equal(report.status, 'deleted');
    assert.match(report.removed.join(), /security group sg-\w+ \(elasticache-kit-6379-6380-from-10\.0\.0\.0\/16\)/);
    assert.deepEqual(await serverlessNames(), []);
    assert.deepEqual(await toolGroups(), []);
  });
});
