/**
 * create-cluster --serverless: bad input is exit 2 with one line naming the flag, before
 * any API call. The endpoint is a closed port, so a call would be exit 1 (the control row).
 * The rows run in-process through the commander program (helpers/cli-in-process.ts); the
 * control and a few rows also run the real binary, which must answer byte for byte the same.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './helpers/cli.js';
import { runCliInProcess } from './helpers/cli-in-process.js';
import { freePort } from './helpers/ports.js';

let closedEndpoint: string;
const env: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: 'AKIATESTBADINPUT0000',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
};
const create = (args: string[]) =>
  runCli(['--endpoint-url', closedEndpoint, 'create-cluster', ...args], { env, timeoutMs: 60_000 });
const createInProcess = (args: string[]) =>
  runCliInProcess(['--endpoint-url', closedEndpoint, 'create-cluster', ...args], { env });
const ok = ['--allow-from', '10.0.0.0/16', '--yes'];

const ROWS: Array<[string[], RegExp]> = [
  [['s', '--serverless', '--node-type', 'cache.t3.micro', ...ok], /^--node-type cannot be used with --serverless/],
  [
    ['s', '--serverless', '--replicas', '2', '--shards', '2', ...ok],
    /^--replicas, --shards cannot be used with --serverless/,
  ],
  [['s', '--serverless', '--no-transit-encryption', ...ok], /--no-transit-encryption cannot be used.*always uses TLS/],
  [['s', '--serverless', '--auth-token-env', 'X', ...ok], /--auth-token-env cannot be used.*--user-group/],
  [
    ['s', '--max-ecpu-per-second', '5000', ...ok],
    /^--max-ecpu-per-second only applies to a serverless cache: add --serverless/,
  ],
  [['s', '--serverless', '--max-data-storage', '0', ...ok], /^--max-data-storage must be an integer 1-5000 \(got 0\)/],
  [
    ['s', '--serverless', '--max-ecpu-per-second', '20000000', ...ok],
    /^--max-ecpu-per-second must be an integer 1000-15000000/,
  ],
  [
    ['s', '--serverless', '--min-data-storage', '9', '--max-data-storage', '3', ...ok],
    /^--min-data-storage \(9 GB\) must not exceed/,
  ],
  [
    ['s', '--serverless', '--major-engine-version', 'latest', ...ok],
    /^--major-engine-version must be a major version number/,
  ],
  [['s', '--serverless', '--user-group', 'a--b', ...ok], /^--user-group must be a user group id/],
  [['s', '--serverless', '--yes'], /missing required values.*--allow-from/],
  [['s', '--serverless', '--allow-from', '10.0.0.0/16'], /no terminal to confirm on: pass --yes/],
];

/**
 * Rows that also run the real binary: a combination refused (commander parsed, the plan
 * refused), a range (commander's argParser), and the missing --yes without a terminal
 * (the real process's stdin is a pipe, not a TTY).
 */
const END_TO_END = [0, 5, 11];

before(async () => {
  closedEndpoint = `http://127.0.0.1:${await freePort()}`;
});

test('control: a valid serverless command against the closed endpoint makes a call and fails with exit 1', async () => {
  // Both ways: the in-process program reaches the network too, so its exit 2 below means "no call".
  const args = ['s', '--serverless', ...ok];
  for (const result of await Promise.all([create(args), createInProcess(args)])) {
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /connection refused|ECONNREFUSED/);
  }
});

test('every bad serverless row exits 2 with one line naming the flag, and calls nothing', async () => {
  for (const [args, pattern] of ROWS) {
    const result = await createInProcess(args);
    assert.equal(result.code, 2, `${args.join(' ')}: exit ${result.code}\n${result.stderr}`);
    const line = result.stderr.split('\n').find((l) => l.startsWith('elasticache-kit: '));
    assert.ok(line, `${args.join(' ')}: an error line`);
    assert.match(line.slice('elasticache-kit: '.length), pattern);
    assert.equal(result.stdout, '');
  }
});

test('the real binary answers some rows exactly as the in-process program does', async () => {
  await Promise.all(
    END_TO_END.map(async (index) => {
      const [args, pattern] = ROWS[index]!;
      const [child, inProcess] = await Promise.all([create(args), createInProcess(args)]);
      assert.equal(child.code, 2, `${args.join(' ')}: exit ${child.code}\n${child.stderr}`);
      assert.match(child.stderr, new RegExp(`^elasticache-kit: ${pattern.source.replace(/^\^/, '')}`, 'm'));
      assert.deepEqual(
        { code: inProcess.code, stdout: inProcess.stdout, stderr: inProcess.stderr },
        { code: child.code, stdout: child.stdout, stderr: child.stderr },
        args.join(' '),
      );
    }),
  );
});
