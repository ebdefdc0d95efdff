import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './helpers/cli.js';

test('--help lists every command and the global options', async () => {
  const result = await runCli(['--help']);
  assert.equal(result.code, 0);
  for (const name of [
    'create-cluster',
    'endpoints',
    'bench',
    'local',
    'demo',
    'wait',
    'list',
    'failover',
    'scale',
    'delete-cluster',
  ]) {
    assert.match(result.stdout, new RegExp(`^  ${name}\\b`, 'm'), `help lists ${name}`);
  }
  for (const flag of ['--region', '--profile', '--endpoint-url', '--local', '--output', '--no-color', '--debug']) {
    assert.ok(result.stdout.includes(flag), `help lists ${flag}`);
  }
});

test('--version prints the package version', async () => {
  const result = await runCli(['--version']);
  assert.equal(result.code, 0);
  assert.match(result.stdout.trim(), /^\d+\.\d+\.\d+/);
});

test('an unknown option is a usage error: exit 2, message on stderr, nothing on stdout', async () => {
  const result = await runCli(['--no-such-flag']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /unknown option '--no-such-flag'/);
  assert.equal(result.stdout, '');
});

test('--output accepts only json or table', async () => {
  const result = await runCli(['--output', 'yaml', 'list']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--output/);
  assert.match(result.stderr, /json/);
});
