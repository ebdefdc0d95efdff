/**
 * `endpoints` as a user runs it: the built CLI as a child process against the local
 * emulator (real SDK over HTTP, real redis-server nodes), checking exit codes, that stdout
 * is exactly the config, and what lands in files.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import {
  CreateReplicationGroupCommand,
  DescribeReplicationGroupsCommand,
  TestFailoverCommand,
} from '@aws-sdk/client-elasticache';
import { XMLParser } from 'fast-xml-parser';
import { runCliInProcess } from './helpers/cli-in-process.js';
import { runCli, type CliResult } from './helpers/cli.js';
import { startTestEmulator, waitUntilAvailable, type TestEmulator } from './helpers/emulator.js';
import type { Topology } from '../src/topology.js';
import { caCertPath } from '../src/local/tls-material.js';

let emulator: TestEmulator;
let folder: string;

before(async () => {
  emulator = await startTestEmulator();
  folder = mkdtempSync(join(tmpdir(), 'endpoints-e2e-'));
  await createGroup('demo');
  await waitUntilAvailable(emulator, 'demo');
});
after(async () => {
  await emulator?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

/** The built CLI as a child process, in `folder`: the runs whose subject is the process (exit code, exact stdout, secrets). */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(['--endpoint-url', emulator.url, ...args], { env: { ...emulator.env, ...env }, cwd: folder });
}

/** The same commander program in the test process, for the other runs. */
function cliIn(args: string[], env: NodeJS.ProcessEnv = {}, cwd = folder): Promise<CliResult> {
  return runCliInProcess(['--endpoint-url', emulator.url, ...args], { env: { ...emulator.env, ...env }, cwd });
}

async function createGroup(id: string): Promise<void> {
  await emulator.elasticache.send(
    new CreateReplicationGroupCommand({
      ReplicationGroupId: id,
      ReplicationGroupDescription: 'endpoints e2e',
      Engine: 'redis',
      CacheNodeType: 'cache.t4g.micro',
      NumCacheClusters: 3,
      AutomaticFailoverEnabled: true,
    }),
  );
}

async function describeGroup(id: string) {
  const result = await emulator.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }));
  return result.ReplicationGroups![0]!;
}

function primaryNodeOf(group: Awaited<ReturnType<typeof describeGroup>>): string {
  const member = group.NodeGroups![0]!.NodeGroupMembers!.find((m) => m.CurrentRole === 'primary')!;
  return `${member.ReadEndpoint!.Address}:${member.ReadEndpoint!.Port}`;
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'add' });
function appSettings(text: string): Record<string, string> {
  const parsed = xml.parse(text) as {
    appSettings?: { add: { key: string; value: string }[] };
    configuration?: { appSettings: { add: { key: string; value: string }[] } };
  };
  const adds = parsed.appSettings?.add ?? parsed.configuration!.appSettings.add;
  return Object.fromEntries(adds.map((a) => [a.key, a.value]));
}

// The slow-group test (its own emulator) and the AUTH-group test (its own group) share nothing
// with the tests on the 1+2 group `demo`, which run one after another: they run alongside them.
describe('endpoints end to end', { concurrency: true }, () => {
  test('a group still creating: exit 4 with its status, nothing on stdout, no file; --wait then prints the Topology', async (t) => {
    // A slow replication stream keeps the new group "creating" for several seconds.
    const slow = await startTestEmulator({ replicationDelayMs: 2500 });
    t.after(() => slow.close());
    await slow.elasticache.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'slow',
        ReplicationGroupDescription: 'slow',
        NumCacheClusters: 3,
        AutomaticFailoverEnabled: true,
      }),
    );
    const run = (args: string[]) => runCli(['--endpoint-url', slow.url, ...args], { env: slow.env, cwd: folder });
    const early = await run(['endpoints', 'slow', '--format', 'dotenv', '--out', 'early.env']);
    assert.equal(early.code, 4, early.stderr);
    assert.equal(early.stdout, '');
    assert.match(early.stderr, /slow is creating, not available/);
    assert.match(early.stderr, /--wait/);
    assert.equal(existsSync(join(folder, 'early.env')), false);

    const waited = await run(['endpoints', 'slow', '--wait', '--wait-timeout', '2']);
    assert.equal(waited.code, 0, waited.stderr);
    const topology = JSON.parse(waited.stdout) as Topology;
    assert.equal(topology.status, 'available');
    assert.equal(topology.nodes.length, 3);
    assert.deepEqual(
      topology.nodes.map((n) => n.role),
      ['primary', 'replica', 'replica'],
    );
    assert.ok(topology.primaryEndpoint && topology.readerEndpoint);
    assert.match(waited.stderr, /slow: creating/, 'plain progress lines on stderr');
    assert.doesNotMatch(waited.stderr, /\u001b\[/, 'no spinner or colour off a TTY');
  });

  test('an AUTH group: the written URLs and .env actually connect (ioredis), and the token is written only when asked', async (t) => {
    const token = 'endpoints-e2e-token-0123456789';
    await emulator.elasticache.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'secure',
        ReplicationGroupDescription: 'auth',
        NumCacheClusters: 2,
        AuthToken: token,
        TransitEncryptionEnabled: true,
        TransitEncryptionMode: 'preferred',
      }),
    );
    await waitUntilAvailable(emulator, 'secure');
    // A folder of its own: the tests on demo look at theirs (no temporary files left) meanwhile.
    const secureFolder = join(folder, 'secure');
    mkdirSync(secureFolder);
    const inSecure = (args: string[]) => cliIn(args, {}, secureFolder);
    const tokenFile = join(secureFolder, 'token.txt');
    writeFileSync(tokenFile, token + '\n', { mode: 0o600 });

    const without = await inSecure(['endpoints', 'secure', '--format', 'url']);
    assert.equal(without.code, 0, without.stderr);
    assert.doesNotMatch(without.stdout, /@/);
    assert.match(without.stderr, /secure requires an AUTH token; it is not written/);

    const urls = await inSecure([
      'endpoints',
      'secure',
      '--format',
      'url',
      '--include-auth',
      '--auth-token-file',
      tokenFile,
    ]);
    assert.equal(urls.code, 0, urls.stderr);
    const byRole = new Map(
      urls.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(' ') as [string, string]),
    );
    const { Redis } = await import('ioredis');
    const open = (url: string) => {
      // The group has TLS (rediss:// URLs): trust the emulator's CA.
      const client = new Redis(url, {
        tls: { ca: readFileSync(caCertPath(emulator.stateDir)) },
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      t.after(() => client.disconnect());
      return client;
    };
    const primary = open(byRole.get('primary')!);
    await primary.connect();
    assert.equal(
      await primary.set('endpoints-e2e', 'v', 'EX', 30),
      'OK',
      'the primary URL authenticates and takes writes',
    );
    const reader = open(byRole.get('reader')!);
    await reader.connect();
    assert.equal(((await reader.call('ROLE')) as string[])[0], 'slave', 'the reader URL reaches a replica');

    await inSecure([
      'endpoints',
      'secure',
      '--format',
      'dotenv',
      '--out',
      'secure.env',
      '--include-auth',
      '--auth-token-file',
      tokenFile,
    ]);
    assert.equal(statSync(join(secureFolder, 'secure.env')).mode & 0o777, 0o600);
    const { readTargetsFromConfigFile } = await import('../src/config/read-targets.js');
    const targets = readTargetsFromConfigFile(join(secureFolder, 'secure.env'));
    assert.equal(targets.authToken, token);
    const fromFile = new Redis({
      host: targets.primary!.address,
      port: targets.primary!.port,
      password: targets.authToken!,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    t.after(() => fromFile.disconnect());
    await fromFile.connect();
    assert.equal(await fromFile.get('endpoints-e2e'), 'v', 'bench --from-config gets working targets from the file');
  });

  describe('on the 1+2 group demo', { concurrency: 1 }, () => {
    test('1+2 group: every format on stdout is exactly the config, endpoints by default', async () => {
      const group = await describeGroup('demo');
      const primaryEndpoint = `${group.NodeGroups![0]!.PrimaryEndpoint!.Address}:${group.NodeGroups![0]!.PrimaryEndpoint!.Port}`;
      const readerEndpoint = `${group.NodeGroups![0]!.ReaderEndpoint!.Address}:${group.NodeGroups![0]!.ReaderEndpoint!.Port}`;

      const xmlOut = await cli(['endpoints', 'demo', '--format', 'appsettings-xml', '--environment', 'Production']);
      assert.equal(xmlOut.code, 0, xmlOut.stderr);
      assert.equal(xmlOut.stderr, '');
      assert.deepEqual(appSettings(xmlOut.stdout), {
        MasterNodes: primaryEndpoint,
        SlaveNodes: readerEndpoint,
        Environment: 'Production',
      });

      const dotenv = await cliIn(['endpoints', 'demo', '--format', 'dotenv', '--use', 'nodes']);
      const env = parseEnv(dotenv.stdout);
      assert.equal(env.ELASTICACHE_PRIMARY, primaryNodeOf(group));
      assert.equal(env.ELASTICACHE_REPLICAS!.split(',').length, 2);
      assert.equal(env.ELASTICACHE_READER, readerEndpoint);

      const urls = await cliIn(['endpoints', 'demo', '--format', 'url']);
      assert.deepEqual(
        urls.stdout
          .trim()
          .split('\n')
          .map((l) => l.split(' ')[0]),
        ['primary', 'reader', 'replica', 'replica'],
      );
      assert.match(urls.stdout, new RegExp(`^primary redis://${primaryEndpoint.replace(/\./g, '\\.')}$`, 'm'));

      const json = await cliIn(['--output', 'json', 'endpoints', 'demo', '--format', 'appsettings-json']);
      assert.equal(json.code, 2, 'a non-JSON format with --output json and no file is refused');
      assert.match(json.stderr, /--output json/);
    });

    test('merging into existing files via --out: only owned keys change, a one-line note on stderr, nothing on stdout', async () => {
      const webConfig = join(folder, 'web.config');
      const original =
        '<?xml version="1.0"?>\n<configuration>\n  <appSettings>\n    <!-- app -->\n    <add key="Theme" value="dark" />\n    <add key="MasterNodes" value="old:1" />\n  </appSettings>\n</configuration>\n';
      writeFileSync(webConfig, original);
      chmodSync(webConfig, 0o640);
      const result = await cli(['endpoints', 'demo', '--format', 'appsettings-xml', '--out', 'web.config', '--backup']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(
        result.stderr,
        /^updated web\.config \(appsettings-xml, endpoints of demo\) \(previous version in .*web\.config\.bak\)\n$/,
      );
      const merged = readFileSync(webConfig, 'utf8');
      assert.ok(
        merged.startsWith(
          '<?xml version="1.0"?>\n<configuration>\n  <appSettings>\n    <!-- app -->\n    <add key="Theme" value="dark" />\n    <add key="MasterNodes" value="',
        ),
      );
      assert.equal(appSettings(merged).Theme, 'dark');
      assert.equal(statSync(webConfig).mode & 0o777, 0o640, 'the mode is kept');
      assert.equal(readFileSync(`${webConfig}.bak`, 'utf8'), original);

      const again = await cliIn(['endpoints', 'demo', '--format', 'appsettings-xml', '--out', 'web.config']);
      assert.match(again.stderr, /^unchanged: web\.config/);

      const summary = await cliIn(['--output', 'json', 'endpoints', 'demo', '--format', 'dotenv', '--out', 'new.env']);
      assert.equal(summary.code, 0, summary.stderr);
      assert.deepEqual(JSON.parse(summary.stdout), {
        replicationGroupId: 'demo',
        format: 'dotenv',
        use: 'endpoints',
        file: join(folder, 'new.env'),
        created: true,
        changed: true,
        mode: '0644',
      });
      assert.deepEqual(
        readdirSync(folder).filter((n) => n.endsWith('.tmp')),
        [],
        'no temporary files are left',
      );
    });

    test('--include-auth: the token only from the environment, the file 0600 (tightened with a warning); never without the flag', async () => {
      const token = 'correct-horse-battery-staple-42';
      const file = join(folder, 'secret.env');
      writeFileSync(file, 'OTHER=1\n');
      chmodSync(file, 0o644);
      const withAuth = await cli(
        [
          'endpoints',
          'demo',
          '--format',
          'dotenv',
          '--out',
          'secret.env',
          '--include-auth',
          '--auth-token-env',
          'REDIS_TOKEN',
        ],
        { REDIS_TOKEN: token },
      );
      assert.equal(withAuth.code, 0, withAuth.stderr);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.match(withAuth.stderr, /was mode 0644; it is now 0600/);
      assert.doesNotMatch(withAuth.stderr + withAuth.stdout, new RegExp(token), 'the token is never echoed');
      const env = parseEnv(readFileSync(file, 'utf8'));
      assert.equal(env.ELASTICACHE_AUTH_TOKEN, token);
      assert.equal(env.OTHER, '1');

      const newFile = await cliIn(
        [
          'endpoints',
          'demo',
          '--format',
          'json',
          '--out',
          'topology.json',
          '--include-auth',
          '--auth-token-env',
          'REDIS_TOKEN',
        ],
        { REDIS_TOKEN: token },
      );
      assert.equal(newFile.code, 0, newFile.stderr);
      assert.equal(statSync(join(folder, 'topology.json')).mode & 0o777, 0o600);

      const without = await cliIn(['endpoints', 'demo', '--format', 'shell'], { REDIS_TOKEN: token });
      assert.doesNotMatch(without.stdout, new RegExp(token));
      const missing = await cliIn(['endpoints', 'demo', '--include-auth', '--auth-token-env', 'NOT_SET_ANYWHERE']);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /--auth-token-env NOT_SET_ANYWHERE/);
    });

    test('--format github appends to $GITHUB_OUTPUT; without it, exit 2', async () => {
      const outputs = join(folder, 'github_output');
      writeFileSync(outputs, 'earlier=step\n');
      const result = await cliIn(['endpoints', 'demo', '--format', 'github', '--use', 'nodes'], {
        GITHUB_OUTPUT: outputs,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, '');
      const text = readFileSync(outputs, 'utf8');
      assert.ok(text.startsWith('earlier=step\nELASTICACHE_PRIMARY=127.0.0.1:'));
      const unset = await cliIn(['endpoints', 'demo', '--format', 'github'], { GITHUB_OUTPUT: '' });
      assert.equal(unset.code, 2);
      assert.match(unset.stderr, /GITHUB_OUTPUT/);
    });

    test('after TestFailover, --use nodes names the new primary while --use endpoints stays the same', async () => {
      const before = await describeGroup('demo');
      const oldPrimary = primaryNodeOf(before);
      const endpointsBefore = (await cliIn(['endpoints', 'demo', '--format', 'appsettings-xml'])).stdout;
      const nodesBefore = appSettings(
        (await cliIn(['endpoints', 'demo', '--format', 'appsettings-xml', '--use', 'nodes'])).stdout,
      );
      assert.equal(nodesBefore.MasterNodes, oldPrimary);

      await emulator.elasticache.send(new TestFailoverCommand({ ReplicationGroupId: 'demo', NodeGroupId: '0001' }));
      await waitUntilAvailable(emulator, 'demo');
      const afterFailover = await describeGroup('demo');
      const newPrimary = primaryNodeOf(afterFailover);
      assert.notEqual(newPrimary, oldPrimary, 'the emulator promoted another node');

      const nodes = await cliIn(['endpoints', 'demo', '--format', 'appsettings-xml', '--use', 'nodes']);
      assert.equal(nodes.code, 0, nodes.stderr);
      const settings = appSettings(nodes.stdout);
      assert.equal(settings.MasterNodes, newPrimary);
      assert.ok(settings.SlaveNodes!.split(',').includes(oldPrimary), 'the old primary is now a replica');
      assert.equal(
        (await cliIn(['endpoints', 'demo', '--format', 'appsettings-xml'])).stdout,
        endpointsBefore,
        'the endpoints follow the failover',
      );
    });

    test('unknown group: exit 3', async () => {
      const result = await cli(['endpoints', 'no-such-group', '--format', 'dotenv', '--out', 'nope.env']);
      assert.equal(result.code, 3, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /no-such-group not found/);
      assert.equal(existsSync(join(folder, 'nope.env')), false);
    });

    test('a broken file is left byte for byte, exit 1 naming the line, before any API call', async () => {
      const broken = [
        [
          'broken.config',
          '<configuration>\r\n  <appSettings>\r\n    <add key="a" value="b">\r\n  </appSettings>\r\n</configuration>',
          'appsettings-xml',
          /broken\.config at line 4/,
        ],
        [
          'broken.json',
          '{\n  "Logging": {}\n  "ElastiCache": {}\n}\n',
          'appsettings-json',
          /broken\.json at line 3, column 3/,
        ],
        ['broken.env', 'A=1\nnot an assignment\n', 'dotenv', /broken\.env at line 2/],
        ['appsettings.json', '{\n  "Logging": {}\n}\n', 'json', /appsettings\.json: it is not a Topology/],
      ] as const;
      for (const [name, content, format, message] of broken) {
        const path = join(folder, name);
        writeFileSync(path, content);
        // An unreachable endpoint: reaching the API would be a different error (exit 1, network).
        // In-process, but the first file through the real binary too.
        const args = [
          '--endpoint-url',
          'http://127.0.0.1:9',
          'endpoints',
          'demo',
          '--format',
          format,
          '--out',
          name,
          '--backup',
        ];
        const result = await runCliInProcess(args, { env: emulator.env, cwd: folder });
        if (name === broken[0][0]) {
          const child = await runCli(args, { env: emulator.env, cwd: folder });
          assert.deepEqual([child.code, child.stdout, child.stderr], [result.code, result.stdout, result.stderr]);
        }
        assert.equal(result.code, 1, result.stderr);
        assert.match(result.stderr, message);
        assert.equal(readFileSync(path, 'utf8'), content, `${name} is untouched`);
        assert.equal(existsSync(`${path}.bak`), false);
      }
    });

    test('bad flag values: exit 2 naming the flag and the allowed values, before any API call', async () => {
      const cases: [string[], RegExp][] = [
        [['--use', 'primary'], /^elasticache-kit: --use must be one of endpoints, nodes \(got primary\)$/m],
        [['--format', 'yaml'], /^elasticache-kit: --format must be one of json, appsettings-xml, .* \(got yaml\)$/m],
        [['--env-prefix', '1BAD'], /--env-prefix must be letters, digits and _/],
        [['--wait', '--wait-timeout', '0'], /--wait-timeout must be minutes/],
        [['--wait-timeout', '5'], /--wait-timeout only applies with --wait/],
        [['--key-primary', 'a b'], /--key-primary must be/],
        [['--backup'], /--backup needs --out/],
        [['--auth-token-env', 'X'], /only applies with --include-auth/],
        [['--out', 'missing-folder/x.env', '--format', 'dotenv'], /the folder .*missing-folder does not exist/],
      ];
      const endpoints = (flags: string[]) => ['--endpoint-url', 'http://127.0.0.1:9', 'endpoints', 'demo', ...flags];
      for (const [flags, message] of cases) {
        const result = await runCliInProcess(endpoints(flags), { env: emulator.env, cwd: folder });
        assert.equal(result.code, 2, `${flags.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, message);
        assert.equal(result.stdout, '');
      }
      // One row through the real binary, which must answer the same.
      const row = cases.find(([flags]) => flags[0] === '--use');
      assert.ok(row);
      const [flags, message] = row;
      const child = await runCli(endpoints(flags), { env: emulator.env, cwd: folder });
      assert.equal(child.code, 2, child.stderr);
      assert.match(child.stderr, message);
      assert.equal(child.stdout, '');
    });
  });
});
