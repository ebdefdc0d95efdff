/**
 * The interactive walkthrough, driven by typing answers into the real inquirer prompts
 * through a pseudo-terminal, against the emulator.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { DescribeReplicationGroupsCommand, DescribeServerlessCachesCommand } from '@aws-sdk/client-elasticache';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { PtySession } from './commands/pty.js';
import { ec2Sdk } from './helpers/ec2.js';

const { DescribeSecurityGroupsCommand } = ec2Sdk();

let emulator: TestEmulator;
const sessions: PtySession[] = [];
const session = (args: string[]) => {
  const pty = new PtySession(['--endpoint-url', emulator.url, ...args], emulator.env);
  sessions.push(pty);
  return pty;
};
const groups = async () =>
  (await emulator.elasticache.send(new DescribeReplicationGroupsCommand({}))).ReplicationGroups ?? [];

// util-linux `script` (Debian/Ubuntu: bsdutils, always installed) provides the terminal.
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

// The sessions wait on the terminal and the emulator, each on its own group: run together.
describe('create-cluster on a terminal', {
  skip: hasScript ? false : 'util-linux script is not installed',
  concurrency: true,
}, () => {
  before(async () => {
    emulator = await startTestEmulator();
  });
  after(async () => {
    for (const pty of sessions) pty.kill();
    await emulator?.close();
  });

  test('the walkthrough: answers typed into the prompts end in a created group', async () => {
    const pty = session(['create-cluster']);
    await pty.answer('Deployment option'); // node-based, the default: the walkthrough's replication group
    await pty.answer('Engine'); // Redis OSS, the default
    await pty.answer('Engine version'); // the newest
    await pty.expect('7.1 (newest)');
    // A bad name is refused at the prompt with the rule, then corrected.
    await pty.answer('Name (replication group id)', '1bad');
    await pty.expect('must start with a letter');
    await pty.press('backspace', 4);
    await pty.type('walk');
    await pty.press('enter');
    await pty.answer('Description');
    await pty.answer('Node type'); // cache.t3.micro
    await pty.answer('Cluster mode'); // disabled, the walkthrough's
    await pty.answer('Number of read replicas', '1');
    await pty.answer('Port');
    await pty.answer('Automatic failover');
    await pty.answer('Multi-AZ');
    await pty.answer('Who may connect?');
    await pty.answer('Allow connections from', '10.1.0.0/16');
    await pty.answer('Encryption in transit'); // yes, the default
    await pty.answer('AUTH token'); // Enter: none
    await pty.answer('Encryption at rest');
    const review = await pty.expect('Create walk?');
    assert.match(review, /Encryption in transit +yes \(TLS/);
    assert.match(review, /Nodes +1 primary \+ 1 read replica/);
    assert.match(review, /Access +port 6379\/tcp from 10\.1\.0\.0\/16 only/);
    assert.match(review, /Will create .*replication group walk \(2 nodes\)/);
    await pty.press('enter');
    await pty.expect('walk is available after');
    await pty.expect(/Primary endpoint +127\.0\.0\.1:\d+/);
    assert.equal(await pty.exited, 0, pty.screen);

    const group = (await groups()).find((g) => g.ReplicationGroupId === 'walk');
    assert.ok(group, 'walk was created');
    assert.equal(group?.MemberClusters?.length, 2);
    assert.equal(group?.AutomaticFailover, 'enabled');
    const sg = (await emulator.ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups!.find(
      (g) => g.GroupName === 'elasticache-kit-6379-from-10.1.0.0/16',
    );
    assert.ok(sg, 'the security group for the typed source');
  });

  test('cluster mode: chosen at the prompt, shards and replicas per shard asked, the review shows the slot split', async () => {
    const pty = session(['create-cluster']);
    await pty.answer('Deployment option'); // node-based
    await pty.answer('Engine');
    await pty.answer('Engine version');
    await pty.answer('Name (replication group id)', 'sharded');
    await pty.answer('Description');
    await pty.answer('Node type');
    await pty.expect('Cluster mode');
    await pty.press('down');
    await pty.press('enter'); // Enabled
    // A shard count out of AWS's range is refused at the prompt, then corrected.
    await pty.answer('Number of shards (1-500)', '501');
    await pty.expect('--shards must be an integer 1-500 (got 501)');
    await pty.press('backspace', 3);
    await pty.type('3');
    await pty.press('enter');
    await pty.answer('Number of replicas per shard (0-5)', '1');
    await pty.answer('Port');
    await pty.expect('automatic failover stays on: cluster mode requires it');
    await pty.answer('Multi-AZ');
    await pty.answer('Who may connect?');
    await pty.answer('Allow connections from', '10.4.0.0/16');
    await pty.answer('Encryption in transit'); // yes, the default: the cluster serves TLS
    await pty.answer('AUTH token'); // Enter: none
    await pty.answer('Encryption at rest');
    const review = await pty.expect('Create sharded?');
    assert.match(review, /Cluster mode +enabled \(clients use the configuration endpoint/);
    assert.match(review, /Nodes +3 shards x \(1 primary \+ 1 replica\) = 6 nodes/);
    assert.match(review, /Slots +0001 0-5461 · 0002 5462-10922 · 0003 10923-16383/);
    assert.match(review, /Automatic failover +yes/);
    assert.match(review, /Will create .*replication group sharded \(6 nodes in 3 shards\)/);
    await pty.press('enter');
    await pty.expect('sharded is available after');
    await pty.expect(/Configuration endpoint +127\.0\.0\.1:\d+/);
    assert.equal(await pty.exited, 0, pty.screen);

    const group = (await groups()).find((g) => g.ReplicationGroupId === 'sharded');
    assert.equal(group?.ClusterEnabled, true);
    assert.equal(group?.TransitEncryptionEnabled, true);
    assert.deepEqual(
      group?.NodeGroups?.map((ng) => [ng.NodeGroupId, ng.Slots, ng.NodeGroupMembers?.length]),
      [
        ['0001', '0-5461', 2],
        ['0002', '5462-10922', 2],
        ['0003', '10923-16383', 2],
      ],
    );
  });

  test('with every flag given there are no prompts but the review; answering no creates nothing (exit 2)', async () => {
    const pty = session(['create-cluster', 'declined', '--replicas', '0', '--allow-from', '10.2.0.0/16']);
    const review = await pty.expect('Create declined?');
    assert.doesNotMatch(review, /Engine version\s*\n.*❯/, 'no walkthrough prompts');
    assert.match(review, /Automatic failover +no/);
    await pty.type('n');
    await pty.press('enter');
    await pty.expect('declined at the review: nothing was created');
    assert.equal(await pty.exited, 2);
    assert.ok(!(await groups()).some((g) => g.ReplicationGroupId === 'declined'));
  });

  test('--auth-token-prompt asks with a hidden prompt; the token is never on the screen or in the requests', async () => {
    const token = 'Typed-Secret-0123456789';
    const pty = session([
      'create-cluster',
      'secret',
      '--allow-from',
      '10.3.0.0/16',
      '--transit-encryption',
      '--auth-token-prompt',
      '--dry-run',
    ]);
    await pty.expect('AUTH token (hidden');
    // A bad token is refused with the rule (without echoing it), then replaced.
    await pty.type('bad@token');
    await pty.press('enter');
    await pty.expect('must be 16-128 characters');
    await pty.press('backspace', 9);
    await pty.type(token);
    await pty.press('enter');
    await pty.expect('dry run: nothing was created');
    assert.equal(await pty.exited, 0, pty.screen);
    assert.ok(!pty.screen.includes(token) && !pty.screen.includes('bad@token'), 'the token is masked');
    assert.match(pty.screen, /"AuthToken": "\$\{AuthToken\}"/);
    assert.match(pty.screen, /"TransitEncryptionEnabled": true/);
  });

  test('Ctrl-C at a prompt stops with exit 130 and nothing created', async () => {
    const pty = session(['create-cluster']);
    await pty.expect('Deployment option');
    await pty.press('ctrlC');
    assert.equal(await pty.exited, 130, pty.screen);
    // The other sessions run meanwhile: only the groups they create may exist.
    const others = ['walk', 'sharded'];
    const ids = (await groups()).map((g) => g.ReplicationGroupId!);
    assert.deepEqual(
      ids.filter((id) => !others.includes(id)),
      [],
      `nothing created by the interrupted walkthrough: ${ids.join(', ')}`,
    );
  });

  test('serverless, chosen first as in the console: its screens, a bad limit asked again, then created', async () => {
    const pty = session(['create-cluster']);
    await pty.expect('Deployment option');
    await pty.press('down');
    await pty.press('enter');
    await pty.answer('Name (serverless cache name)', 'quick');
    await pty.answer('Description');
    await pty.answer('Engine'); // Valkey, the serverless default
    await pty.answer('Major engine version');
    await pty.answer('Maximum data storage in GB', '5');
    // Below AWS's minimum: refused at the prompt with the range, then corrected.
    await pty.answer('Maximum ECPUs per second', '500');
    await pty.expect('--max-ecpu-per-second must be an integer 1000-15000000 (got 500)');
    await pty.press('backspace', 3);
    await pty.type('2000');
    await pty.press('enter');
    await pty.answer('Subnets'); // the default VPC's
    await pty.answer('Who may connect?');
    await pty.answer('Allow connections from', '10.4.0.0/16');
    await pty.answer('User group id'); // none
    const review = await pty.expect('Create quick?');
    assert.match(review, /Serverless cache +quick/);
    assert.match(review, /Engine +valkey \(newest major version\)/);
    assert.match(review, /Usage limits +data max 5 GB; max 2,000 ECPU\/s/);
    assert.match(review, /Access +ports 6379-6380\/tcp from 10\.4\.0\.0\/16 only/);
    assert.doesNotMatch(review, /Node type|replicas/, 'no node-based questions');
    await pty.press('enter');
    await pty.expect('quick is available after', 60_000);
    await pty.expect(/Endpoint +127\.0\.0\.1:\d+ \(reads and writes\)/);
    assert.equal(await pty.exited, 0, pty.screen);
    const caches = (await emulator.elasticache.send(new DescribeServerlessCachesCommand({}))).ServerlessCaches ?? [];
    const quick = caches.find((c) => c.ServerlessCacheName === 'quick');
    assert.equal(quick?.Engine, 'valkey');
    assert.deepEqual(quick?.CacheUsageLimits, {
      DataStorage: { Maximum: 5, Unit: 'GB' },
      ECPUPerSecond: { Maximum: 2000 },
    });
  });
});
