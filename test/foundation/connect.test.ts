/**
 * Talking to AWS: a missing region or missing credentials is a one-line usage error
 * (exit 2) before any call, and --debug logs each API call without its parameters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { createAvailableGroup, startTestEmulator } from '../helpers/emulator.js';

/** An environment with no AWS configuration at all: no variables, no config files. */
async function bareEnv(t: { after(fn: () => Promise<void>): void }): Promise<NodeJS.ProcessEnv> {
  const home = await mkdtemp(join(tmpdir(), 'eck-home-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
  };
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_') && !(name in env)) env[name] = undefined;
  env.AWS_EC2_METADATA_DISABLED = 'true';
  return env;
}

test('no region anywhere: exit 2 with the three ways to give one', async (t) => {
  const result = await runCli(['list'], { env: await bareEnv(t) });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /no AWS region: pass --region, set AWS_REGION/);
  assert.equal(result.stderr.trim().split('\n').length, 1);
});

test('a region but no credentials: exit 2 saying how to get them, no stack trace', async (t) => {
  const result = await runCli(['--region', 'eu-west-1', 'list'], { env: await bareEnv(t) });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /no AWS credentials .*aws configure or aws sso login, or pass --local/);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});

test('a malformed region or endpoint URL is a usage error naming the flag', async (t) => {
  const env = await bareEnv(t);
  const region = await runCli(['--region', 'mars', 'list'], {
    env: { ...env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' },
  });
  assert.equal(region.code, 2);
  assert.match(region.stderr, /--region must look like us-east-1 \(got mars\)/);
  const url = await runCli(['--endpoint-url', 'ftp://x', '--region', 'us-east-1', 'list'], { env });
  assert.equal(url.code, 2);
  assert.match(url.stderr, /--endpoint-url must be an http:\/\/ or https:\/\/ URL/);
});

test('--debug logs every API call with its outcome, and never its parameters', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const result = await runCli(['--debug', '--endpoint-url', emulator.url, 'endpoints', 'missing-group'], {
    env: emulator.env,
  });
  assert.equal(result.code, 3);
  assert.match(result.stderr, /^debug: ElastiCache\.DescribeReplicationGroups → \S+ in \d+ ms$/m);
  assert.doesNotMatch(result.stderr, /missing-group.*debug|ReplicationGroupId/);
});

test('endpoints describes the group once: the call that finds its kind gives the Topology', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  await createAvailableGroup(emulator, { ReplicationGroupId: 'once', NumCacheClusters: 2 });
  const result = await runCli(['--debug', '--endpoint-url', emulator.url, 'endpoints', 'once'], { env: emulator.env });
  assert.equal(result.code, 0, result.stderr);
  const calls = result.stderr.match(/^debug: \S+/gm) ?? [];
  assert.deepEqual(calls, ['debug: ElastiCache.DescribeReplicationGroups', 'debug: ElastiCache.DescribeCacheClusters']);
});
