/**
 * What a serverless cache's Endpoint costs locally: redis-benchmark --tls ops/s through a
 * serverless cache's Endpoint (TLS terminated, requests parsed and counted for the ECPU
 * limit, TLS again to the cluster's primary) against a standalone TLS redis-server with the
 * same certificate, as a ratio. No ECPU maximum is set, so nothing is throttled; rounds
 * alternate the two targets so other load on the machine hits both; medians are compared.
 * Not a test; run it by hand:
 *
 *   npm run build && node dist/bench/serverless-endpoint.js [--rounds 2] [--clients 1,50]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateServerlessCacheCommand,
  DescribeServerlessCachesCommand,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import { RedisNode } from '../src/local/redis-node.js';
import { startEmulator } from '../src/local/server.js';
import { ensureTlsMaterial } from '../src/local/tls-material.js';
import { exec, flag, median } from './script-kit.js';

const REDIS_BENCHMARK = process.env.REDIS_BENCHMARK ?? 'redis-benchmark';
const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';
const rounds = Number(flag('--rounds', '2'));
const clientCounts = flag('--clients', '1,50').split(',').map(Number);

async function redisBenchmark(port: number, clients: number, ca: string): Promise<number> {
  const requests = clients === 1 ? 5_000 : 30_000;
  const result = await exec(REDIS_BENCHMARK, [
    ...['-h', '127.0.0.1', '-p', String(port), '--tls', '--cacert', ca],
    ...['-c', String(clients), '-r', '10000', '-n', String(requests), '-t', 'set,get', '--csv'],
  ]);
  if (result.code !== 0) throw new Error(`redis-benchmark failed: ${result.stderr}`);
  const rps = result.stdout
    .trim()
    .split('\n')
    .filter((line) => /^"(SET|GET)"/.test(line))
    .map((line) => Number(line.split('","')[1]!.replace(/"/g, '')));
  if (rps.length === 0) throw new Error(`no figures in redis-benchmark output:\n${result.stdout}`);
  return rps.reduce((a, b) => a + b, 0) / rps.length;
}

const stateDir = mkdtempSync(join(tmpdir(), 'eck-serverless-bench-'));
const emulator = await startEmulator({ host: '127.0.0.1', port: 0, stateDir });
const elasticache = new ElastiCacheClient({
  region: 'us-east-1',
  endpoint: emulator.url,
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
let standalone: RedisNode | undefined;
try {
  await elasticache.send(new CreateServerlessCacheCommand({ ServerlessCacheName: 'bench', Engine: 'redis' }));
  let endpointPort: number | undefined;
  while (endpointPort === undefined) {
    const cache = (await elasticache.send(new DescribeServerlessCachesCommand({ ServerlessCacheName: 'bench' })))
      .ServerlessCaches![0]!;
    if (cache.Status === 'available') endpointPort = cache.Endpoint!.Port!;
    else await sleep(100);
  }
  const tls = ensureTlsMaterial(stateDir, '127.0.0.1');
  standalone = await RedisNode.start({
    binary: REDIS_SERVER,
    host: '127.0.0.1',
    dir: join(stateDir, 'standalone'),
    tls: { mode: 'required', certFile: tls.certFile, keyFile: tls.keyFile, caCertFile: tls.caCertFile },
  });
  console.log(
    `serverless Endpoint 127.0.0.1:${endpointPort} vs standalone TLS redis-server 127.0.0.1:${standalone.port}; redis-benchmark SET/GET, ${rounds} alternating rounds, medians\n`,
  );
  const rows: string[][] = [];
  for (const clients of clientCounts) {
    const viaEndpoint: number[] = [];
    const direct: number[] = [];
    for (let round = 0; round < rounds; round++) {
      viaEndpoint.push(await redisBenchmark(endpointPort, clients, tls.caCertFile));
      direct.push(await redisBenchmark(standalone.port, clients, tls.caCertFile));
      process.stderr.write(
        `  clients ${clients} round ${round + 1}: endpoint ${viaEndpoint.at(-1)!.toFixed(0)} / direct ${direct.at(-1)!.toFixed(0)}\n`,
      );
    }
    const [e, d] = [median(viaEndpoint), median(direct)];
    rows.push([String(clients), e.toFixed(0), d.toFixed(0), (e / d).toFixed(2)]);
  }
  console.log(['clients', 'endpoint ops/s', 'direct ops/s', 'endpoint/direct'].join('\t'));
  for (const row of rows) console.log(row.join('\t'));
} finally {
  await standalone?.stop();
  elasticache.destroy();
  await emulator.close();
  rmSync(stateDir, { recursive: true, force: true });
}
