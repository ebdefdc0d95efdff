// GroupRuntime against real redis-server processes: replication, endpoints, delay relay,
// failover, AUTH, stop. Every group is stopped in t.after, also when an assertion fails.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GroupRuntime, killOrphans, type GroupRuntimeOptions } from '../../src/local/group-runtime.js';
import { findEngineBinary } from '../../src/local/engine-binary.js';
import { RedisNode } from '../../src/local/redis-node.js';
import { parseInfo, RespConnection, respCommand, type RespValue } from '../../src/local/resp.js';
import { portIsFree } from '../helpers/ports.js';

const HOST = '127.0.0.1';
const binary = findEngineBinary('redis');

async function startGroup(t: TestContext, overrides: Partial<GroupRuntimeOptions> = {}): Promise<GroupRuntime> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eck-group-'));
  const groupId = overrides.groupId ?? 'demo';
  let runtime: GroupRuntime | undefined;
  t.after(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  runtime = await GroupRuntime.start({
    groupId,
    nodeIds: [`${groupId}-001`, `${groupId}-002`, `${groupId}-003`],
    engineBinary: binary.path,
    host: HOST,
    dataDir,
    replicationDelayMs: 0,
    ...overrides,
  });
  return runtime;
}

async function waitInSync(runtime: GroupRuntime, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await runtime.inSync())) {
    if (Date.now() > deadline)
      throw new Error(`group not in sync after ${timeoutMs} ms: ${JSON.stringify(runtime.nodes())}`);
    await sleep(50);
  }
}

function command(port: number, password?: string, ...args: (string | number)[]): Promise<RespValue> {
  return respCommand({ host: HOST, port, password }, ...args);
}

/** Polls GET on `port` until it returns `value` (or the timeout passes); returns the elapsed ms. */
async function waitForValue(
  port: number,
  key: string,
  value: string,
  timeoutMs = 5000,
  password?: string,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    if ((await command(port, password, 'GET', key)) === value) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`${key} never became ${value} on port ${port}`);
    await sleep(5);
  }
}

/** The node port a connection through `endpointPort` landed on. */
async function landedOn(endpointPort: number, password?: string): Promise<number> {
  const info = parseInfo(String(await command(endpointPort, password, 'INFO', 'server')));
  return Number(info.get('tcp_port'));
}

function processAlive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

test('a 1+2 group replicates; endpoints route to the primary and across replicas; stop frees everything', async (t) => {
  const runtime = await startGroup(t);
  const nodes = runtime.nodes();
  assert.deepEqual(
    nodes.map((n) => [n.nodeId, n.role]),
    [
      ['demo-001', 'primary'],
      ['demo-002', 'replica'],
      ['demo-003', 'replica'],
    ],
  );
  await waitInSync(runtime);
  assert.equal(await landedOn(runtime.primaryEndpoint.port), nodes[0]!.port);

  assert.equal(await command(runtime.primaryEndpoint.port, undefined, 'SET', 'greeting', 'hello'), 'OK');
  for (const replica of nodes.slice(1)) await waitForValue(replica.port, 'greeting', 'hello');
  assert.equal(await command(runtime.readerEndpoint.port, undefined, 'GET', 'greeting'), 'hello');
  // Replicas are read-only: a write through the reader endpoint is refused.
  await assert.rejects(command(runtime.readerEndpoint.port, undefined, 'SET', 'x', '1'), /READONLY/);

  const landed = new Map<number, number>();
  for (let i = 0; i < 6; i++) {
    const port = await landedOn(runtime.readerEndpoint.port);
    landed.set(port, (landed.get(port) ?? 0) + 1);
  }
  assert.deepEqual(
    [...landed.keys()].sort(),
    [nodes[1]!.port, nodes[2]!.port].sort(),
    'reader endpoint uses both replicas only',
  );
  assert.deepEqual([...landed.values()], [3, 3], 'round robin');

  const ports = [
    ...nodes.map((n) => n.port),
    runtime.primaryEndpoint.port,
    runtime.readerEndpoint.port,
    ...runtime.relayPorts(),
  ];
  const pids = runtime.pids();
  assert.equal(pids.length, 3);
  const open = await RespConnection.open({ host: HOST, port: runtime.primaryEndpoint.port });
  t.after(() => open.close());
  await runtime.stop();
  await runtime.stop(); // idempotent
  for (const pid of pids) assert.ok(!processAlive(pid), `pid ${pid} is gone`);
  for (const port of ports) assert.ok(await portIsFree(port), `port ${port} is free`);
  await assert.rejects(open.call('PING'), 'connections through the endpoint are closed');
});

test('replicationDelayMs delays the stream primary→replica', async (t) => {
  const runtime = await startGroup(t, { groupId: 'slow', replicationDelayMs: 50 });
  await waitInSync(runtime);
  const [primary, replica] = runtime.nodes();
  const writer = await RespConnection.open({ host: HOST, port: primary!.port });
  const reader = await RespConnection.open({ host: HOST, port: replica!.port });
  t.after(() => {
    writer.close();
    reader.close();
  });
  // Timings count from the moment the SET was sent, so a slow event loop on a busy
  // machine can only make a "not yet visible" check inconclusive, never wrong.
  let earlyChecks = 0;
  for (let i = 0; i < 5; i++) {
    const key = `delayed-${i}`;
    const sentAt = performance.now();
    await writer.call('SET', key, 'v');
    await sleep(5);
    const early = await reader.call('GET', key);
    if (performance.now() - sentAt < 40) {
      assert.equal(early, null, 'not visible on the replica a few ms after the write');
      earlyChecks++;
    }
    let elapsed: number;
    for (;;) {
      const value = await reader.call('GET', key);
      elapsed = performance.now() - sentAt;
      if (value === 'v') break;
      assert.ok(elapsed < 3000, 'visible within 3 s');
      await sleep(2);
    }
    assert.ok(elapsed >= 45, `visible only after about the delay (took ${elapsed.toFixed(1)} ms, delay 50)`);
    assert.ok(elapsed < 1000, `visible well within a second (took ${elapsed.toFixed(1)} ms)`);
  }
  assert.ok(earlyChecks > 0, 'at least one early read happened inside the delay window');
});

test('failover promotes a replica, re-points the endpoints, and the old primary comes back as a replica', async (t) => {
  const runtime = await startGroup(t, { groupId: 'fo', replicationDelayMs: 10 });
  await waitInSync(runtime);
  const before = runtime.nodes();
  for (let i = 0; i < 20; i++) await command(runtime.primaryEndpoint.port, undefined, 'SET', `before-${i}`, String(i));
  const oldConnection = await RespConnection.open({ host: HOST, port: runtime.primaryEndpoint.port });
  t.after(() => oldConnection.close());
  assert.equal(await oldConnection.call('PING'), 'PONG');

  const { newPrimary } = await runtime.failover();
  assert.notEqual(newPrimary, 'fo-001');
  const after = runtime.nodes();
  assert.deepEqual(
    after.map((n) => [n.nodeId, n.role]),
    before.map((n) => [n.nodeId, n.nodeId === newPrimary ? 'primary' : 'replica']),
  );
  assert.deepEqual(
    after.map((n) => n.port),
    before.map((n) => n.port),
    'node ports are stable',
  );
  assert.notEqual(after[0]!.pid, before[0]!.pid, 'the old primary was restarted');
  await assert.rejects(oldConnection.call('PING'), 'connections to the old primary are closed');

  const promoted = after.find((n) => n.nodeId === newPrimary)!;
  assert.equal(await landedOn(runtime.primaryEndpoint.port), promoted.port);
  assert.equal(await command(runtime.primaryEndpoint.port, undefined, 'SET', 'after', 'yes'), 'OK');
  for (let i = 0; i < 20; i++)
    assert.equal(await command(runtime.primaryEndpoint.port, undefined, 'GET', `before-${i}`), String(i));

  await waitInSync(runtime);
  for (const node of after.filter((n) => n.role === 'replica')) {
    await waitForValue(node.port, 'after', 'yes');
    assert.equal(await command(node.port, undefined, 'GET', 'before-7'), '7', `${node.nodeId} has the old data`);
    const info = parseInfo(String(await command(node.port, undefined, 'INFO', 'replication')));
    assert.equal(info.get('role'), 'slave');
  }
  assert.ok(!after.some((n) => n.role === 'primary' && n.port === before[0]!.port));

  // A second failover, to an explicit target: back to the first node.
  const second = await runtime.failover('fo-001');
  assert.equal(second.newPrimary, 'fo-001');
  assert.equal(await landedOn(runtime.primaryEndpoint.port), before[0]!.port);
  assert.equal(await command(runtime.primaryEndpoint.port, undefined, 'GET', 'after'), 'yes');
  await waitInSync(runtime);
  await assert.rejects(runtime.failover('no-such-node'), /not a replica/);
});

test('authToken: AUTH is enforced everywhere, the token stays out of argv, configs are 0600', async (t) => {
  const token = 'local-auth-token-0123456789';
  const runtime = await startGroup(t, { groupId: 'auth', authToken: token });
  await waitInSync(runtime); // replicas authenticate to the primary (masterauth) through the relays
  await assert.rejects(command(runtime.primaryEndpoint.port, undefined, 'GET', 'k'), /NOAUTH/);
  await assert.rejects(command(runtime.readerEndpoint.port, undefined, 'GET', 'k'), /NOAUTH/);
  await assert.rejects(
    command(runtime.primaryEndpoint.port, 'wrong-token-000000', 'PING'),
    /WRONGPASS|invalid password/,
  );
  assert.equal(await command(runtime.primaryEndpoint.port, token, 'SET', 'k', 'v'), 'OK');
  for (const node of runtime.nodes().slice(1)) await waitForValue(node.port, 'k', 'v', 5000, token);
  for (const pid of runtime.pids()) {
    assert.ok(!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(token), `token not in argv of ${pid}`);
  }
  for (const node of runtime.nodes()) {
    const dir = String(parseInfo(String(await command(node.port, token, 'INFO', 'server'))).get('config_file'));
    assert.equal(statSync(dir).mode & 0o777, 0o600, `${dir} is 0600`);
    assert.ok(readFileSync(dir, 'utf8').includes('requirepass'));
  }
});

test('findEngineBinary: a bogus explicit path is a one-line error with the install hint', () => {
  assert.throws(
    () => findEngineBinary('redis', '/nonexistent/redis-server'),
    (error: Error) =>
      !error.message.includes('\n') &&
      error.message.includes('/nonexistent/redis-server') &&
      error.message.includes('sudo apt-get install -y redis-server') &&
      error.message.includes('--redis-server PATH'),
  );
  assert.match(binary.version, /^\d+\.\d+\.\d+/);
  assert.equal(findEngineBinary('redis', binary.path).path, binary.path);
});

test('killOrphans kills leftover engine processes and nothing else', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'eck-orphan-'));
  const node = await RedisNode.start({ binary: binary.path, host: HOST, dir });
  t.after(async () => {
    await node.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const killed = await killOrphans([node.pid, process.pid, 999_999_999]);
  assert.deepEqual(killed, [node.pid]);
  await node.exited;
  assert.ok(await portIsFree(node.port));
});

test('RedisNode with clusterBus: the bus port it picked is the one the node listens on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'eck-bus-'));
  const node = await RedisNode.start({
    binary: binary.path,
    host: HOST,
    dir,
    clusterBus: true,
    extraConfig: ['cluster-enabled yes', 'cluster-config-file "nodes.conf"'],
  });
  t.after(async () => {
    await node.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  assert.ok(node.busPort && node.busPort !== node.port);
  assert.deepEqual(await node.command('CONFIG', 'GET', 'cluster-port'), ['cluster-port', String(node.busPort)]);
  assert.equal(await portIsFree(node.busPort), false, 'the bus listens');
});
