/**
 * Engine versions as AWS reports them: a group created for the `6.2` line reads back as
 * `6.2.6` (valkey `8.0` as `8.0.1`), so an idempotent re-run of create-cluster with
 * --engine-version 6.2 compares equal and exits 0. `local status` still says which binary
 * really runs the nodes. The first create-cluster is the built binary; the re-run and the
 * valkey group run the same commander program in this process.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeCacheClustersCommand } from '@aws-sdk/client-elasticache';
import { runCli } from './helpers/cli.js';
import { runCliInProcess } from './helpers/cli-in-process.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { emulatorStatus } from '../src/local/stopper.js';

let emulator: TestEmulator;
const cli = (args: string[]) => runCli(['--endpoint-url', emulator.url, ...args], { env: emulator.env });
const inProcess = (args: string[]) => runCliInProcess(['--endpoint-url', emulator.url, ...args], { env: emulator.env });

describe('engine versions', () => {
  before(async () => {
    emulator = await startTestEmulator();
  });
  after(async () => {
    await emulator?.close();
  });

  test('create-cluster --engine-version 6.2: the group reports 6.2.6, and a re-run is the same group (exit 0)', async () => {
    const args = ['create-cluster', 'old', '--engine-version', '6.2', '--replicas', '0', '--no-transit-encryption'];
    const first = await cli([...args, '--allow-from', '10.0.0.0/16', '--yes']);
    assert.equal(first.code, 0, first.stderr);
    const node = (await emulator.elasticache.send(new DescribeCacheClustersCommand({ CacheClusterId: 'old-001' })))
      .CacheClusters![0]!;
    assert.equal(node.EngineVersion, '6.2.6');
    assert.equal(node.CacheParameterGroup?.CacheParameterGroupName, 'default.redis6.x');

    const again = await inProcess([...args, '--allow-from', '10.0.0.0/16', '--yes']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already exists with these settings/);

    const status = await emulatorStatus(emulator.stateDir);
    const group = status.groups.find((g) => g.id === 'old')!;
    assert.equal(group.engineVersion, '6.2.6');
    assert.match(
      group.engineBinaryVersion ?? '',
      /^\d+\.\d+\.\d+$/,
      'the real binary version is kept for local status',
    );
  });

  test('valkey 8.0 reads back as 8.0.1', async () => {
    const result = await inProcess([
      'create-cluster',
      'vk',
      '--engine',
      'valkey',
      '--engine-version',
      '8.0',
      '--replicas',
      '0',
      '--no-transit-encryption',
      '--allow-from',
      '10.0.0.0/16',
      '--yes',
      '--output',
      'json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).engineVersion, '8.0.1');
  });
});
