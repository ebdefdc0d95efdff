/**
 * bench on a serverless cache through the built CLI against the emulator (a real TLS
 * cluster behind an endpoint and a reader endpoint, ECPU/s enforced as usage limits):
 * writes go to the endpoint, reads to the reader endpoint, lag and stale reads are
 * measured between them, throttled requests are counted and are not errors, and the
 * ECPUs estimated from the commands stay within what the cache's limit let through.
 * The pricing rule itself has a unit test against the exact RESP bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateServerlessCacheCommand } from '@aws-sdk/client-elasticache';
import { PACED_LOAD, runCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { startTestEmulator } from '../helpers/emulator.js';
import { waitForServerlessCache } from '../helpers/serverless.js';
import { caCertPath } from '../../src/local/tls-material.js';
import { Keyspace } from '../../src/bench/keyspace.js';
import { commandBytes, estimateEcpus } from '../../src/bench/ecpu.js';
import type { BenchReport } from '../../src/bench/report.js';

test('ECPUs: 1 per KB of request plus reply, at least 1, from the exact bytes of the run’s commands', () => {
  const value = Buffer.alloc(1500, 'x');
  const keyspace = new Keyspace({ prefix: 'eck:bench:0a1b2c3d:', keyMaximum: 10_000, value, ttlMs: 305_000 });
  const out = Buffer.alloc(keyspace.maxCommandLength);
  const bytes = commandBytes(keyspace, value.length);
  assert.equal(bytes.set, keyspace.encodeSet(out, 0, 42) + '+OK\r\n'.length);
  assert.equal(bytes.getHit, keyspace.encodeGet(out, 0, 42) + `$1500\r\n${'x'.repeat(1500)}\r\n`.length);
  const estimate = estimateEcpus({ sets: 10, hits: 20, misses: 5 }, bytes, 2);
  // A 1.5 KB SET costs ~1.5 ECPUs; a miss (a few dozen bytes) the minimum of 1.
  assert.equal(estimate.perSet, Math.round((bytes.set / 1024) * 100) / 100);
  assert.equal(estimate.total, Math.round((10 * (bytes.set / 1024) + 20 * (bytes.getHit / 1024) + 5) * 100) / 100);
  assert.equal(estimate.perSecond, Math.round(estimate.total / 2));
  const small = estimateEcpus({ sets: 3, hits: 0, misses: 0 }, { set: 80, getHit: 60, getMiss: 40 }, 1);
  assert.equal(small.total, 3, 'small commands cost 1 each');
});

test('a serverless cache at its ECPU/s limit: endpoint writes, reader reads, lag, throttled counted, ECPUs estimated', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  // AWS's minimum: 10 KB commands (about 10 ECPUs each) exceed it from 100 commands a second,
  // however busy the machine (with 4 KB ones, a loaded 2-core machine once sent fewer than the
  // 250 a second that would have been throttled; with 40 KB ones and the default 1:10 mix, the
  // 25 a second let through were once all GETs).
  const limit = 1000;
  await emulator.elasticache.send(
    new CreateServerlessCacheCommand({
      ServerlessCacheName: 'metered',
      Engine: 'valkey',
      CacheUsageLimits: { ECPUPerSecond: { Maximum: limit } },
    }),
  );
  await waitForServerlessCache(emulator.elasticache, 'metered', 'available');

  const result = await runCli(
    [
      '--endpoint-url',
      emulator.url,
      'bench',
      'metered',
      '--tls',
      '--ca',
      caCertPath(emulator.stateDir),
      '--read-from',
      'replicas',
      '--clients',
      '4',
      '--threads',
      '1',
      '--data-size',
      '10240',
      '--pipeline',
      '4',
      // Half the commands that get through are SETs, whatever the limit lets through.
      '--ratio',
      '1:1',
      // 200 keys of 10 KB (~2000 ECPUs) are more than the one-second burst a new cache starts
      // with: prefill SETs are throttled, and bench must write them again (before it did not,
      // and the reader's GETs of those keys missed).
      '--key-maximum',
      '200',
      '--warmup',
      '1',
      '--test-time',
      '2',
      '--output',
      'json',
    ],
    { env: emulator.env, timeoutMs: 90_000 },
  );
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as BenchReport;
  assert.equal(report.config.kind, 'serverless');
  const endpoint = report.nodes.find((n) => n.id === 'endpoint')!;
  const reader = report.nodes.find((n) => n.id === 'reader')!;
  assert.ok(endpoint && reader, `nodes named after the endpoints: ${report.nodes.map((n) => n.id).join(', ')}`);
  const figures = (n: typeof endpoint) =>
    JSON.stringify({ sets: n.sets, gets: n.gets, throttled: n.throttled, errors: n.errors });
  assert.ok(endpoint.sets > 0 && endpoint.gets === 0, `writes go to the endpoint: ${figures(endpoint)}`);
  assert.ok(reader.gets > 0 && reader.sets === 0, `reads go to the reader endpoint: ${figures(reader)}`);
  assert.equal(reader.misses, 0, 'the reader holds the prefilled keys');
  assert.doesNotMatch(result.stderr, /did not receive the prefilled keys/);
  assert.equal(report.replication[0]?.node, 'reader', 'lag is measured between the two endpoints');
  assert.ok(report.replication[0]!.probes > 0, 'lag probes were written (some may be throttled too)');

  // Far more asked than the limit allows: throttled, counted, and not errors.
  const serverless = report.serverless!;
  assert.ok(serverless.throttled > 0, `throttled: ${serverless.throttled}`);
  assert.equal(serverless.throttled, endpoint.throttled! + reader.throttled!);
  assert.equal(report.total.errors, 0, 'throttling is not a failure of the run');
  // The estimate prices exactly the counted commands…
  const { ecpu } = serverless;
  assert.ok(ecpu.perSet > 9.9 && ecpu.perSet < 10.2, `a 10 KB SET costs ~10 ECPUs (got ${ecpu.perSet})`);
  // …and what got through cannot exceed the limit (plus the one-second burst the bucket starts with).
  const ceiling = limit * (1 + 1 / report.durationS) * 1.1;
  assert.ok(ecpu.perSecond <= ceiling, `${ecpu.perSecond} ECPU/s estimated, the limit lets ${ceiling} through`);
  assert.ok(ecpu.perSecond >= limit * 0.3, `${ecpu.perSecond} ECPU/s: the load used the limit`);
  assert.equal(report.cleanup.keysLeft, 0, 'every bench key removed, throttling or not');

  // The text report shows both, and says throttling is not a failure (the same program, in this process).
  const text = await runCliInProcess(
    [
      '--endpoint-url',
      emulator.url,
      'bench',
      'metered',
      '--tls',
      '--ca',
      caCertPath(emulator.stateDir),
      '--clients',
      '2',
      '--key-maximum',
      '200',
      '--warmup',
      '0',
      '--test-time',
      '1',
      // Paced: the text is tested here (the limit is the first run's subject).
      ...PACED_LOAD,
    ],
    { env: emulator.env },
  );
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^node +shard +role .* errors +throttled +p50 ms/m);
  assert.match(
    text.stdout,
    /^ECPUs consumed \(estimated from the commands sent.*\): [\d,.]+ in total, [\d,]+ ECPU\/s$/m,
  );
  assert.match(text.stdout, /^throttled: ([\d,]+ requests refused at the cache's ECPU\/s limit .*not failures|none)/m);
});
