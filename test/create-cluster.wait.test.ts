/**
 * Waiting (and --keep-network): --wait-timeout exits 4 with the command that resumes (and that command works);
 * Ctrl-C while waiting says the group keeps changing and how to resume (exit 130).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, spawnCli } from './helpers/cli.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { ec2Sdk } from './helpers/ec2.js';

const { DescribeSecurityGroupsCommand } = ec2Sdk();

let emulator: TestEmulator;
const cli = (args: string[]) => runCli(['--endpoint-url', emulator.url, ...args], { env: emulator.env });

describe('waiting for a replication group', () => {
  before(async () => {
    emulator = await startTestEmulator();
  });
  after(async () => {
    await emulator?.close();
  });

  test('--wait-timeout exceeded: exit 4, the group keeps being created, and the printed command resumes', async () => {
    // 0.001 minutes is shorter than one poll: the first status (creating) already times out.
    const result = await cli([
      'create-cluster',
      'slow',
      '--replicas',
      '2',
      '--allow-from',
      '10.0.0.0/16',
      '--yes',
      '--wait-timeout',
      '0.001',
    ]);
    assert.equal(result.code, 4, result.stderr);
    const resume = /Resume with: (elasticache-kit .*wait slow)$/m.exec(result.stderr);
    assert.ok(resume, result.stderr);
    assert.match(result.stderr, /slow keeps being created in AWS/);
    const args = resume[1]!.split(' ').slice(1);
    assert.deepEqual(args, ['--endpoint-url', emulator.url, 'wait', 'slow']);
    const resumed = await runCli([...args, '--output', 'json'], { env: emulator.env });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).status, 'available');
  });

  test('Ctrl-C while waiting: exit 130 with the command that resumes; the group is untouched', async (t) => {
    // `wait --deleted` on a group nobody deletes waits until interrupted.
    const waiting = spawnCli(['--endpoint-url', emulator.url, 'wait', 'slow', '--deleted'], {
      env: emulator.env,
      after: (fn) => t.after(fn),
    });
    assert.ok(await waiting.stderrMatches(/slow: available/), `it is polling: ${waiting.stderr()}`);
    waiting.child.kill('SIGINT');
    assert.equal(await waiting.exited, 130, waiting.stderr());
    assert.match(
      waiting.stderr(),
      /stopped waiting; nothing was changed; slow carries on in AWS\. Resume with: elasticache-kit --endpoint-url \S+ wait slow --deleted/,
    );
    const still = await cli(['wait', 'slow', '--output', 'json']);
    assert.equal(still.code, 0);
  });

  test('delete-cluster --keep-network deletes the group and keeps the network the tool made', async () => {
    const result = await cli(['delete-cluster', 'slow', '--yes', '--keep-network', '--output', 'json']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      replicationGroupId: 'slow',
      status: 'deleted',
      removed: [],
      kept: [],
    });
    assert.match(result.stderr, /keeping the network resources \(--keep-network\)/);
    const groups = (await emulator.ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups!.map(
      (g) => g.GroupName,
    );
    assert.ok(groups.includes('elasticache-kit-6379-from-10.0.0.0/16'));
  });
});
