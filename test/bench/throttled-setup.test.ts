/**
 * A serverless cache at its ECPU/s limit throttles every command, those a client sends as it
 * connects too (AUTH, CLIENT SETNAME, READONLY, INFO). bench's connections must come through
 * that: a control connection connects (no INFO ready check to fail it, PING and READONLY again
 * while throttled) and is READONLY when it says it is; a load connection sends no request
 * before its READONLY is taken (those would be answered MOVED and follow redirections).
 * Once, in CI, a throttled connect left ioredis connections reconnecting after bench had
 * given up on them, and the finished bench never exited.
 *
 * Real parts: a TLS cluster-enabled redis-server behind the emulator's serverless endpoint,
 * whose limiter runs on a clock the test holds still (an empty bucket stays empty) and then
 * moves on by a second (the bucket refills).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisNode } from '../../src/local/redis-node.js';
import { ServerlessEndpoint } from '../../src/local/serverless-endpoint.js';
import { EcpuLimiter } from '../../src/local/ecpu-limiter.js';
import { ensureTlsMaterial } from '../../src/local/tls-material.js';
import { closeControl, connectControl } from '../../src/bench/control-connection.js';
import { LoadConnection, RunControl } from '../../src/bench/load-connection.js';
import { Keyspace, KeyPicker, RatioSequence } from '../../src/bench/keyspace.js';
import { NodeStats } from '../../src/bench/stats.js';
import { copyTlsMaterial } from '../helpers/emulator.js';
import { REDIS_SERVER } from '../helpers/redis.js';

const HOST = '127.0.0.1';

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

test('connections set up through a throttled serverless endpoint: control connections connect READONLY, load waits for its READONLY', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'eck-throttled-'));
  t.after(() => rmSync(stateDir, { recursive: true, force: true }));
  copyTlsMaterial(stateDir);
  // The copied material is kept as it is: this only names its files.
  const material = ensureTlsMaterial(stateDir, HOST);
  const ca = readFileSync(material.caCertFile);
  const node = await RedisNode.start({
    binary: REDIS_SERVER,
    host: HOST,
    dir: join(stateDir, 'node'),
    tls: { mode: 'required', certFile: material.certFile, keyFile: material.keyFile, caCertFile: material.caCertFile },
    clusterBus: true,
    extraConfig: ['cluster-enabled yes', 'tls-cluster yes'],
  });
  t.after(() => node.stop(1000));
  await node.command('CLUSTER', 'ADDSLOTSRANGE', 0, 16383);
  await until(async () => /cluster_state:ok/.test(String(await node.command('CLUSTER', 'INFO'))), 'cluster_state:ok');

  // The bucket starts full; the clock stands still until the test moves it.
  let clock = 0;
  const limiter = new EcpuLimiter(1000, () => clock);
  const endpoint = await ServerlessEndpoint.listen({
    host: HOST,
    tls: { cert: readFileSync(material.certFile), key: readFileSync(material.keyFile), ca },
    target: () => ({ host: HOST, port: node.port }),
    limiter: () => limiter,
    name: 'throttled endpoint',
  });
  t.after(() => endpoint.close());
  const address = { host: HOST, port: endpoint.port, tls: { ca } };
  /** The node's clients with READONLY in force (flag r), other than the one asking. */
  const readOnlyClients = async () =>
    String(await node.command('CLIENT', 'LIST'))
      .split('\n')
      .filter((line) => / flags=[A-Za-z]*r/.test(line)).length;

  // A control connection whose set-up commands are throttled.
  limiter.charge(1000); // the bucket emptied
  const connecting = connectControl(address, 'eck-test-control', true);
  await until(() => endpoint.throttledCount >= 2, 'the connect to be throttled');
  clock += 1000;
  const control = await connecting;
  try {
    assert.equal(await control.get('eck:absent'), null, 'a read answered, not MOVED');
    assert.equal(await readOnlyClients(), 1, 'the control connection is READONLY');
  } finally {
    closeControl(control);
  }
  await until(async () => (await readOnlyClients()) === 0, 'the control connection to close');

  // A load connection (GETs only) whose READONLY is throttled.
  limiter.charge(1000); // and again (what the control connection used is not back: the clock stood still)
  const throttledBefore = endpoint.throttledCount;
  const value = Buffer.alloc(16, 'v');
  const keyspace = new Keyspace({ prefix: 'eck:bench:throttled:', keyMaximum: 10, value, ttlMs: 60_000 });
  const stats = new NodeStats();
  const runControl = new RunControl();
  runControl.recording = true;
  runControl.limit = 5;
  const done = new Promise<void>((resolve) => (runControl.onLimitReached = resolve));
  const load = new LoadConnection(
    address,
    {
      keyspace,
      keys: new KeyPicker('S', 10, 0),
      ratio: new RatioSequence(0, 1),
      readOnly: true,
      pipeline: 1,
      ratePerSecond: 0,
      requestTimeoutMs: 5000,
      connectTimeoutMs: 2000,
    },
    stats,
    runControl,
  );
  t.after(() => load.close());
  load.start();
  // READONLY is throttled, and tried again after a pause (25 ms, then 50, 100…).
  await until(() => endpoint.throttledCount >= throttledBefore + 2, 'READONLY to be throttled twice');
  assert.equal(stats.throttled, 0, 'no GET was sent before READONLY was taken');
  assert.equal(stats.gets + stats.errors, 0, 'nothing answered but READONLY');
  clock += 1000;
  await done;
  assert.equal(stats.gets, 5, 'the 5 GETs were answered');
  assert.equal(stats.misses, 5, 'as misses on the node (no key), not MOVED');
  assert.equal(stats.errors + stats.throttled + stats.moved, 0);
  assert.equal(await readOnlyClients(), 1, 'the load connection is READONLY');
});
