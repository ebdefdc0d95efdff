/**
 * `modify --transit-encryption-mode`: the CLI walks AWS's steps (off → preferred → required and
 * back), one ModifyReplicationGroup each, waited for; the nodes really switch (plain RESP is
 * refused once required). Against the emulator: the two-step run through the built binary,
 * the set-up and the other runs in-process (helpers/cli-in-process.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeReplicationGroupsCommand } from '@aws-sdk/client-elasticache';
import { runCli } from './helpers/cli.js';
import { runCliInProcess } from './helpers/cli-in-process.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { inlineCommand } from './helpers/inline-command.js';

let emulator: TestEmulator;
/** The built CLI as a child process: the two-step modify. */
const cli = (args: string[]) => runCli(['--endpoint-url', emulator.url, ...args], { env: emulator.env });
/** The same commander program in-process: the set-up and the other modify runs. */
const cliIn = (args: string[]) => runCliInProcess(['--endpoint-url', emulator.url, ...args], { env: emulator.env });

async function group() {
  return (await emulator.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'mig' })))
    .ReplicationGroups![0]!;
}

describe('modify --transit-encryption-mode', () => {
  before(async () => {
    emulator = await startTestEmulator();
  });
  after(async () => {
    await emulator?.close();
  });

  test('off → required in two waited steps; the primary endpoint refuses plain RESP afterwards; and back to off', async () => {
    const created = await cliIn([
      'create-cluster',
      'mig',
      '--replicas',
      '1',
      '--no-transit-encryption',
      '--allow-from',
      '10.0.0.0/16',
      '--yes',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const port = (await group()).NodeGroups![0]!.PrimaryEndpoint!.Port!;
    assert.equal(await inlineCommand({ port }, 'PING'), '+PONG');

    const up = await cli(['modify', 'mig', '--transit-encryption-mode', 'required', '--yes', '--output', 'json']);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stderr, /step 1\/2: in-transit encryption → preferred/);
    assert.match(up.stderr, /step 2\/2: in-transit encryption → required/);
    assert.match(up.stderr, /rewrite their config with elasticache-kit endpoints mig/);
    const result = JSON.parse(up.stdout);
    assert.deepEqual([result.from, ...result.steps], ['off', 'preferred', 'required']);
    assert.equal(result.topology.tls, true);
    const after = await group();
    assert.equal(after.TransitEncryptionEnabled, true);
    assert.equal(after.TransitEncryptionMode, 'required');
    assert.notEqual(await inlineCommand({ port }, 'PING').catch(() => 'refused'), '+PONG');

    const again = await cliIn(['modify', 'mig', '--transit-encryption-mode', 'required', '--yes']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already has in-transit encryption required; nothing to change/);

    const twoStepsNoWait = await cliIn(['modify', 'mig', '--transit-encryption-mode', 'off', '--yes', '--no-wait']);
    assert.equal(twoStepsNoWait.code, 2, twoStepsNoWait.stderr);
    assert.match(
      twoStepsNoWait.stderr,
      /takes 2 steps, each waited for; run with --transit-encryption-mode preferred first/,
    );

    const down = await cliIn(['modify', 'mig', '--transit-encryption-mode', 'off', '--yes']);
    assert.equal(down.code, 0, down.stderr);
    assert.equal((await group()).TransitEncryptionEnabled, false);
    assert.equal(await inlineCommand({ port }, 'PING'), '+PONG');
  });

  test('bad input: a mode that does not exist, exit 2, nothing changed', async () => {
    const result = await cliIn(['modify', 'mig', '--transit-encryption-mode', 'on', '--yes']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--transit-encryption-mode must be one of off, preferred, required \(got on\)/);
  });
});
