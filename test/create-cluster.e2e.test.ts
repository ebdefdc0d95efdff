/**
 * create-cluster and its companions end to end: the built CLI as a child process against
 * the local emulator (real SDK over HTTP, real redis-server nodes), as a user runs it.
 * Each command flow (create-cluster --dry-run, create-cluster, wait, list, failover,
 * delete-cluster) runs the real binary at least once; the other runs, whose subject is what
 * the command does rather than the process, go through the same commander program
 * in-process (helpers/cli-in-process.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import {
  DescribeCacheSubnetGroupsCommand,
  DescribeReplicationGroupsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-elasticache';
import type { SecurityGroup } from '@aws-sdk/client-ec2';
import { runCli, type CliResult } from './helpers/cli.js';
import { runCliInProcess } from './helpers/cli-in-process.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import type { Topology } from '../src/topology.js';
import { caCertPath } from '../src/local/tls-material.js';
import { ec2Sdk } from './helpers/ec2.js';

const { CreateSecurityGroupCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand } = ec2Sdk();

let emulator: TestEmulator;
/** The built CLI as a child process: one run of each command flow the file covers. */
const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCli(['--endpoint-url', emulator.url, ...args], { env: { ...emulator.env, ...env } });
/** The same commander program in the test process, for the runs whose subject is not the process. */
const cliIn = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCliInProcess(['--endpoint-url', emulator.url, ...args], { env: { ...emulator.env, ...env } });

async function securityGroups(): Promise<SecurityGroup[]> {
  return (await emulator.ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [];
}
async function groupIds(): Promise<string[]> {
  return ((await emulator.elasticache.send(new DescribeReplicationGroupsCommand({}))).ReplicationGroups ?? []).map(
    (g) => g.ReplicationGroupId!,
  );
}
async function subnetGroupNames(): Promise<string[]> {
  return ((await emulator.elasticache.send(new DescribeCacheSubnetGroupsCommand({}))).CacheSubnetGroups ?? []).map(
    (g) => g.CacheSubnetGroupName!,
  );
}
const tagsOf = (group: SecurityGroup) => Object.fromEntries((group.Tags ?? []).map((t) => [t.Key, t.Value]));
const toolGroups = async () => (await securityGroups()).filter((g) => tagsOf(g)['created-by'] === 'elasticache-kit');

/** A value written through the primary endpoint shows up on a replica (replication is asynchronous: poll). */
async function assertReplicates(topology: Topology): Promise<void> {
  // create-cluster turns TLS on by default: connect as a client of the group must, trusting the emulator's CA.
  const tls = { ca: readFileSync(caCertPath(emulator.stateDir)) };
  const primary = new Redis({
    host: topology.primaryEndpoint!.address,
    port: topology.primaryEndpoint!.port,
    tls,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  const replicaNode = topology.nodes.find((n) => n.role === 'replica')!;
  const replica = new Redis({
    host: replicaNode.address,
    port: replicaNode.port,
    tls,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  try {
    const value = `v-${Date.now()}`;
    await primary.set('create-cluster-test:key', value, 'EX', 60);
    let seen: string | null = null;
    for (let i = 0; i < 50 && seen !== value; i++) {
      seen = await replica.get('create-cluster-test:key');
      if (seen !== value) await sleep(100);
    }
    assert.equal(seen, value, `replica ${replicaNode.id} has the value written on the primary`);
    // And the replica is a replica: it refuses writes.
    await assert.rejects(replica.set('create-cluster-test:other', 'x'), /READONLY/);
  } finally {
    primary.disconnect();
    replica.disconnect();
  }
}

describe('create-cluster end to end against the emulator', () => {
  let preExisting: string;

  before(async () => {
    emulator = await startTestEmulator();
    // A security group the user made: nothing the tool does may remove it.
    const vpcId = (await emulator.ec2.send(new DescribeSubnetsCommand({}))).Subnets![0]!.VpcId!;
    preExisting = (
      await emulator.ec2.send(
        new CreateSecurityGroupCommand({ GroupName: 'app-servers', Description: 'made by hand', VpcId: vpcId }),
      )
    ).GroupId!;
  });
  after(async () => {
    await emulator?.close();
  });

  test('--dry-run prints the exact requests as JSON and creates nothing', async () => {
    const sgBefore = (await securityGroups()).length;
    const result = await cli(['create-cluster', 'demo', '--replicas', '2', '--allow-from', '10.0.0.0/16', '--dry-run']);
    assert.equal(result.code, 0, result.stderr);
    const requests = JSON.parse(result.stdout) as Array<{ action: string; input: Record<string, unknown> }>;
    assert.deepEqual(
      requests.map((r) => r.action),
      ['CreateCacheSubnetGroup', 'CreateSecurityGroup', 'AuthorizeSecurityGroupIngress', 'CreateReplicationGroup'],
    );
    assert.equal(requests[3]!.input.NumCacheClusters, 3);
    assert.equal(requests[3]!.input.EngineVersion, '7.1', 'the newest version DescribeCacheEngineVersions offers');

    // Explicit subnets, an open source, an unknown node type and a tag: warnings, and the requests say so.
    const subnets = (await emulator.ec2.send(new DescribeSubnetsCommand({})))
      .Subnets!.map((s) => s.SubnetId!)
      .slice(0, 2);
    const open = await cliIn([
      'create-cluster',
      'edge',
      '--engine',
      'valkey',
      '--node-type',
      'cache.r9g.large',
      '--subnets',
      subnets.join(','),
      '--allow-from',
      '0.0.0.0/0',
      '--tag',
      'team=web',
      '--dry-run',
    ]);
    assert.equal(open.code, 0, open.stderr);
    assert.match(
      open.stderr,
      /warning: --node-type cache\.r9g\.large is not a node type this tool knows; passing it to AWS as is/,
    );
    assert.match(open.stderr, /warning: --allow-from 0\.0\.0\.0\/0 opens port 6379 to the whole internet/);
    const edge = JSON.parse(open.stdout) as Array<{ action: string; input: Record<string, any> }>;
    assert.deepEqual(edge[0]!.input.SubnetIds, subnets);
    assert.equal(edge[2]!.input.IpPermissions[0].IpRanges[0].CidrIp, '0.0.0.0/0');
    assert.equal(edge[3]!.input.Engine, 'valkey');
    assert.equal(edge[3]!.input.EngineVersion, '9.1');
    assert.equal(edge[3]!.input.CacheNodeType, 'cache.r9g.large');
    assert.ok(edge[3]!.input.Tags.some((t: { Key: string; Value: string }) => t.Key === 'team' && t.Value === 'web'));
    assert.deepEqual(await groupIds(), []);
    assert.equal((await securityGroups()).length, sgBefore, 'no security group created');
    assert.ok(
      !(await subnetGroupNames()).some((name) => name.startsWith('elasticache-kit-')),
      'no subnet group created',
    );
  });

  let topology: Topology;
  test('non-interactive create of 1 primary + 2 replicas waits, prints the endpoints, and the nodes replicate', async () => {
    const result = await cli([
      'create-cluster',
      'demo',
      '--replicas',
      '2',
      '--allow-from',
      '10.0.0.0/16',
      '--yes',
      '--output',
      'json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    topology = JSON.parse(result.stdout) as Topology;
    assert.equal(topology.replicationGroupId, 'demo');
    assert.equal(topology.status, 'available');
    assert.equal(topology.nodes.filter((n) => n.role === 'primary').length, 1);
    assert.equal(topology.nodes.filter((n) => n.role === 'replica').length, 2);
    assert.ok(topology.primaryEndpoint && topology.readerEndpoint);
    assert.match(
      result.stderr,
      /Will create +cache subnet group .*security group elasticache-kit-6379-from-10\.0\.0\.0\/16/,
    );
    assert.match(result.stderr, /demo is available after/);
    await assertReplicates(topology);

    // The security group opens only the cache port, only to the source, and is tagged.
    const [sg, ...more] = await toolGroups();
    assert.equal(more.length, 0);
    assert.deepEqual(
      sg!.IpPermissions!.map((p) => [p.IpProtocol, p.FromPort, p.ToPort, p.IpRanges?.map((r) => r.CidrIp)]),
      [['tcp', 6379, 6379, ['10.0.0.0/16']]],
    );
    assert.equal(tagsOf(sg!)['elasticache-kit:replication-group'], 'demo');
    const subnetGroup = (
      await emulator.elasticache.send(new DescribeCacheSubnetGroupsCommand({}))
    ).CacheSubnetGroups!.find((g) => g.CacheSubnetGroupName!.startsWith('elasticache-kit-'))!;
    assert.equal(subnetGroup.Subnets!.length, 3, "the default VPC's three subnets");
    const subnetTags = (
      await emulator.elasticache.send(new ListTagsForResourceCommand({ ResourceName: subnetGroup.ARN! }))
    ).TagList!;
    assert.ok(subnetTags.some((t) => t.Key === 'created-by' && t.Value === 'elasticache-kit'));
  });

  test('the default output is a readable table of endpoints and nodes', async () => {
    const result = await cliIn(['create-cluster', 'demo', '--replicas', '2', '--allow-from', '10.0.0.0/16', '--yes']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Primary endpoint +127\.0\.0\.1:\d+$/m);
    assert.match(result.stdout, /^demo-001 +primary/m);
  });

  test('the same command again is a no-op: exit 0, no second group, no second security group', async () => {
    const sgBefore = (await securityGroups()).length;
    const result = await cliIn([
      'create-cluster',
      'demo',
      '--replicas',
      '2',
      '--allow-from',
      '10.0.0.0/16',
      '--yes',
      '--output',
      'json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /already exists with these settings/);
    assert.equal((JSON.parse(result.stdout) as Topology).replicationGroupId, 'demo');
    const endpoints = await cliIn(['endpoints', 'demo', '--format', 'json']);
    assert.equal(endpoints.code, 0, endpoints.stderr);
    assert.deepEqual(
      JSON.parse(result.stdout),
      JSON.parse(endpoints.stdout),
      'the same Topology as endpoints --format json',
    );
    assert.deepEqual(await groupIds(), ['demo']);
    assert.equal((await securityGroups()).length, sgBefore);
  });

  test('changed settings exit 2 naming the differences, and change nothing', async () => {
    const result = await cliIn([
      'create-cluster',
      'demo',
      '--replicas',
      '1',
      '--node-type',
      'cache.t3.small',
      '--allow-from',
      '10.0.0.0/16',
      '--yes',
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /already exists with different settings/);
    assert.match(result.stderr, /--replicas is 2, the command asks for 1/);
    assert.match(result.stderr, /--node-type is cache\.t3\.micro, the command asks for cache\.t3\.small/);
    const group = (
      await emulator.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'demo' }))
    ).ReplicationGroups![0]!;
    assert.equal(group.MemberClusters!.length, 3);
  });

  test('a second group from the same source reuses the security group the tool made', async () => {
    const result = await cliIn([
      'create-cluster',
      'second',
      '--replicas',
      '0',
      '--allow-from',
      '10.0.0.0/16',
      '--yes',
      '--no-wait',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /made by elasticache-kit earlier/);
    assert.equal((await toolGroups()).length, 1);
  });

  test('list shows every group with kind, status, engine, node type, nodes and primary endpoint', async () => {
    const waited = await cli(['wait', 'second', '--output', 'json']);
    assert.equal(waited.code, 0, waited.stderr);
    assert.equal((JSON.parse(waited.stdout) as Topology).status, 'available');
    const table = await cli(['list']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^ID +KIND +STATUS +ENGINE +NODE TYPE +NODES +ENDPOINT$/m);
    assert.match(table.stdout, /^demo +replication group +available +redis +cache\.t3\.micro +3 +127\.0\.0\.1:\d+$/m);
    assert.match(table.stdout, /^second +replication group +available +redis +cache\.t3\.micro +1 +127\.0\.0\.1:\d+$/m);
    const json = JSON.parse((await cliIn(['list', '--output', 'json'])).stdout) as Array<{
      replicationGroupId: string;
      nodes: number;
    }>;
    assert.deepEqual(
      json.map((g) => [g.replicationGroupId, g.nodes]),
      [
        ['demo', 3],
        ['second', 1],
      ],
    );
  });

  test('failover promotes a replica, waits, and prints the new primary; the data survives', async () => {
    const result = await cli(['failover', 'demo', '--yes', '--output', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { previousPrimary: string; primary: string; topology: Topology };
    assert.equal(report.previousPrimary, 'demo-001');
    assert.notEqual(report.primary, 'demo-001');
    assert.equal(report.topology.nodes[0]!.id, report.primary);
    const client = new Redis({
      host: report.topology.primaryEndpoint!.address,
      port: report.topology.primaryEndpoint!.port,
      tls: { ca: readFileSync(caCertPath(emulator.stateDir)) },
      maxRetriesPerRequest: 1,
    });
    try {
      assert.match((await client.get('create-cluster-test:key')) ?? '', /^v-/);
    } finally {
      client.disconnect();
    }
    const refused = await cliIn(['failover', 'second', '--yes']);
    assert.equal(refused.code, 2, 'no replica, no automatic failover: refused before any change');
    assert.match(refused.stderr, /automatic failover/);
  });

  test('wait and delete-cluster on unknown groups: exit 3; wait --deleted on a missing group: exit 0', async () => {
    assert.equal((await cliIn(['wait', 'nope'])).code, 3);
    assert.equal((await cliIn(['delete-cluster', 'nope', '--yes'])).code, 3);
    assert.equal((await cliIn(['wait', 'nope', '--deleted'])).code, 0);
  });

  test('a group on a hand-made security group, deleted right after create --no-wait: that security group is left alone', async () => {
    const created = await cliIn([
      'create-cluster',
      'handmade',
      '--replicas',
      '0',
      '--security-group',
      preExisting,
      '--yes',
      '--no-wait',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const deleted = await cliIn(['delete-cluster', 'handmade', '--yes']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(
      deleted.stderr,
      new RegExp(`kept security group ${preExisting} \\(app-servers\\): not created by elasticache-kit`),
    );
    assert.ok((await securityGroups()).some((g) => g.GroupId === preExisting));
  });

  test('delete-cluster keeps shared network while used, then removes what the tool made, and nothing else', async () => {
    const first = await cliIn(['delete-cluster', 'second', '--yes']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /kept security group .*still used by demo/);
    assert.equal((await toolGroups()).length, 1);

    const last = await cli(['delete-cluster', 'demo', '--yes', '--output', 'json']);
    assert.equal(last.code, 0, last.stderr);
    const report = JSON.parse(last.stdout) as { removed: string[]; kept: string[] };
    assert.equal(report.removed.length, 2, last.stderr);
    assert.deepEqual(await groupIds(), []);
    assert.deepEqual(await toolGroups(), []);
    assert.ok(!(await subnetGroupNames()).some((name) => name.startsWith('elasticache-kit-')));
    const remaining = (await securityGroups()).map((g) => g.GroupName).sort();
    assert.deepEqual(remaining, ['app-servers', 'default'], 'the hand-made and the default security group survive');
  });

  test('a failing CreateReplicationGroup removes the network this run created, and says so', async () => {
    // The emulator cannot make its TLS certificates (its tls folder is blocked by a file), so
    // it fails TransitEncryptionEnabled after the network was made.
    const tlsDir = join(emulator.stateDir, 'tls');
    const aside = `${tlsDir}.aside`;
    if (existsSync(tlsDir)) renameSync(tlsDir, aside);
    writeFileSync(tlsDir, 'not a folder');
    let result;
    try {
      result = await cliIn([
        'create-cluster',
        'tls',
        '--replicas',
        '0',
        '--allow-from',
        '10.7.0.0/16',
        '--transit-encryption',
        '--yes',
      ]);
    } finally {
      rmSync(tlsDir, { force: true });
      if (existsSync(aside)) renameSync(aside, tlsDir);
    }
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /InsufficientCacheClusterCapacity\w*: .*openssl|InsufficientCacheClusterCapacity\w*: .*tls/,
    );
    assert.match(
      result.stderr,
      /removed what this run had created: security group sg-[0-9a-f]+, cache subnet group elasticache-kit-/,
    );
    assert.deepEqual(await toolGroups(), []);
    assert.ok(!(await subnetGroupNames()).some((name) => name.startsWith('elasticache-kit-')));
    assert.deepEqual(await groupIds(), []);
  });

  test('AWS-side checks before any change: unknown engine version, missing security group (exit 2)', async () => {
    const version = await cliIn([
      'create-cluster',
      'x',
      '--allow-from',
      '10.0.0.0/16',
      '--engine-version',
      '9.9',
      '--yes',
    ]);
    assert.equal(version.code, 2);
    assert.match(version.stderr, /--engine-version must be one of 7\.1, 7\.0, 6\.2/);
    const sg = await cliIn(['create-cluster', 'x', '--security-group', 'sg-0123456789abcdef0', '--yes']);
    assert.equal(sg.code, 2);
    assert.match(sg.stderr, /--security-group/);
    const subnetGroup = await cliIn([
      'create-cluster',
      'x',
      '--allow-from',
      '10.0.0.0/16',
      '--subnet-group',
      'nope',
      '--yes',
    ]);
    assert.equal(subnetGroup.code, 2);
    assert.match(subnetGroup.stderr, /--subnet-group nope does not exist/);
    assert.deepEqual(await groupIds(), []);
    assert.deepEqual(await toolGroups(), []);
  });
});
