/**
 * DESIGN.md's promise for scripts: with --output json, stdout is exactly one JSON document,
 * whatever the command. One sweep over every command against the emulator, each run the
 * real binary (its stdout is the subject). The cluster-mode group's steps run alongside the
 * other group's; the deletes come last, one after the other (they share the VPC's subnet group).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PACED_LOAD, runCli } from './helpers/cli.js';
import { startTestEmulator } from './helpers/emulator.js';
import { caCertPath } from '../src/local/tls-material.js';

test('--output json: every command prints exactly one JSON document on stdout', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const cli = (args: string[]) =>
    runCli(['--endpoint-url', emulator.url, '--output', 'json', ...args], { env: emulator.env });
  const replicated: Array<[string, string[]]> = [
    ['create-cluster', ['create-cluster', 'j1', '--replicas', '1', '--allow-from', '10.0.0.0/16', '--yes']],
    [
      'create-cluster --dry-run',
      ['create-cluster', 'j2', '--replicas', '1', '--allow-from', '10.0.0.0/16', '--dry-run'],
    ],
    ['list', ['list']],
    ['wait', ['wait', 'j1']],
    ['endpoints', ['endpoints', 'j1']],
    ['failover', ['failover', 'j1', '--yes']],
    ['scale', ['scale', 'j1', '--replicas', '2', '--yes']],
    ['scale --dry-run', ['scale', 'j1', '--replicas', '1', '--dry-run']],
    // j1 has TLS (create-cluster's default): trust the emulator's CA. What bench reports is
    // checked, not how fast it goes: paced load, half a second.
    [
      'bench',
      [
        'bench',
        'j1',
        '--tls',
        '--ca',
        caCertPath(emulator.stateDir),
        '--test-time',
        '0.5',
        '--warmup',
        '0',
        '--clients',
        '2',
        ...PACED_LOAD,
        '--key-maximum',
        '100',
      ],
    ],
  ];
  // Cluster mode enabled (plain TCP here; cluster-mode.e2e covers the default TLS path).
  const sharded: Array<[string, string[]]> = [
    [
      'create-cluster --shards',
      [
        'create-cluster',
        'j3',
        '--shards',
        '2',
        '--replicas',
        '1',
        '--no-transit-encryption',
        '--allow-from',
        '10.3.0.0/16',
        '--yes',
      ],
    ],
    ['endpoints (cluster)', ['endpoints', 'j3']],
    ['failover --node-group', ['failover', 'j3', '--node-group', '0002', '--yes']],
  ];
  const deletes: Array<[string, string[]]> = [
    ['delete-cluster', ['delete-cluster', 'j1', '--yes']],
    ['delete-cluster (cluster)', ['delete-cluster', 'j3', '--yes']],
  ];
  const sweep = async (steps: Array<[string, string[]]>) => {
    for (const [name, args] of steps) {
      const result = await cli(args);
      assert.equal(result.code, 0, `${name}: ${result.stderr}`);
      assert.doesNotThrow(() => JSON.parse(result.stdout), `${name}: stdout is one JSON document:\n${result.stdout}`);
    }
  };
  // Both sweeps end before either failure is reported: nothing runs on when the emulator stops.
  const settled = await Promise.allSettled([sweep(replicated), sweep(sharded)]);
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  await sweep(deletes);
});
