/**
 * Workload modes and connection options against a real redis-server: --requests,
 * --rate (open loop), --hdr-out/--json files, AUTH from an environment variable (never
 * printed), and a wrong token failing clearly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startRedisServer } from '../helpers/redis.js';
import type { BenchReport } from '../../src/bench/report.js';

test('--requests stops after that many requests; --hdr-out and --json write files', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const dir = mkdtempSync(join(tmpdir(), 'eck-bench-out-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const result = await runCli([
    'bench', '--primary', `127.0.0.1:${redis.port}`, '--requests', '20000', '--clients', '5', '--pipeline', '4',
    '--warmup', '0', '--key-maximum', '500', '--key-pattern', 'S', '--ratio', '1:1',
    '--hdr-out', join(dir, 'lat-'), '--json', join(dir, 'report.json'),
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^node\s+role\s+address\s+ops\/s/m, 'a table on stdout');
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as BenchReport;
  const node = report.nodes[0]!;
  assert.equal(node.ops + node.errors, 20000, 'exactly --requests requests');
  assert.ok(Math.abs(node.sets - node.gets) <= 20, `1:1 mix (${node.sets} SETs, ${node.gets} GETs)`);
  assert.equal(node.misses, 0, 'the prefilled keys hit');
  assert.deepEqual(report.replication, []);
  const hgrm = readFileSync(join(dir, 'lat-primary.hgrm'), 'utf8');
  assert.match(hgrm, /^\s+Value\s+Percentile\s+TotalCount\s+1\/\(1-Percentile\)/);
  assert.match(hgrm, /#\[Max {5}=\s+[\d.]+, Total count {4}=\s+20000\]/);
});

test('--rate runs open loop at that rate', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const result = await runCli(['--output', 'json', 'bench', '--primary', `127.0.0.1:${redis.port}`, '--rate', '3000', '--test-time', '1.5', '--warmup', '0.3', '--clients', '3', '--key-maximum', '500']);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as BenchReport;
  const rate = report.nodes[0]!.opsPerSec;
  assert.ok(rate > 3000 * 0.7 && rate < 3000 * 1.15, `about 3000 ops/s (got ${rate})`);
});

test('AUTH token from an environment variable; never printed; a wrong one fails with exit 1', async (t) => {
  const token = 'bench-secret-token-0123456789';
  const redis = await startRedisServer({ password: token });
  t.after(() => redis.stop());
  const args = ['bench', '--primary', `127.0.0.1:${redis.port}`, '--test-time', '0.5', '--warmup', '0', '--clients', '2', '--key-maximum', '100', '--auth-token-env', 'BENCH_TOKEN'];
  const ok = await runCli(['--output', 'json', ...args], { env: { BENCH_TOKEN: token } });
  assert.equal(ok.code, 0, ok.stderr);
  const report = JSON.parse(ok.stdout) as BenchReport;
  assert.ok(report.nodes[0]!.ops > 0);
  assert.equal(report.nodes[0]!.errors, 0);
  assert.equal(report.config.auth, true);
  assert.ok(!ok.stdout.includes(token) && !ok.stderr.includes(token), 'the token is never printed');

  const wrong = await runCli(args, { env: { BENCH_TOKEN: 'not-the-token' } });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /cannot connect to the primary .*(WRONGPASS|invalid password)/i);
  assert.ok(!wrong.stderr.includes('not-the-token'));

  const none = await runCli(args.slice(0, -2));
  assert.equal(none.code, 1);
  assert.match(none.stderr, /NOAUTH|Authentication required/i);
});
