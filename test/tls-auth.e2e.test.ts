/**
 * The production path end to end, as a user runs it, against the emulator: real CLI child
 * processes create a TLS + AUTH group (token from an environment variable), write its
 * endpoints, bench it from the written file, fail it over and delete it. Meanwhile the token
 * must never show up in any process's argv (ps), in the emulator's state.json, or in the file
 * written without --include-auth.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACED_LOAD, runCli } from './helpers/cli.js';
import { startTestEmulator } from './helpers/emulator.js';
import { caCertPath } from '../src/local/tls-material.js';
import { processCommandLine } from '../src/local/orphans.js';

const TOKEN = 'e2e-Tls-Auth-token-0123456789';

/**
 * Every command line on the machine: read from /proc where there is one (Linux), which costs
 * the sampler no process of its own ten times a second; from ps elsewhere.
 */
function allArgv(): string {
  if (!existsSync('/proc/self/cmdline')) return spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
  const pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  return pids.map((pid) => processCommandLine(Number(pid)) ?? '').join('\n');
}

test('TLS + AUTH: create → endpoints → bench --from-config → failover → delete; the token stays out of argv, state and files', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const folder = mkdtempSync(join(tmpdir(), 'eck-tls-e2e-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const env = { ...emulator.env, E2E_REDIS_AUTH: TOKEN };
  const seen: string[] = [];
  const sampler = setInterval(() => seen.push(allArgv()), 100);
  t.after(() => clearInterval(sampler));
  const cli = (args: string[]) => runCli(['--endpoint-url', emulator.url, ...args], { env, cwd: folder });

  const created = await cli([
    'create-cluster',
    'secure',
    '--replicas',
    '1',
    '--allow-from',
    '10.0.0.0/16',
    '--auth-token-env',
    'E2E_REDIS_AUTH',
    '--yes',
  ]);
  assert.equal(created.code, 0, created.stderr);

  const endpoints = await cli(['endpoints', 'secure', '--format', 'dotenv', '--out', 'secure.env']);
  assert.equal(endpoints.code, 0, endpoints.stderr);
  const written = readFileSync(join(folder, 'secure.env'), 'utf8');
  assert.match(written, /ELASTICACHE_TLS=true/);
  assert.ok(!written.includes(TOKEN), 'no token in a file written without --include-auth');

  const bench = await cli([
    '--output',
    'json',
    'bench',
    '--from-config',
    'secure.env',
    '--tls',
    '--ca',
    caCertPath(emulator.stateDir),
    '--auth-token-env',
    'E2E_REDIS_AUTH',
    '--test-time',
    '1',
    '--warmup',
    '0',
    '--clients',
    '2',
    '--key-maximum',
    '200',
    '--lag-probes',
    '0',
    // Paced: the token's path is tested, not throughput.
    ...PACED_LOAD,
  ]);
  assert.equal(bench.code, 0, bench.stderr);
  const report = JSON.parse(bench.stdout) as { total: { ops: number; errors: number } };
  assert.ok(report.total.ops > 0 && report.total.errors === 0, JSON.stringify(report.total));

  const failover = await cli(['failover', 'secure', '--yes']);
  assert.equal(failover.code, 0, failover.stderr);

  const state = readFileSync(join(emulator.stateDir, 'state.json'), 'utf8');
  assert.match(state, /"transitEncryption": ?true/);
  assert.ok(!state.includes(TOKEN), 'no token in state.json');

  const deleted = await cli(['delete-cluster', 'secure', '--yes']);
  assert.equal(deleted.code, 0, deleted.stderr);

  clearInterval(sampler);
  assert.ok(seen.length > 5, 'the process table was sampled during the run');
  assert.ok(
    seen.some((sample) => sample.includes('redis-server')),
    'the samples saw the nodes',
  );
  for (const sample of seen) assert.ok(!sample.includes(TOKEN), 'no process had the token in its argv');
  for (const output of [created, endpoints, bench, failover, deleted]) {
    assert.ok(!output.stdout.includes(TOKEN) && !output.stderr.includes(TOKEN), 'no token in any output');
  }
});
