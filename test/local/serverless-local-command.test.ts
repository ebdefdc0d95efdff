/**
 * `local status` lists serverless caches (name, endpoint, reader endpoint) and `local stop`
 * stops their processes, through the built CLI against a background emulator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateServerlessCacheCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { runCli } from '../helpers/cli.js';
import { freePort, portIsFree } from '../helpers/ports.js';
import { waitForServerlessCache } from '../helpers/serverless.js';
import { groupPids, processAlive, readState } from '../../src/local/state.js';
import { stopEmulator } from '../../src/local/stopper.js';

test('local status lists serverless caches; local stop stops their processes and frees their ports', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'eck-local-'));
  const port = await freePort();
  const env = { ELASTICACHE_KIT_STATE_DIR: stateDir, ELASTICACHE_KIT_LOCAL_PORT: String(port) };
  const url = `http://127.0.0.1:${port}`;
  const elasticache = new ElastiCacheClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
  });
  t.after(async () => {
    elasticache.destroy();
    await stopEmulator(stateDir);
    await rm(stateDir, { recursive: true, force: true });
  });

  const started = await runCli(['local', 'start'], { env });
  assert.equal(started.code, 0, started.stderr);
  await elasticache.send(new CreateServerlessCacheCommand({ ServerlessCacheName: 'cli-cache', Engine: 'valkey' }));
  const cache = await waitForServerlessCache(elasticache, 'cli-cache', 'available');

  const status = await runCli(['--output', 'json', 'local', 'status'], { env });
  assert.equal(status.code, 0, status.stderr);
  const report = JSON.parse(status.stdout);
  assert.equal(report.serverlessCaches.length, 1);
  const listed = report.serverlessCaches[0];
  assert.equal(listed.name, 'cli-cache');
  assert.equal(listed.status, 'available');
  assert.deepEqual(listed.endpoint, { address: cache.Endpoint!.Address, port: cache.Endpoint!.Port });
  assert.deepEqual(listed.readerEndpoint, { address: cache.ReaderEndpoint!.Address, port: cache.ReaderEndpoint!.Port });
  const table = await runCli(['local', 'status'], { env });
  assert.match(table.stdout, /Serverless caches\s+1/);
  assert.match(
    table.stdout,
    new RegExp(
      `cli-cache\\s+us-east-1\\s+available\\s+valkey \\S+\\s+127\\.0\\.0\\.1:${cache.Endpoint!.Port}\\s+127\\.0\\.0\\.1:${cache.ReaderEndpoint!.Port}`,
    ),
  );

  const nodePids = groupPids(readState(stateDir));
  assert.equal(nodePids.length, 2, 'both nodes are in the state file');
  const nodePorts: number[] = listed.nodes.map((node: { port: number }) => node.port);
  const stopped = await runCli(['local', 'stop'], { env });
  assert.equal(stopped.code, 0, stopped.stderr);
  for (const pid of [report.pid as number, ...nodePids]) assert.equal(processAlive(pid), false, `pid ${pid} is gone`);
  for (const freed of [port, cache.Endpoint!.Port!, cache.ReaderEndpoint!.Port!, ...nodePorts])
    assert.equal(await portIsFree(freed), true, `port ${freed} is free`);
  assert.deepEqual(readState(stateDir).serverlessCaches, [], 'the state forgets stopped caches');
});
