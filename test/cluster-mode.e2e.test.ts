/**
 * Cluster mode enabled through the built CLI against the emulator (real SDK over HTTP, a
 * real Redis Cluster): create-cluster --shards, endpoints in every format, an ioredis
 * Cluster seeded from the written config, failover --node-group, list, delete-cluster.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { Cluster } from 'ioredis';
import { DescribeCacheSubnetGroupsCommand, DescribeReplicationGroupsCommand } from '@aws-sdk/client-elasticache';
import { runCli, type CliResult } from './helpers/cli.js';
import { runCliInProcess } from './helpers/cli-in-process.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import type { Topology } from '../src/topology.js';
import { caCertPath } from '../src/local/tls-material.js';
import { ec2Sdk } from './helpers/ec2.js';

const { DescribeSecurityGroupsCommand } = ec2Sdk();

let emulator: TestEmulator;
let dir: string;
const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCli(['--endpoint-url', emulator.url, ...args], { env: { ...emulator.env, ...env } });
/**
 * The same commander program in this process: for the runs whose subject is what a command
 * says or does, not the process. Each command flow below still runs the real binary at
 * least once (cli).
 */
const inProcess = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCliInProcess(['--endpoint-url', emulator.url, ...args], { env: { ...emulator.env, ...env } });

// In-transit encryption is on by default, as in the console: every client below speaks TLS.
const CREATE = ['create-cluster', 'shop', '--shards', '3', '--replicas', '1', '--allow-from', '10.0.0.0/16'];

/** A cluster client as an app would make one: one seed, TLS trusting the emulator's CA. */
function clusterClient(host: string, port: number): Cluster {
  return new Cluster([{ host, port }], { redisOptions: { tls: { ca: readFileSync(caCertPath(emulator.stateDir)) } } });
}

async function groupIds(): Promise<string[]> {
  return ((await emulator.elasticache.send(new DescribeReplicationGroupsCommand({}))).ReplicationGroups ?? []).map(
    (g) => g.ReplicationGroupId!,
  );
}

/** The primary's port for each slot range start, as the cluster itself reports it. */
async function primariesBySlot(cluster: Cluster): Promise<Map<number, number>> {
  const slots = (await cluster.cluster('SLOTS')) as unknown as Array<[number, number, [string, number]]>;
  return new Map(slots.map((range) => [range[0], range[2][1]]));
}

/** Writes and reads keys until every shard holds some, through a client seeded from one endpoint. */
async function setAndGetOnEveryShard(cluster: Cluster, prefix: string): Promise<void> {
  for (let index = 0; index < 60; index++) await cluster.set(`${prefix}:${index}`, `v${index}`, 'EX', 120);
  for (let index = 0; index < 60; index++) assert.equal(await cluster.get(`${prefix}:${index}`), `v${index}`);
  const sizes = await Promise.all(cluster.nodes('master').map((node) => node.dbsize()));
  assert.equal(sizes.length, 3, 'three shards, three primaries');
  assert.ok(
    sizes.every((size) => size > 0),
    `every shard holds keys: ${sizes.join(',')}`,
  );
}

describe('cluster mode enabled end to end: create-cluster --shards, endpoints, failover, list, delete', () => {
  before(async () => {
    emulator = await startTestEmulator();
    dir = mkdtempSync(join(tmpdir(), 'eck-cluster-cli-'));
  });
  after(async () => {
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('bad cluster-mode input: one line naming the flag, exit 2, before any API call', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--shards', '0'], /^elasticache-kit: --shards must be an integer 1-500 \(got 0\)$/m],
      [['--shards', '501'], /^elasticache-kit: --shards must be an integer 1-500 \(got 501\)$/m],
      [
        ['--cluster-mode', 'on'],
        /^elasticache-kit: --cluster-mode must be one of enabled, disabled, compatible \(got on\)$/m,
      ],
      [['--shards', '3', '--cluster-mode', 'disabled'], /--shards 3 needs cluster mode enabled/],
      [
        ['--shards', '3', '--no-automatic-failover'],
        /--no-automatic-failover cannot be used with cluster mode enabled/,
      ],
      [['--shards', '84', '--replicas', '5'], /504 nodes: a cluster-mode-enabled group has at most 500 nodes/],
      [['--shards', '3', '--replicas', '0', '--multi-az'], /--multi-az needs at least one replica per shard/],
    ];
    for (const [index, [flags, message]] of cases.entries()) {
      const run = index === 0 ? cli : inProcess;
      const result = await run(['create-cluster', 'bad', '--allow-from', '10.0.0.0/16', '--yes', ...flags]);
      assert.equal(result.code, 2, `${flags.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
      assert.equal(result.stdout, '');
    }
    assert.deepEqual(await groupIds(), []);
  });

  test('--dry-run prints the exact CreateReplicationGroup with NumNodeGroups, ReplicasPerNodeGroup, ClusterMode, cluster.on', async () => {
    const result = await inProcess([...CREATE, '--dry-run']);
    assert.equal(result.code, 0, result.stderr);
    const requests = JSON.parse(result.stdout) as Array<{ action: string; input: Record<string, unknown> }>;
    const group = requests.at(-1)!;
    assert.equal(group.action, 'CreateReplicationGroup');
    assert.equal(group.input.NumNodeGroups, 3);
    assert.equal(group.input.ReplicasPerNodeGroup, 1);
    assert.equal(group.input.ClusterMode, 'enabled');
    assert.equal(group.input.CacheParameterGroupName, 'default.redis7.cluster.on', 'the newest offered is 7.1');
    assert.equal(group.input.AutomaticFailoverEnabled, true);
    assert.equal(group.input.NumCacheClusters, undefined);
    // Over the default quota: a warning that names it, and the request is still printed.
    const big = await inProcess([
      ...CREATE.slice(0, 2),
      '--shards',
      '46',
      '--replicas',
      '1',
      '--allow-from',
      '10.0.0.0/16',
      '--dry-run',
    ]);
    assert.equal(big.code, 0, big.stderr);
    assert.match(
      big.stderr,
      /warning: --shards 46 x \(1 primary \+ 1 replica\) = 92 nodes: above ElastiCache's default quota of 90/,
    );
    assert.deepEqual(await groupIds(), []);
  });

  let topology: Topology;
  test('create-cluster --shards 3 --replicas 1 --output json: one JSON document, a TLS cluster Topology with AWS slot split', async () => {
    const result = await cli([...CREATE, '--yes', '--output', 'json']);
    assert.equal(result.code, 0, result.stderr);
    topology = JSON.parse(result.stdout) as Topology;
    assert.match(result.stderr, /requesting replication group shop \(6 nodes in 3 shards\)/);
    assert.equal(topology.kind, 'cluster');
    assert.equal(topology.status, 'available');
    assert.equal(topology.clusterMode, true);
    assert.equal(topology.tls, true, 'in-transit encryption by default');
    assert.equal(topology.primaryEndpoint, undefined);
    assert.ok(topology.configurationEndpoint!.port > 0);
    assert.deepEqual(
      topology.shards!.map((shard) => [shard.id, shard.slots, shard.nodes.length]),
      [
        ['0001', '0-5461', 2],
        ['0002', '5462-10922', 2],
        ['0003', '10923-16383', 2],
      ],
    );
  });

  test('the same command again reports the group; other shards or cluster mode: exit 2 naming them', async () => {
    const again = await cli([...CREATE, '--yes']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already exists with these settings/);
    const more = await inProcess([
      ...CREATE.slice(0, 2),
      '--shards',
      '4',
      '--replicas',
      '2',
      '--allow-from',
      '10.0.0.0/16',
      '--yes',
    ]);
    assert.equal(more.code, 2, more.stderr);
    assert.match(more.stderr, /--shards is 3, the command asks for 4/);
    assert.match(more.stderr, /--replicas \(per shard\) is 1, the command asks for 2/);
    const flat = await inProcess(['create-cluster', 'shop', '--replicas', '1', '--allow-from', '10.0.0.0/16', '--yes']);
    assert.equal(flat.code, 2, flat.stderr);
    assert.match(flat.stderr, /--cluster-mode is enabled, the command asks for disabled/);
    assert.deepEqual(await groupIds(), ['shop']);
  });

  test('endpoints: the configuration endpoint in every format; appsettings-xml refused in one line', async () => {
    const config = `${topology.configurationEndpoint!.address}:${topology.configurationEndpoint!.port}`;
    // The real binary for json, the others in-process.
    const run = async (format: string, extra: string[] = []) => {
      const result = await (format === 'json' ? cli : inProcess)(['endpoints', 'shop', '--format', format, ...extra]);
      assert.equal(result.code, 0, `${format}: ${result.stderr}`);
      return result.stdout;
    };
    assert.equal((JSON.parse(await run('json')) as Topology).kind, 'cluster');
    assert.equal(await run('url'), `configuration rediss://${config}\n`);
    assert.equal(await run('stackexchange'), `${config},ssl=true,abortConnect=false\n`);
    const json = JSON.parse(await run('appsettings-json')) as { ElastiCache: Record<string, unknown> };
    assert.deepEqual(json.ElastiCache, {
      ConfigurationEndpoint: config,
      ClusterMode: true,
      Port: topology.port,
      Tls: true,
    });
    for (const format of ['dotenv', 'shell']) {
      const env = parseEnv((await run(format)).replace(/^export /gm, ''));
      assert.equal(env.ELASTICACHE_CONFIGURATION_ENDPOINT, config, format);
      assert.equal(env.ELASTICACHE_CLUSTER_MODE, 'true', format);
      assert.equal(env.ELASTICACHE_PRIMARY, undefined, format);
      assert.equal(env.ELASTICACHE_TLS, 'true', format);
    }
    const github = join(dir, 'github-output');
    writeFileSync(github, '');
    await run('github', ['--out', github]);
    assert.match(readFileSync(github, 'utf8'), new RegExp(`^ELASTICACHE_CONFIGURATION_ENDPOINT=${config}$`, 'm'));

    const xml = join(dir, 'web.config');
    const refused = await inProcess(['endpoints', 'shop', '--format', 'appsettings-xml', '--out', xml]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(refused.stderr, /ServiceStack\.Redis \(MasterNodes\/SlaveNodes\) has no cluster support/);
    assert.match(refused.stderr, /use --format appsettings-json, stackexchange, url, dotenv, shell, github or json/);
    assert.throws(() => readFileSync(xml), /ENOENT/, 'nothing written');
  });

  test('an ioredis Cluster seeded from the written url and .env files reaches every shard', async () => {
    const urlFile = join(dir, 'redis.urls');
    const envFile = join(dir, '.env');
    assert.equal((await inProcess(['endpoints', 'shop', '--format', 'url', '--out', urlFile])).code, 0);
    assert.equal((await inProcess(['endpoints', 'shop', '--format', 'dotenv', '--out', envFile])).code, 0);
    const url = new URL(/^configuration (\S+)$/m.exec(readFileSync(urlFile, 'utf8'))![1]!);
    assert.equal(url.protocol, 'rediss:');
    const fromUrl = clusterClient(url.hostname, Number(url.port));
    try {
      await setAndGetOnEveryShard(fromUrl, 'url');
    } finally {
      fromUrl.disconnect();
    }
    const env = parseEnv(readFileSync(envFile, 'utf8'));
    const [host, port] = env.ELASTICACHE_CONFIGURATION_ENDPOINT!.split(':');
    assert.equal(env.ELASTICACHE_TLS, 'true');
    const fromEnv = clusterClient(host!, Number(port));
    try {
      await setAndGetOnEveryShard(fromEnv, 'env');
    } finally {
      fromEnv.disconnect();
    }
  });

  test('failover: without --node-group exit 2 listing the shards; --node-group 0002 promotes its replica and waits', async () => {
    const ambiguous = await inProcess(['failover', 'shop', '--yes']);
    assert.equal(ambiguous.code, 2, ambiguous.stderr);
    assert.match(ambiguous.stderr, /shop has 3 node groups: pass --node-group \(one of 0001, 0002, 0003\)/);
    const unknown = await inProcess(['failover', 'shop', '--node-group', '0009', '--yes']);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /--node-group must be one of 0001, 0002, 0003 \(got 0009\)/);

    const seed = topology.configurationEndpoint!;
    const cluster = clusterClient(seed.address, seed.port);
    try {
      const before = await primariesBySlot(cluster);
      const shard2 = topology.shards!.find((shard) => shard.id === '0002')!;
      assert.equal(before.get(5462), shard2.nodes.find((node) => node.id === 'shop-0002-001')!.port);

      const result = await cli(['failover', 'shop', '--node-group', '0002', '--yes', '--output', 'json']);
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(result.stdout) as {
        nodeGroupId: string;
        previousPrimary: string | null;
        primary: string | null;
        topology: Topology;
      };
      assert.equal(report.nodeGroupId, '0002');
      // AWS names the shard's primaries only in the failover's completion event.
      assert.equal(report.previousPrimary, 'shop-0002-001');
      assert.equal(report.primary, 'shop-0002-002');
      assert.equal(report.topology.status, 'available');
      // Returned only once converged: the cluster already names the replica as the shard's primary.
      const afterwards = await primariesBySlot(cluster);
      assert.equal(afterwards.get(5462), shard2.nodes.find((node) => node.id === 'shop-0002-002')!.port);
      assert.equal(afterwards.get(0), before.get(0), 'the other shards keep their primaries');
      assert.equal(afterwards.get(10923), before.get(10923));
      assert.equal(await cluster.get('url:7'), 'v7', 'the data survives');
    } finally {
      cluster.disconnect();
    }
  });

  test('list shows the cluster with its kind and shards x replicas', async () => {
    const table = await cli(['list']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^ID +KIND +STATUS +ENGINE +NODE TYPE +NODES +ENDPOINT$/m);
    assert.match(
      table.stdout,
      /^shop +cluster +available +redis +cache\.t3\.micro +6 \(3 shards x 1 replica\) +127\.0\.0\.1:\d+$/m,
    );
    const json = JSON.parse((await inProcess(['list', '--output', 'json'])).stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(
      json.map((g) => [g.replicationGroupId, g.kind, g.nodes, g.shards, g.replicasPerShard]),
      [['shop', 'cluster', 6, 3, 1]],
    );
  });

  test('--cluster-mode enabled with one shard and no replica is a valid cluster; its failover is refused (exit 2)', async () => {
    const created = await inProcess([
      'create-cluster',
      'solo',
      '--cluster-mode',
      'enabled',
      '--shards',
      '1',
      '--replicas',
      '0',
      '--allow-from',
      '10.0.0.0/16',
      '--yes',
      '--output',
      'json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const solo = JSON.parse(created.stdout) as Topology;
    assert.equal(solo.kind, 'cluster');
    assert.deepEqual(
      solo.shards!.map((shard) => [shard.id, shard.slots, shard.nodes.length]),
      [['0001', '0-16383', 1]],
    );
    const refused = await inProcess(['failover', 'solo', '--yes']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /solo shard 0001 has no replica to promote/);
    assert.equal((await inProcess(['delete-cluster', 'solo', '--yes'])).code, 0);
  });

  test('--cluster-mode compatible: one shard, ClusterMode compatible in the request and the answer; a re-run is a no-op', async () => {
    const args = [
      'create-cluster',
      'mig',
      '--cluster-mode',
      'compatible',
      '--replicas',
      '1',
      '--allow-from',
      '10.0.0.0/16',
      '--yes',
    ];
    const created = await inProcess([...args, '--output', 'json']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((JSON.parse(created.stdout) as Topology).shards!.length, 1);
    const group = (await emulator.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'mig' })))
      .ReplicationGroups![0]!;
    assert.equal(group.ClusterMode, 'compatible');
    const again = await inProcess(args);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already exists with these settings/);
    assert.equal((await inProcess(['delete-cluster', 'mig', '--yes'])).code, 0);
  });

  test('delete-cluster removes the cluster and the network the tool made for it', async () => {
    const result = await cli(['delete-cluster', 'shop', '--yes']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /deleting shop \(6 nodes\)/);
    assert.deepEqual(await groupIds(), []);
    const securityGroups = (await emulator.ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [];
    assert.deepEqual(
      securityGroups.map((g) => g.GroupName),
      ['default'],
    );
    const subnetGroups =
      (await emulator.elasticache.send(new DescribeCacheSubnetGroupsCommand({}))).CacheSubnetGroups ?? [];
    assert.ok(!subnetGroups.some((g) => g.CacheSubnetGroupName?.startsWith('elasticache-kit-')));
  });
});
