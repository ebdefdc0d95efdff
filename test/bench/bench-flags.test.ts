/**
 * Every bad bench flag is a usage error: exit 2, one line naming the flag and what it
 * accepts, nothing on stdout, and nothing contacted (the --primary port has no server).
 * The table runs in-process through the commander program; a few rows also run the real
 * binary, which must answer byte for byte the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { runCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { parseRatio, parseHostPort, parseSettings, parseTargetSpec } from '../../src/bench/options.js';

const TARGET = ['--primary', '127.0.0.1:1'];

const cases: Array<{ args: string[]; message: RegExp }> = [
  { args: [], message: /bench needs a target/ },
  { args: ['demo', '--primary', '127.0.0.1:6379'], message: /only one target/ },
  { args: ['--replica', '127.0.0.1:6380'], message: /--replica and --reader need --primary/ },
  { args: ['--primary', 'localhost'], message: /--primary must be host:port with a port 1-65535 \(got localhost\)/ },
  { args: ['--primary', '127.0.0.1:70000'], message: /--primary must be host:port/ },
  { args: [...TARGET, '--replica', 'x:0'], message: /--replica must be host:port/ },
  { args: [...TARGET, '--clients', '0'], message: /--clients must be an integer 1-1000 \(got 0\)/ },
  { args: [...TARGET, '--clients', 'many'], message: /--clients must be an integer 1-1000 \(got many\)/ },
  { args: [...TARGET, '--threads', '0'], message: /--threads must be an integer 1-256 \(got 0\)/ },
  {
    args: [...TARGET, '--threads', '257', '--clients', '1000'],
    message: /--threads must be an integer 1-256 \(got 257\)/,
  },
  { args: [...TARGET, '--threads', 'two'], message: /--threads must be an integer 1-256 \(got two\)/ },
  {
    args: [...TARGET, '--threads', '5', '--clients', '4'],
    message: /--threads must be at most --clients \(4\) \(got 5\)/,
  },
  { args: [...TARGET, '--pipeline', '1001'], message: /--pipeline must be an integer 1-1000 \(got 1001\)/ },
  { args: [...TARGET, '--ratio', '1-10'], message: /--ratio must be SET:GET/ },
  { args: [...TARGET, '--ratio', '0:0'], message: /--ratio must have at least one SET or GET/ },
  { args: [...TARGET, '--data-size', '0'], message: /--data-size must be an integer 1-1048576/ },
  {
    args: [...TARGET, '--pipeline', '1000', '--data-size', '1000000'],
    message: /--pipeline × --data-size must be at most 64 MiB per connection/,
  },
  { args: [...TARGET, '--key-maximum', '2.5'], message: /--key-maximum must be an integer 1-10000000/ },
  { args: [...TARGET, '--key-pattern', 'Z'], message: /--key-pattern must be one of R, G, S \(got Z\)/ },
  {
    args: [...TARGET, '--read-from', 'leader'],
    message: /--read-from must be one of primary, replicas, all \(got leader\)/,
  },
  { args: [...TARGET, '--test-time', '-1'], message: /--test-time must be a number 0.1-86400/ },
  { args: [...TARGET, '--test-time', '5', '--requests', '100'], message: /--test-time or --requests, not both/ },
  { args: [...TARGET, '--requests', '0'], message: /--requests must be an integer/ },
  { args: [...TARGET, '--rate', '-5'], message: /--rate must be an integer 0-10000000/ },
  { args: [...TARGET, '--warmup', 'soon'], message: /--warmup must be a number 0-3600/ },
  { args: [...TARGET, '--lag-probes', '5000'], message: /--lag-probes must be an integer 0-1000/ },
  { args: [...TARGET, '--key-prefix', 'a*b:'], message: /--key-prefix must be 4-100 characters/ },
  { args: [...TARGET, '--key-ttl', '5'], message: /--key-ttl must be an integer 10-604800/ },
  {
    args: [...TARGET, '--test-time', '600', '--key-ttl', '60'],
    message: /--key-ttl must be at least the run's length/,
  },
  { args: [...TARGET, '--insecure'], message: /--insecure needs --tls/ },
  { args: [...TARGET, '--ca', 'ca.pem'], message: /--ca needs --tls/ },
  { args: [...TARGET, '--user', 'app'], message: /--user needs a password/ },
  {
    args: [...TARGET, '--auth-token-env', 'A', '--auth-token-file', 'f'],
    message: /--auth-token-env or --auth-token-file, not both/,
  },
  {
    args: [...TARGET, '--auth-token-env', 'NOT_SET_ANYWHERE_XYZ'],
    message: /--auth-token-env NOT_SET_ANYWHERE_XYZ: the variable is not set/,
  },
  {
    args: [...TARGET, '--auth-token-file', '/nonexistent/token'],
    message: /--auth-token-file \/nonexistent\/token: cannot read it \(ENOENT\)/,
  },
  { args: [...TARGET, '--tls', '--ca', '/nonexistent/ca.pem'], message: /--ca cannot be read/ },
  { args: ['--from-config', '/nonexistent/web.config'], message: /\/nonexistent\/web.config/ },
  { args: ['bad_id!'], message: /replication group id must be/ },
  { args: ['demo', '--workers', 'bastions'], message: /--workers must be tag:Key=Value or instance ids/ },
  {
    args: [...TARGET, '--workers', 'tag:Role=bastion', '--results', 's3://b/p'],
    message: /--results must be s3:\/\/bucket\/prefix/,
  },
  { args: [...TARGET, '--results', 's3://bench-results/p'], message: /--results needs --workers/ },
  { args: [...TARGET, '--start-in', '5'], message: /--start-in needs --workers/ },
  { args: [...TARGET, '--worker-timeout', '60'], message: /--worker-timeout needs --workers/ },
  {
    args: [...TARGET, '--workers', 'tag:Role=bastion', '--start-in', '0'],
    message: /--start-in must be an integer 1-3600/,
  },
  {
    args: [...TARGET, '--worker', '--workers', 'tag:Role=bastion'],
    message: /--worker and --workers cannot be used together/,
  },
  { args: [...TARGET, '--start-at', '1767225600000'], message: /--start-at needs --worker/ },
  { args: ['merge', 'a.json', '--clients', '5'], message: /--clients does not apply to bench merge/ },
  { args: ['merge'], message: /bench merge needs worker result files/ },
];

const ENV = { AWS_ACCESS_KEY_ID: '', AWS_REGION: '' };

for (const { args, message } of cases) {
  test(`bench ${args.join(' ') || '(no target)'} → exit 2`, async () => {
    const result = await runCliInProcess(['bench', ...args], { env: ENV });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
  });
}

/** Rows that also run the real binary: no target, a range, a secret source. */
const END_TO_END = [
  '',
  '--primary 127.0.0.1:1 --clients 0',
  '--primary 127.0.0.1:1 --auth-token-env NOT_SET_ANYWHERE_XYZ',
];

test('the real binary answers these rows exactly as the in-process program does', async () => {
  const rows = cases.filter(({ args }) => END_TO_END.includes(args.join(' ')));
  assert.equal(rows.length, END_TO_END.length, 'every end-to-end row is in the table');
  await Promise.all(
    rows.map(async ({ args, message }) => {
      const child = await runCli(['bench', ...args], { env: ENV });
      const inProcess = await runCliInProcess(['bench', ...args], { env: ENV });
      assert.equal(child.code, 2, child.stderr);
      assert.match(child.stderr, message);
      assert.deepEqual(
        { code: inProcess.code, stdout: inProcess.stdout, stderr: inProcess.stderr },
        { code: child.code, stdout: child.stdout, stderr: child.stderr },
      );
    }),
  );
});

test('pure parsers: ratio, host:port, defaults', () => {
  assert.deepEqual(parseRatio('1:10'), { sets: 1, gets: 10 });
  assert.deepEqual(parseRatio('0:1'), { sets: 0, gets: 1 });
  assert.deepEqual(parseHostPort('--primary', '[::1]:6379'), { host: '::1', port: 6379 });
  assert.deepEqual(parseTargetSpec(undefined, { primary: 'h:1', replica: ['r:2'] }), {
    kind: 'direct',
    primary: { host: 'h', port: 1 },
    replicas: [{ host: 'r', port: 2 }],
  });
  const settings = parseSettings({}, 'abcd1234');
  assert.equal(settings.keyPrefix, 'eck:bench:abcd1234:');
  assert.equal(settings.clients, 50);
  assert.equal(
    settings.threads,
    Math.min(availableParallelism(), 50),
    '--threads defaults to the cores, capped by --clients',
  );
  assert.equal(parseSettings({ clients: 1 }, 'abcd1234').threads, 1);
  assert.equal(settings.readFrom, 'all');
  assert.ok(settings.keyTtlS >= settings.testTimeS + settings.warmupS);
});
