/**
 * The pure side of a distributed bench: --workers and --results parsing, the worker's
 * command line (same flags, the shared start, never a secret), the result's transport on
 * stdout within SSM's 24,000 characters, and the exact merge of worker histograms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HdrHistogram, mergeHistograms } from '../../src/bench/histogram.js';
import { mergeWorkerResults } from '../../src/bench/distributed/merge.js';
import {
  findResultInStdout,
  parseWorkerResult,
  resultStdout,
  SSM_STDOUT_LIMIT,
  workerResultDocument,
  type WorkerResult,
} from '../../src/bench/distributed/worker-result.js';
import {
  parseS3Url,
  parseWorkersSpec,
  resultKey,
  workerCommand,
  workerRunner,
} from '../../src/bench/distributed/workers.js';
import { UsageError } from '../../src/errors.js';
import type { BenchReport } from '../../src/bench/report.js';
import type { RunResult } from '../../src/bench/run.js';

test('--workers: tag:Key=Value or instance ids; anything else is a usage error naming the flag', () => {
  assert.deepEqual(parseWorkersSpec('tag:Role=bastion'), { kind: 'tag', key: 'Role', value: 'bastion' });
  assert.deepEqual(parseWorkersSpec('tag:team=load=test'), { kind: 'tag', key: 'team', value: 'load=test' });
  assert.deepEqual(parseWorkersSpec('i-0123456789abcdef0, i-0abcdef12'), {
    kind: 'ids',
    ids: ['i-0123456789abcdef0', 'i-0abcdef12'],
  });
  for (const bad of ['bastion', 'tag:Role', 'i-xyz', '', 'i-0123456789abcdef0,web-1']) {
    assert.throws(
      () => parseWorkersSpec(bad),
      (e: Error) => e instanceof UsageError && /^--workers must be/.test(e.message),
    );
  }
});

test('--results: s3://bucket/prefix with a valid bucket name', () => {
  assert.deepEqual(parseS3Url('--results', 's3://bench-results/runs/a/'), {
    bucket: 'bench-results',
    prefix: 'runs/a',
  });
  assert.deepEqual(parseS3Url('--results', 's3://bench-results'), { bucket: 'bench-results', prefix: '' });
  assert.equal(resultKey({ bucket: 'x', prefix: 'p' }, 'ab12', 'i-0abc'), 'p/ab12-i-0abc.json');
  for (const bad of ['bench-results/p', 's3://b/p', 's3://Upper/p', 'https://bench-results/p']) {
    assert.throws(() => parseS3Url('--results', bad), /--results must be s3:\/\/bucket\/prefix/);
  }
});

test('the worker command: this version from npx, the same load flags, the resolved nodes, the shared start, no secret', () => {
  assert.equal(workerRunner('1.2.3', {}), 'npx --yes elasticache-kit@1.2.3');
  assert.equal(
    workerRunner('1.2.3', { ELASTICACHE_KIT_WORKER_COMMAND: 'node /src/bin/elasticache-kit.js' }),
    'node /src/bin/elasticache-kit.js',
  );
  const command = workerCommand({
    runner: 'npx --yes elasticache-kit@1.2.3',
    region: 'eu-west-1',
    nodes: [
      { id: 'demo-001', role: 'primary', address: { host: '10.0.1.12', port: 6379, password: 'secret-token' } },
      { id: 'demo-002', role: 'replica', address: { host: '10.0.2.31', port: 6379, password: 'secret-token' } },
    ],
    tls: true,
    raw: { clients: 20, ratio: '1:4', testTime: 0.5, authTokenEnv: 'REDIS_AUTH', workers: 'tag:Role=bastion' },
    startAtMs: 1_800_000_000_000,
    results: 's3://bench-results/p',
    workerCount: 2,
  });
  assert.equal(
    command,
    'export HOME="${HOME:-/root}"; ' +
      "npx --yes elasticache-kit@1.2.3 '--region' 'eu-west-1' 'bench' '--primary' '10.0.1.12:6379' '--replica' '10.0.2.31:6379' '--tls' " +
      "'--clients' '20' '--ratio' '1:4' '--test-time' '0.5' '--auth-token-env' 'REDIS_AUTH' " +
      "'--worker' '--start-at' '1800000000000' '--results' 's3://bench-results/p'",
  );
  assert.doesNotMatch(command, /secret-token/);
  // --rate and --requests are totals: three workers share them.
  const shared = workerCommand({
    runner: 'x',
    region: 'eu-west-1',
    nodes: [{ id: 'p', role: 'primary', address: { host: '10.0.1.12', port: 6379 } }],
    tls: false,
    raw: { rate: 10_000, requests: 1000 },
    startAtMs: 1,
    workerCount: 3,
  });
  assert.match(shared, /'--requests' '334' '--rate' '3334'/);
});

/** A worker's result as the run would produce it, with these latencies (µs) on one primary. */
function fakeRun(worker: string, setUs: number[], getUs: number[], perSecond: number[][]): RunResult {
  const set = new HdrHistogram();
  const get = new HdrHistogram();
  for (const v of setUs) set.record(v);
  for (const v of getUs) get.record(v);
  const ops = setUs.length + getUs.length;
  const report = {
    config: { target: 'demo' },
    runId: worker,
    keyPrefix: `eck:bench:${worker}:`,
    startedAt: '2026-12-02T10:00:00.000Z',
    durationS: 2,
    nodes: [
      {
        id: 'primary',
        role: 'primary',
        address: '10.0.1.12',
        port: 6379,
        ops,
        opsPerSec: ops / 2,
        sets: setUs.length,
        gets: getUs.length,
        hits: getUs.length,
        misses: 0,
        errors: 0,
        latencyMs: { p50: 0, p90: 0, p99: 0, p999: 0, max: 0 },
        latencyMsByCommand: {
          set: { p50: 0, p90: 0, p99: 0, p999: 0, max: 0 },
          get: { p50: 0, p90: 0, p99: 0, p999: 0, max: 0 },
        },
        unavailable: [],
        percentiles: [{ percentile: 50, ms: 1 }],
      },
    ],
    total: { ops, opsPerSec: ops / 2, errors: 0, latencyMs: { p50: 0, p90: 0, p99: 0, p999: 0, max: 0 } },
    replication: [
      {
        node: 'replica-1',
        lagMs: { p50: 1, p90: 1, p99: 1, max: 1 },
        probes: 1,
        seen: 1,
        timeouts: 0,
        errors: 0,
        pollRttMs: { p50: 0.1, p99: 0.1 },
        offsetLagBytes: { p50: 0, max: 0, samples: 1 },
        readsAfterWrite: 1,
        staleReads: 0,
        staleReadRatio: 0,
      },
    ],
    unavailability: [],
    failover: null,
    lostWrites: null,
    client: { cpuPercent: 10, connections: 2, saturated: false },
    cleanup: { keysRemoved: 10, keysLeft: 0 },
    warnings: [],
  } as BenchReport;
  const intervals = perSecond.map((values, i) => {
    const h = new HdrHistogram();
    for (const v of values) h.record(v);
    return { startS: i, lengthS: 1, byNode: new Map([['primary', h]]) };
  });
  return {
    report,
    histograms: new Map([['primary', mergeHistograms([set, get])]]),
    byCommand: new Map([['primary', { set, get }]]),
    intervals,
    startLateMs: 0,
  };
}

function roundTrip(run: RunResult, worker: string): WorkerResult {
  const pointer = findResultInStdout(`npm warn exec installing\n${resultStdout(workerResultDocument(worker, run, 1))}`);
  assert.equal(pointer.kind, 'inline');
  return parseWorkerResult((pointer as { json: string }).json, worker);
}

test('merge: ops add up, percentiles are those of the concatenated histograms, seconds merge by index, lag stays per worker', () => {
  const a = roundTrip(
    fakeRun(
      'i-a',
      [100, 200, 300],
      [50, 60, 70, 80],
      [
        [50, 60, 100],
        [70, 80, 200, 300],
      ],
    ),
    'i-a',
  );
  const b = roundTrip(
    fakeRun(
      'i-b',
      [5000],
      [900, 1000, 1100],
      [
        [900, 1000],
        [1100, 5000],
      ],
    ),
    'i-b',
  );
  const { report, histograms, intervals } = mergeWorkerResults([a, b], 'run1');
  assert.equal(report.total.ops, 11);
  assert.equal(report.nodes[0]!.ops, 11);
  assert.equal(report.nodes[0]!.sets, 4);
  assert.equal(report.total.opsPerSec, 3.5 + 2);
  const concatenated = new HdrHistogram();
  for (const v of [100, 200, 300, 50, 60, 70, 80, 5000, 900, 1000, 1100]) concatenated.record(v);
  assert.equal(histograms.get('primary')!.totalCount, 11);
  for (const p of [50, 90, 99]) {
    assert.equal(histograms.get('primary')!.valueAtPercentile(p), concatenated.valueAtPercentile(p), `p${p}`);
  }
  assert.equal(report.total.latencyMs.p50, Math.round(concatenated.valueAtPercentile(50)) / 1000);
  assert.equal(report.total.latencyMs.max, 5);
  assert.equal(report.nodes[0]!.latencyMsByCommand.set.max, 5);
  assert.equal(intervals.length, 2);
  assert.deepEqual(
    intervals.map((i) => i.byNode.get('primary')!.totalCount),
    [5, 6],
  );
  assert.deepEqual(
    report.workers!.map((w) => [w.worker, w.ops]),
    [
      ['i-a', 7],
      ['i-b', 4],
    ],
  );
  assert.deepEqual(
    report.replication.map((r) => r.node),
    ['i-a/replica-1', 'i-b/replica-1'],
  );
  assert.equal(report.cleanup.keysRemoved, 20);
  assert.deepEqual(report.warnings, [], 'same settings, same start: nothing to warn about');

  // Results of different runs: merged anyway (bench merge takes any files), with the reasons it may mislead.
  const other = fakeRun('i-c', [100], [200], [[100, 200]]);
  other.report = { ...other.report, startedAt: '2026-12-02T10:00:05.000Z', config: { target: 'demo', ratio: '1:1' } };
  const mixed = mergeWorkerResults([a, roundTrip(other, 'i-c')], 'run2').report;
  assert.match(mixed.warnings.join('\n'), /different ratio \(i-a and i-c\)/);
  assert.match(mixed.warnings.join('\n'), /began 5\.0 s apart/);
});

test('worker results on stdout: plain within SSM output, gzipped when that fits, refused beyond it', () => {
  const run = fakeRun('i-a', [100], [200], [[100, 200]]);
  const plain = resultStdout(workerResultDocument('i-a', run))!;
  assert.ok(plain.startsWith('eck-bench-worker-result {'));
  // Many seconds of histograms: too long as JSON, fine gzipped (the base64 histograms repeat).
  const long = fakeRun(
    'i-a',
    [100],
    [200],
    Array.from({ length: 400 }, () => [100, 200, 300]),
  );
  const gzipped = resultStdout(workerResultDocument('i-a', long))!;
  assert.ok(JSON.stringify(workerResultDocument('i-a', long)).length > SSM_STDOUT_LIMIT);
  assert.ok(gzipped.startsWith('eck-bench-worker-result-gzip '));
  assert.ok(gzipped.length <= SSM_STDOUT_LIMIT);
  const back = parseWorkerResult((findResultInStdout(gzipped) as { json: string }).json, 'gz');
  assert.equal(back.intervals.length, 400);
  assert.deepEqual(findResultInStdout('eck-bench-worker-result-at s3://bench-results/p/x.json\n'), {
    kind: 's3',
    url: 's3://bench-results/p/x.json',
  });
  assert.deepEqual(findResultInStdout('nothing here'), { kind: 'none' });
  assert.throws(() => parseWorkerResult('{"kind":"other"}', 'x.json'), /x.json is not a bench worker result/);
});
