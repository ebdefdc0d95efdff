/**
 * bench --tls against the emulator's TLS groups, trusting its CA (--ca): by group id (the
 * nodes), through the primary and reader endpoints (--primary/--reader), with and without
 * AUTH. Real TLS end to end; the token reaches bench only through the environment. The run
 * that checks the token is never printed is the real binary; the others run the same
 * commander program in this process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PACED_LOAD, runCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { createAvailableGroup, startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { caCertPath } from '../../src/local/tls-material.js';
import type { BenchReport } from '../../src/bench/report.js';

const TOKEN = 'bench-tls-token-0123456789';
// Paced (one thread, 1000 ops/s): what is tested is the TLS connection and AUTH, not throughput.
const LOAD = [
  '--test-time',
  '0.5',
  '--warmup',
  '0',
  '--clients',
  '2',
  '--key-maximum',
  '200',
  '--lag-probes',
  '0',
  ...PACED_LOAD,
];

async function tlsGroup(emulator: TestEmulator, id: string, authToken?: string) {
  const group = await createAvailableGroup(emulator, {
    ReplicationGroupId: id,
    ReplicationGroupDescription: 'bench tls',
    NumCacheClusters: 2,
    TransitEncryptionEnabled: true,
    AuthToken: authToken,
  });
  return group.NodeGroups![0]!;
}

async function bench(
  emulator: TestEmulator,
  args: string[],
  env: Record<string, string> = {},
  runner: typeof runCli = runCliInProcess,
) {
  const result = await runner(['--endpoint-url', emulator.url, '--output', 'json', 'bench', ...args, ...LOAD], {
    env: { ...emulator.env, ...env },
  });
  return { ...result, report: result.code === 0 ? (JSON.parse(result.stdout) as BenchReport) : undefined };
}

test('bench --tls --ca: nodes, primary and reader endpoints, with and without AUTH', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const ca = caCertPath(emulator.stateDir);
  const [secure, open] = await Promise.all([tlsGroup(emulator, 'tls-auth', TOKEN), tlsGroup(emulator, 'tls-open')]);
  const env = { BENCH_TLS_TOKEN: TOKEN };
  const endpoints = [
    '--primary',
    `${secure.PrimaryEndpoint!.Address}:${secure.PrimaryEndpoint!.Port}`,
    '--reader',
    `${secure.ReaderEndpoint!.Address}:${secure.ReaderEndpoint!.Port}`,
  ];
  // The runs are independent (each its own key prefix, no lag probes): the binary beside the in-process ones.
  const [byId, viaEndpoints, noToken, withoutAuth, openEndpoints, untrusted] = await Promise.all([
    bench(emulator, ['tls-auth', '--tls', '--ca', ca, '--auth-token-env', 'BENCH_TLS_TOKEN'], env, runCli),
    bench(emulator, [...endpoints, '--tls', '--ca', ca, '--auth-token-env', 'BENCH_TLS_TOKEN'], env),
    bench(emulator, [...endpoints, '--tls', '--ca', ca]),
    bench(emulator, ['tls-open', '--tls', '--ca', ca]),
    bench(emulator, [
      '--primary',
      `${open.PrimaryEndpoint!.Address}:${open.PrimaryEndpoint!.Port}`,
      '--reader',
      `${open.ReaderEndpoint!.Address}:${open.ReaderEndpoint!.Port}`,
      '--tls',
      '--ca',
      ca,
    ]),
    bench(emulator, ['tls-open', '--tls']),
  ]);

  assert.equal(byId.code, 0, byId.stderr);
  assert.equal(byId.report!.nodes.length, 2, 'both nodes benchmarked over TLS');
  assert.ok(byId.report!.total.ops > 0 && byId.report!.total.errors === 0, JSON.stringify(byId.report!.total));
  assert.ok(!byId.stdout.includes(TOKEN) && !byId.stderr.includes(TOKEN), 'the token is not printed');

  assert.equal(viaEndpoints.code, 0, viaEndpoints.stderr);
  assert.ok(viaEndpoints.report!.total.ops > 0 && viaEndpoints.report!.total.errors === 0);

  assert.notEqual(noToken.code, 0, 'the AUTH group refuses bench without the token');

  assert.equal(withoutAuth.code, 0, withoutAuth.stderr);
  assert.ok(withoutAuth.report!.total.ops > 0);
  assert.equal(openEndpoints.code, 0, openEndpoints.stderr);

  assert.equal(untrusted.code, 1, 'without the CA the certificate is not trusted');
  assert.match(untrusted.stderr, /certificate/);
});
