// The in-process forwarders: latency they add with no delay (measured and printed as
// test diagnostics), ordering and timing with a delay, half-close, connection cleanup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startRedisServer } from '../helpers/redis.js';
import { portIsFree } from '../helpers/ports.js';
import { RespConnection } from '../../src/local/resp.js';
import { DelayRelay } from '../../src/local/delay-relay.js';
import { TcpProxy } from '../../src/local/tcp-proxy.js';
import { ServerlessEndpoint } from '../../src/local/serverless-endpoint.js';
import { ensureTlsMaterial } from '../../src/local/tls-material.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOST = '127.0.0.1';
const execFileAsync = promisify(execFile);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * PING round trips measured from a separate process, so the client does not share the
 * event loop with the relay it measures (in-process figures look better than they are).
 */
async function pingRoundTrips(port: number, count: number): Promise<number[]> {
  const script = `
    const net = require('node:net');
    const socket = net.connect(${port}, '${HOST}', async () => {
      socket.setNoDelay(true);
      const samples = [];
      for (let i = 0; i < ${count} + 200; i++) {
        const start = performance.now();
        await new Promise((resolve) => { socket.once('data', resolve); socket.write('PING\\r\\n'); });
        if (i >= 200) samples.push(performance.now() - start);
      }
      process.stdout.write(JSON.stringify(samples));
      socket.destroy();
    });`;
  const { stdout } = await execFileAsync(process.execPath, ['-e', script], { timeout: 60_000 });
  return (JSON.parse(stdout) as number[]).sort((a, b) => a - b);
}

test('a relay with delay 0 adds negligible latency (PING round trips, direct vs through the relay)', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const relay = await DelayRelay.listen({ host: HOST, upstream: { host: HOST, port: redis.port }, delayMs: 0 });
  t.after(() => relay.close());

  const count = 2000;
  const direct = await pingRoundTrips(redis.port, count);
  const relayed = await pingRoundTrips(relay.port, count);
  const figure = (s: number[]) => `p50 ${percentile(s, 50).toFixed(3)} ms, p99 ${percentile(s, 99).toFixed(3)} ms`;
  const added = percentile(relayed, 50) - percentile(direct, 50);
  t.diagnostic(`direct:  ${figure(direct)}`);
  t.diagnostic(`relayed: ${figure(relayed)}`);
  t.diagnostic(`relay adds ${(added * 1000).toFixed(0)} µs at p50 (${count} PINGs each)`);
  // Generous bound for a shared 2-core machine: well under a millisecond per round trip.
  assert.ok(added < 1, `relay adds ${added.toFixed(3)} ms at p50`);
});

test('a delayed relay holds the upstream→client direction by delayMs, keeps order, not the other way', async (t) => {
  // An echo server stands in for the primary: what the client sends comes straight back.
  const received: number[] = [];
  const echo = createServer((socket) => {
    socket.on('data', (chunk) => {
      received.push(performance.now());
      socket.write(chunk);
    });
    socket.on('error', () => undefined);
  });
  echo.listen(0, HOST);
  await once(echo, 'listening');
  const echoPort = (echo.address() as { port: number }).port;
  t.after(() => echo.close());
  const relay = await DelayRelay.listen({ host: HOST, upstream: { host: HOST, port: echoPort }, delayMs: 80 });
  t.after(() => relay.close());

  const client = connect({ host: HOST, port: relay.port });
  t.after(() => client.destroy());
  await once(client, 'connect');
  const chunks: Buffer[] = [];
  let firstArrival = 0;
  client.on('data', (chunk: Buffer) => {
    firstArrival ||= performance.now();
    chunks.push(chunk);
  });

  const sentAt = performance.now();
  for (let i = 0; i < 50; i++) {
    client.write(`${i},`);
    await sleep(1);
  }
  while (firstArrival === 0) await sleep(5);
  // Client→upstream is not delayed (80 ms would show); upstream→client is, by 80 ms.
  assert.ok(received[0]! - sentAt < 60, `upstream got data after ${(received[0]! - sentAt).toFixed(1)} ms`);
  assert.ok(
    firstArrival - received[0]! >= 75,
    `echo came back ${(firstArrival - received[0]!).toFixed(1)} ms after the upstream sent it (delay 80)`,
  );
  const deadline = Date.now() + 3000;
  while (Buffer.concat(chunks).toString().split(',').length < 51 && Date.now() < deadline) await sleep(10);
  const numbers = Buffer.concat(chunks).toString().split(',').filter(Boolean).map(Number);
  assert.deepEqual(numbers, [...Array(50).keys()], 'order kept');
});

test('a relay re-pointed to another upstream drops its links; the next connection goes to the new one', async (t) => {
  const a = await startRedisServer();
  t.after(() => a.stop());
  const b = await startRedisServer();
  t.after(() => b.stop());
  const relay = await DelayRelay.listen({ host: HOST, upstream: { host: HOST, port: a.port }, delayMs: 5 });
  t.after(() => relay.close());

  const first = await RespConnection.open({ host: HOST, port: relay.port });
  t.after(() => first.close());
  await first.call('SET', 'where', 'a');
  relay.setUpstream({ host: HOST, port: b.port });
  await assert.rejects(first.call('PING'), 'old link closed');
  const second = await RespConnection.open({ host: HOST, port: relay.port });
  t.after(() => second.close());
  assert.equal(await second.call('GET', 'where'), null, 'now talking to b');
  assert.equal(relay.connectionCount, 1);
});

test('TcpProxy: half-close still delivers the reply; close() frees the port and drops clients', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const proxy = await TcpProxy.listen({ host: HOST, pickTarget: () => ({ host: HOST, port: redis.port }) });
  t.after(() => proxy.close());

  // Send a command and shut the write side at once (like `printf 'PING\r\n' | nc -N`).
  const socket: Socket = connect({ host: HOST, port: proxy.port, allowHalfOpen: true });
  const replies: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => replies.push(chunk));
  await once(socket, 'connect');
  socket.end('PING\r\n');
  await once(socket, 'end');
  assert.equal(Buffer.concat(replies).toString(), '+PONG\r\n');
  socket.destroy();

  const open = await RespConnection.open({ host: HOST, port: proxy.port });
  assert.equal(await open.call('PING'), 'PONG');
  await proxy.close();
  await assert.rejects(open.call('PING'));
  assert.ok(await portIsFree(proxy.port));

  // A proxy with no target refuses connections (the client sees a close, not a hang).
  const refusing = await TcpProxy.listen({ host: HOST, pickTarget: () => undefined });
  t.after(() => refusing.close());
  const refused = connect({ host: HOST, port: refusing.port });
  refused.on('error', () => undefined);
  await once(refused, 'close');
});

/** Whether `promise` settles within `ms` (a close() that waits on a stuck socket never does). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = await Promise.race([promise.then(() => true), late]);
  clearTimeout(timer);
  return settled;
}

test('close() ends connections the proxies do not hold yet: a first byte never sent, a TLS handshake never finished', async (t) => {
  // TcpProxy with a plain port: a connection waits for its first byte to pick TLS or plain.
  const proxy = await TcpProxy.listen({
    host: HOST,
    pickTarget: () => ({ host: HOST, port: 1, plainPort: 1 }),
  });
  const silent = connect({ host: HOST, port: proxy.port, allowHalfOpen: true });
  silent.on('error', () => undefined);
  t.after(() => silent.destroy());
  await once(silent, 'connect');
  await sleep(50);
  assert.equal(await settlesWithin(proxy.close(), 3000), true, 'TcpProxy.close() waited on a silent client');
  await once(silent, 'end');

  // A serverless endpoint (TLS): a client that connects, sends a few bytes and goes quiet.
  const stateDir = mkdtempSync(join(tmpdir(), 'eck-endpoint-'));
  t.after(() => rmSync(stateDir, { recursive: true, force: true }));
  const material = ensureTlsMaterial(stateDir, HOST);
  const endpoint = await ServerlessEndpoint.listen({
    host: HOST,
    tls: {
      cert: readFileSync(material.certFile),
      key: readFileSync(material.keyFile),
      ca: readFileSync(material.caCertFile),
    },
    target: () => undefined,
    limiter: () => undefined,
    name: 'test endpoint',
  });
  const stalled = connect({ host: HOST, port: endpoint.port, allowHalfOpen: true });
  stalled.on('error', () => undefined);
  t.after(() => stalled.destroy());
  await once(stalled, 'connect');
  stalled.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x40])); // the start of a ClientHello, no more
  await sleep(50);
  assert.equal(await settlesWithin(endpoint.close(), 3000), true, 'ServerlessEndpoint.close() waited on a handshake');
  await once(stalled, 'end');
});
