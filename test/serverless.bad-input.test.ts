/**
 * create-cluster --serverless: bad input is exit 2 with one line naming the flag, before
 * any API call. The endpoint is a closed port, so a call would be exit 1 (the control row).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './helpers/cli.js';
import { freePort } from './helpers/ports.js';

let closedEndpoint: string;
const env: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: 'AKIATESTBADINPUT0000',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
};
const create = (args: string[]) =>
  runCli(['--endpoint-url', closedEndpoint, 'create-cluster', ...args], { env, timeoutMs: 60_000 });
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

before(async () => {
  closedEndpoint = `http://127.0.0.1:${await freePort()}`;
});

test('control: a valid serverless command against the closed endpoint makes a call and fails with exit 1', async () => {
  const result = await create(['s', '--serverless', ...ok]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /connection refused|ECONNREFUSED/);
});

test('every bad serverless row exits 2 with one line naming the flag, and calls nothing', async () => {
  for (let i = 0; i < ROWS.length; i += 4) {
    await Promise.all(
      ROWS.slice(i, i + 4).map(async ([args, pattern]) => {
        const result = await create(args);
        assert.equal(result.code, 2, `${args.join(' ')}: exit ${result.code}\n${result.stderr}`);
        const line = result.stderr.split('\n').find((l) => l.startsWith('elasticache-kit: '));
        assert.ok(line, `${args.join(' ')}: an error line`);
        assert.match(line.slice('elasticache-kit: '.length), pattern);
        assert.equal(result.stdout, '');
      }),
    );
  }
});
