/**
 * The CLI against moto (`python3 -m moto.server`), another AWS emulator with its own gaps:
 * DescribeCacheEngineVersions is missing (an HTML 500: the built-in versions stand in, with a
 * warning), NumCacheClusters is ignored (one node: reported as fewer nodes than planned, exit 1),
 * there are no cache clusters (the group's NodeGroupMembers stand in), and a deleted group stays
 * `deleting` for ever (delete-cluster --no-wait). Skipped, with the reason, where moto is absent.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from './helpers/cli.js';
import { runCliInProcess } from './helpers/cli-in-process.js';
import { freePort } from './helpers/ports.js';

/** Why moto cannot run here, or undefined when it can. */
function motoMissing(): string | undefined {
  const probe = spawnSync('python3', ['-c', 'import moto.server'], { encoding: 'utf8' });
  if (probe.error) return `python3 is not available (${probe.error.message})`;
  if (probe.status !== 0) return probe.stderr.trim().split('\n').at(-1) ?? `exit ${probe.status}`;
  return undefined;
}

const missing = motoMissing();
let moto: ChildProcess | undefined;
let url = '';
const env = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
};
/** The built CLI as a child process: one run of each command the file covers. */
const cli = (args: string[]) => runCli(['--endpoint-url', url, ...args], { env });
/** The same commander program in-process, for the other runs. */
const cliIn = (args: string[]) => runCliInProcess(['--endpoint-url', url, ...args], { env });

/** Each test runs for real when moto is there; otherwise it says why it did not. */
function skipWithoutMoto(t: TestContext): boolean {
  if (missing === undefined) return false;
  t.skip(`moto is not installed: ${missing}`);
  return true;
}

// The two tests use groups of their own: they run side by side.
describe('against moto (python3 -m moto.server)', { concurrency: true }, () => {
  before(async () => {
    if (missing !== undefined) return;
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    moto = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    moto.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-2000)));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (moto.exitCode !== null) throw new Error(`moto.server exited: ${log}`);
      const up = await fetch(`${url}/moto-api/`).then(
        (response) => response.ok,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline) throw new Error(`moto.server did not answer in 30 s: ${log}`);
      await sleep(100);
    }
  });
  after(async () => {
    if (!moto || moto.exitCode !== null) return;
    moto.kill('SIGTERM');
    await once(moto, 'exit');
  });

  test('create-cluster (one node), endpoints, list, delete-cluster --no-wait', async (t) => {
    if (skipWithoutMoto(t)) return;
    const created = await cli([
      'create-cluster',
      'mo',
      '--replicas',
      '0',
      '--no-transit-encryption',
      '--allow-from',
      '10.0.0.0/16',
      '--yes',
      '--output',
      'json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /does not implement elasticache:DescribeCacheEngineVersions \(HTTP 500\)/);
    const topology = JSON.parse(created.stdout);
    assert.equal(topology.status, 'available');
    assert.equal(topology.nodes.length, 1);

    const endpoints = await cli(['endpoints', 'mo', '--format', 'json']);
    assert.equal(endpoints.code, 0, endpoints.stderr);
    assert.equal(JSON.parse(endpoints.stdout).primaryEndpoint.address, topology.primaryEndpoint.address);

    const listed = await cli(['list', '--output', 'json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(JSON.stringify(JSON.parse(listed.stdout)).includes('"mo"'), listed.stdout);

    // moto marks the group deleting and never removes it, so waiting would never end.
    const deleted = await cli(['delete-cluster', 'mo', '--yes', '--no-wait']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stderr, /deleting mo/);
    const after = await cliIn(['list', '--output', 'json']);
    assert.match(after.stdout, /"deleting"/);
  });

  test('moto ignores NumCacheClusters: 1 primary + 1 replica comes up with one node, and the run says so (exit 1)', async (t) => {
    if (skipWithoutMoto(t)) return;
    const result = await cliIn([
      'create-cluster',
      'short',
      '--replicas',
      '1',
      '--no-transit-encryption',
      '--allow-from',
      '10.0.0.0/16',
      '--yes',
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /short is available with 1 node, not the 2 planned/);
  });
});
