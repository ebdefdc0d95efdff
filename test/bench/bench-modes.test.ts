/**
 * Workload modes and connection options against a real redis-server: --requests,
 * --rate (open loop), --hdr-out/--json files, AUTH from an environment variable (never
 * printed), a wrong token failing clearly, and TLS with certificate verification.
 * The real binary runs where the process is the subject (a measured rate, a secret never
 * printed); the other runs are the same commander program in this process (runCliInProcess).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACED_LOAD, runCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { startRedisServer } from '../helpers/redis.js';
import { freePort } from '../helpers/ports.js';
import type { BenchReport } from '../../src/bench/report.js';

test('--rate runs open loop at that rate', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const result = await runCli([
    '--output',
    'json',
    'bench',
    '--primary',
    `127.0.0.1:${redis.port}`,
    '--threads',
    '1',
    '--rate',
    '3000',
    '--test-time',
    '1.5',
    '--warmup',
    '0.3',
    '--clients',
    '3',
    '--key-maximum',
    '500',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as BenchReport;
  const rate = report.nodes[0]!.opsPerSec;
  assert.ok(rate > 3000 * 0.7 && rate < 3000 * 1.15, `about 3000 ops/s (got ${rate})`);
});

// The rest, each with a redis-server of its own, side by side (the rate above is measured alone).
describe('workload modes and connection options', { concurrency: true }, () => {
  test('--requests stops after that many requests; --hdr-out and --json write files', async (t) => {
    const redis = await startRedisServer();
    t.after(() => redis.stop());
    const dir = mkdtempSync(join(tmpdir(), 'eck-bench-out-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const result = await runCliInProcess([
      'bench',
      '--primary',
      `127.0.0.1:${redis.port}`,
      '--requests',
      '5000',
      '--threads',
      '1',
      '--clients',
      '5',
      '--pipeline',
      '4',
      '--warmup',
      '0',
      '--key-maximum',
      '500',
      '--key-pattern',
      'S',
      '--ratio',
      '1:1',
      '--hdr-out',
      join(dir, 'lat-'),
      '--json',
      join(dir, 'report.json'),
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^node\s+role\s+address\s+ops\/s/m, 'a table on stdout');
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as BenchReport;
    const node = report.nodes[0]!;
    assert.equal(node.ops + node.errors, 5000, 'exactly --requests requests');
    assert.ok(Math.abs(node.sets - node.gets) <= 20, `1:1 mix (${node.sets} SETs, ${node.gets} GETs)`);
    assert.equal(node.misses, 0, 'the prefilled keys hit');
    assert.deepEqual(report.replication, []);
    const hgrm = readFileSync(join(dir, 'lat-primary.hgrm'), 'utf8');
    assert.match(hgrm, /^\s+Value\s+Percentile\s+TotalCount\s+1\/\(1-Percentile\)/);
    assert.match(hgrm, /#\[Max {5}=\s+[\d.]+, Total count {4}=\s+5000\]/);
  });

  test('AUTH token from an environment variable; never printed; a wrong one fails with exit 1', async (t) => {
    const token = 'bench-secret-token-0123456789';
    const redis = await startRedisServer({ password: token });
    t.after(() => redis.stop());
    const args = [
      'bench',
      '--primary',
      `127.0.0.1:${redis.port}`,
      '--test-time',
      '0.5',
      '--warmup',
      '0',
      '--clients',
      '2',
      '--key-maximum',
      '100',
      ...PACED_LOAD,
      '--auth-token-env',
      'BENCH_TOKEN',
    ];
    const ok = await runCli(['--output', 'json', ...args], { env: { BENCH_TOKEN: token } });
    assert.equal(ok.code, 0, ok.stderr);
    const report = JSON.parse(ok.stdout) as BenchReport;
    assert.ok(report.nodes[0]!.ops > 0);
    assert.equal(report.nodes[0]!.errors, 0);
    assert.equal(report.config.auth, true);
    assert.ok(!ok.stdout.includes(token) && !ok.stderr.includes(token), 'the token is never printed');

    const wrong = await runCliInProcess(args, { env: { BENCH_TOKEN: 'not-the-token' } });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /cannot connect to the primary .*(WRONGPASS|invalid password)/i);
    assert.ok(!wrong.stderr.includes('not-the-token'));

    const none = await runCliInProcess(args.slice(0, -2));
    assert.equal(none.code, 1);
    assert.match(none.stderr, /NOAUTH|Authentication required/i);
  });

  test('TLS: --tls --ca --servername verifies; without the CA it fails; --insecure warns', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'eck-bench-tls-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '1',
      '-subj',
      '/CN=eck-test-ca',
    );
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=cache.internal',
    );
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:cache.internal\n');
    openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '1',
      '-extfile',
      'ext.cnf',
    );
    const tlsPort = await freePort();
    const redis = await startRedisServer({
      args: [
        '--tls-port',
        String(tlsPort),
        '--tls-cert-file',
        join(dir, 'server.crt'),
        '--tls-key-file',
        join(dir, 'server.key'),
        '--tls-ca-cert-file',
        join(dir, 'ca.crt'),
        '--tls-auth-clients',
        'no',
      ],
    });
    t.after(() => redis.stop());
    const base = [
      'bench',
      '--primary',
      `127.0.0.1:${tlsPort}`,
      '--tls',
      '--test-time',
      '0.5',
      '--warmup',
      '0',
      '--clients',
      '2',
      '--key-maximum',
      '100',
      ...PACED_LOAD,
    ];
    const verified = await runCliInProcess([
      '--output',
      'json',
      ...base,
      '--ca',
      join(dir, 'ca.crt'),
      '--servername',
      'cache.internal',
    ]);
    assert.equal(verified.code, 0, verified.stderr);
    const report = JSON.parse(verified.stdout) as BenchReport;
    assert.ok(report.nodes[0]!.ops > 0 && report.nodes[0]!.errors === 0);
    assert.equal(report.config.tls, true);

    const unverified = await runCliInProcess(base);
    assert.equal(unverified.code, 1);
    assert.match(unverified.stderr, /cannot connect to the primary .*certificate/);

    const insecure = await runCliInProcess(base.concat('--insecure'));
    assert.equal(insecure.code, 0, insecure.stderr);
    assert.match(insecure.stderr, /warning: --insecure: the server certificate is not verified/);
  });

  test('large values: replies split across reads are parsed (every GET a hit, no error)', async (t) => {
    const redis = await startRedisServer();
    t.after(() => redis.stop());
    const result = await runCliInProcess([
      '--output',
      'json',
      'bench',
      '--primary',
      `127.0.0.1:${redis.port}`,
      '--data-size',
      '150001',
      '--pipeline',
      '3',
      '--clients',
      '2',
      '--key-maximum',
      '20',
      '--ratio',
      '1:3',
      '--test-time',
      '0.7',
      '--warmup',
      '0',
      // Paced: 150 KB values are what is tested, not how many go through.
      '--threads',
      '1',
      '--rate',
      '300',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const node = (JSON.parse(result.stdout) as BenchReport).nodes[0]!;
    assert.ok(node.gets > 20 && node.sets > 5, `${node.sets} SETs, ${node.gets} GETs`);
    assert.equal(node.hits, node.gets);
    assert.equal(node.misses, 0);
    assert.equal(node.errors, 0);
  });
});
