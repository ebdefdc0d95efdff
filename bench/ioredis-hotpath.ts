/**
 * Why the hot path speaks RESP itself: the same closed loop (50 connections, GETs of
 * prefilled keys, pipeline 1 and 16) with ioredis (promises, explicit pipeline() of
 * `pipeline` GETs, auto-pipelining off) against our LoadConnection, alternating, on a
 * redis-server already running on PORT (default 6379). Prints ops/s and client CPU.
 *
 *   npm run build && PORT=6379 node dist/bench/ioredis-hotpath.js
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Workload } from '../src/bench/workload.js';
import { deleteKeysWithPrefix } from '../src/bench/control-connection.js';

const port = Number(process.env.PORT ?? 6379);
const seconds = Number(process.env.SECS ?? 3);
const clients = 50;
const keys = Array.from({ length: 10_000 }, (_, i) => `eck:bench:iohp:k:${i}`);

async function withIoredis(pipeline: number): Promise<{ opsPerSec: number; cpu: number }> {
  const conns = Array.from(
    { length: clients },
    () => new Redis({ port, host: '127.0.0.1', enableAutoPipelining: false, protocol: 2, disableClientInfo: true }),
  );
  await Promise.all(conns.map((c) => c.ping()));
  let ops = 0;
  let stop = false;
  const loop = async (c: Redis) => {
    while (!stop) {
      if (pipeline === 1) {
        await c.get(keys[Math.floor(Math.random() * keys.length)]!);
        ops++;
      } else {
        const p = c.pipeline();
        for (let i = 0; i < pipeline; i++) p.get(keys[Math.floor(Math.random() * keys.length)]!);
        await p.exec();
        ops += pipeline;
      }
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const loops = conns.map(loop);
  await sleep(seconds * 1000);
  stop = true;
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await Promise.all(loops);
  for (const c of conns) c.disconnect();
  return { opsPerSec: (ops * 1000) / elapsed, cpu: ((cpu.user + cpu.system) / 1000 / elapsed) * 100 };
}

async function withLoadConnection(pipeline: number): Promise<{ opsPerSec: number; cpu: number }> {
  const w = new Workload([{ id: 'p', role: 'primary', address: { host: '127.0.0.1', port } }], {
    clients,
    pipeline,
    sets: 0,
    gets: 1,
    dataSize: 32,
    keyMaximum: 10_000,
    keyPattern: 'R',
    readFrom: 'all',
    rate: 0,
    keyPrefix: 'eck:bench:iohp2:',
    ttlMs: 60_000,
    requestTimeoutMs: 5000,
    connectTimeoutMs: 2000,
  });
  await w.prefill(w.nodes[0]!);
  w.start();
  await sleep(300);
  const t0 = performance.now();
  w.beginMeasuring(t0);
  const cpu0 = process.cpuUsage();
  await sleep(seconds * 1000);
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const ops = w.stats.get('p')!.ops;
  await w.stop();
  return { opsPerSec: (ops * 1000) / elapsed, cpu: ((cpu.user + cpu.system) / 1000 / elapsed) * 100 };
}

const setup = new Redis({ port, host: '127.0.0.1' });
const fill = setup.pipeline();
for (const key of keys) fill.set(key, 'x'.repeat(32), 'PX', 120_000);
await fill.exec();
try {
  for (const pipeline of [1, 16]) {
    for (let round = 0; round < 2; round++) {
      const io = await withIoredis(pipeline);
      const ours = await withLoadConnection(pipeline);
      console.log(
        `P${pipeline} round ${round + 1}: ioredis ${Math.round(io.opsPerSec)} ops/s (client CPU ${io.cpu.toFixed(0)}%), LoadConnection ${Math.round(ours.opsPerSec)} ops/s (client CPU ${ours.cpu.toFixed(0)}%)`,
      );
    }
  }
} finally {
  await setup.unlink(...keys);
  await deleteKeysWithPrefix(setup, 'eck:bench:iohp2:');
  setup.disconnect();
}
