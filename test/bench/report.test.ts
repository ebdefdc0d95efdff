/** Pure parts: key encoding on the wire, key patterns, ratio, the report model and its sentence. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyPicker, Keyspace, RatioSequence, OP_GET, OP_SET } from '../../src/bench/keyspace.js';
import { NodeStats } from '../../src/bench/stats.js';
import { ReplicaLagStats } from '../../src/bench/lag.js';
import { buildReport, interpretReport, type ReportInput } from '../../src/bench/report.js';
import { renderReport } from '../../src/bench/render.js';
import { nodeMix } from '../../src/bench/workload.js';
import { escapeGlob, parseInfo } from '../../src/bench/control-connection.js';

test('keyspace encodes GET and SET ... PX as RESP with fixed-width keys', () => {
  const ks = new Keyspace({ prefix: 'eck:bench:ab:', keyMaximum: 1000, value: Buffer.from('hello'), ttlMs: 60000 });
  const out = Buffer.alloc(200);
  let end = ks.encodeGet(out, 0, 7);
  assert.equal(out.toString('utf8', 0, end), '*2\r\n$3\r\nGET\r\n$19\r\neck:bench:ab:k:007\r\n'.replace('$19', '$18'));
  assert.equal(end, ks.getLength);
  end = ks.encodeSet(out, 0, 999);
  assert.equal(
    out.toString('utf8', 0, end),
    '*5\r\n$3\r\nSET\r\n$18\r\neck:bench:ab:k:999\r\n$5\r\nhello\r\n$2\r\nPX\r\n$5\r\n60000\r\n',
  );
  assert.equal(end, ks.setLength);
  assert.equal(ks.keyName(42), 'eck:bench:ab:k:042');
});

test('key patterns stay in range; S is sequential and wraps; G clusters in the middle', () => {
  const s = new KeyPicker('S', 5, 3);
  assert.deepEqual([s.next(), s.next(), s.next(), s.next()], [3, 4, 0, 1]);
  const r = new KeyPicker('R', 100);
  const g = new KeyPicker('G', 600);
  let middle = 0;
  const randomSeen = new Set<number>();
  for (let i = 0; i < 10_000; i++) {
    const a = r.next();
    const b = g.next();
    assert.ok(Number.isInteger(a) && a >= 0 && a < 100, `R picked ${a}`);
    assert.ok(Number.isInteger(b) && b >= 0 && b < 600, `G picked ${b}`);
    randomSeen.add(a);
    if (b >= 200 && b < 400) middle++;
  }
  // Uniform over 100 keys, 10,000 picks: each key is missed with probability 0.99^10000 ≈ 2e-44.
  assert.equal(randomSeen.size, 100, 'R reaches every key of the keyspace');
  // ±1 standard deviation (a sixth of the range) holds about 68%.
  assert.ok(middle > 6000 && middle < 7500, `gaussian middle third: ${middle}`);
});

test('ratio sequence keeps the exact SET:GET mix; node mix follows --read-from', () => {
  const ratio = new RatioSequence(1, 3);
  const ops = Array.from({ length: 8 }, () => ratio.next());
  assert.deepEqual(ops, [OP_SET, OP_GET, OP_GET, OP_GET, OP_SET, OP_GET, OP_GET, OP_GET]);
  assert.deepEqual(nodeMix('primary', { sets: 1, gets: 10, readFrom: 'all' }), { sets: 1, gets: 10 });
  assert.deepEqual(nodeMix('primary', { sets: 1, gets: 10, readFrom: 'replicas' }), { sets: 1, gets: 0 });
  assert.equal(nodeMix('replica', { sets: 1, gets: 10, readFrom: 'primary' }), undefined);
  assert.deepEqual(nodeMix('replica', { sets: 1, gets: 10, readFrom: 'replicas' }), { sets: 0, gets: 1 });
  assert.equal(nodeMix('primary', { sets: 0, gets: 1, readFrom: 'replicas' }), undefined);
});

test('INFO parsing and glob escaping', () => {
  const info = parseInfo('# Replication\r\nrole:master\r\nmaster_repl_offset:1234\r\n');
  assert.equal(info.get('role'), 'master');
  assert.equal(info.get('master_repl_offset'), '1234');
  assert.equal(escapeGlob('a*b?c[d]e\\'), 'a\\*b\\?c\\[d\\]e\\\\');
});

function input(stale: number, reads: number, overrides: Partial<ReportInput> = {}): ReportInput {
  const primary = new NodeStats();
  primary.ops = 1000;
  primary.sets = 100;
  primary.gets = 900;
  primary.hits = 890;
  primary.misses = 10;
  for (let i = 0; i < 1000; i++) primary.getLatency.record(200 + i);
  const replica = new NodeStats();
  replica.ops = 500;
  replica.gets = 500;
  replica.hits = 500;
  for (let i = 0; i < 500; i++) replica.getLatency.record(300);
  replica.markFailure(1500, 'connection closed');
  replica.markSuccess(2250);
  const lag = new ReplicaLagStats();
  for (let i = 0; i < 100; i++) lag.lag.record(20_000 + i * 10);
  lag.pollRtt.record(150);
  lag.readsAfterWrite = reads;
  lag.staleReads = stale;
  return {
    config: { clients: 1 },
    runId: 'ab12',
    keyPrefix: 'eck:bench:ab12:',
    startedAt: new Date('2026-01-01T00:00:00Z'),
    durationMs: 2000,
    nodes: [
      { id: 'demo-001', role: 'primary', address: { host: '127.0.0.1', port: 7000 } },
      { id: 'demo-002', role: 'replica', address: { host: '127.0.0.1', port: 7001 } },
    ],
    stats: new Map([
      ['demo-001', primary],
      ['demo-002', replica],
    ]),
    lag: new Map([['demo-002', lag]]),
    offsetLag: new Map([['demo-002', [0, 100, 50]]]),
    cpuPercent: 40,
    connections: 2,
    cleanup: { keysRemoved: 10, keysLeft: 0 },
    warnings: [],
    ...overrides,
  };
}

test('report: per-node figures, merged totals, replication, unavailability', () => {
  const report = buildReport(input(23, 100));
  assert.equal(report.durationS, 2);
  assert.equal(report.nodes[0]!.opsPerSec, 500);
  assert.equal(report.nodes[0]!.latencyMs.p50, 0.699); // the 500th of 200..1199 µs
  assert.equal(report.nodes[1]!.latencyMs.max, 0.3);
  assert.equal(report.total.ops, 1500);
  assert.equal(report.total.opsPerSec, 750);
  // Merged, not averaged: 1000 values 0.2-1.2 ms and 500 at 0.3 ms.
  assert.ok(report.total.latencyMs.p50 > 0.3 && report.total.latencyMs.p50 < 0.6);
  const replication = report.replication[0]!;
  assert.equal(replication.node, 'demo-002');
  assert.equal(replication.staleReadRatio, 0.23);
  assert.ok(replication.lagMs.p50 >= 20.4 && replication.lagMs.p50 <= 20.6);
  assert.deepEqual(replication.offsetLagBytes, { p50: 50, max: 100, samples: 3 });
  assert.deepEqual(report.unavailability, [
    { node: 'demo-002', startS: 1.5, durationS: 0.75, ongoing: false, reason: 'connection closed' },
  ]);
  assert.equal(report.client.saturated, false);
  const json = JSON.parse(JSON.stringify(report));
  for (const key of ['config', 'startedAt', 'durationS', 'nodes', 'replication', 'client']) assert.ok(key in json, key);
  for (const key of ['id', 'role', 'address', 'port', 'ops', 'opsPerSec', 'hits', 'misses', 'errors', 'latencyMs'])
    assert.ok(key in json.nodes[0], key);
  for (const key of ['node', 'lagMs', 'probes', 'pollRttMs', 'offsetLagBytes', 'staleReadRatio'])
    assert.ok(key in json.replication[0], key);
});

test('interpretation: stale replica reads, replicas that keep up, no replicas, lost writes, CPU-bound client', () => {
  assert.equal(
    interpretReport(buildReport(input(23, 100))),
    'a read from a replica right after a write was stale 23% of the time (replication lag p50 20 ms); read your own writes from the primary',
  );
  assert.match(
    interpretReport(buildReport(input(0, 100))),
    /^replicas kept up: a read right after a write was stale 0% of the time/,
  );
  assert.match(
    interpretReport(buildReport(input(0, 0, { lag: new Map() }))),
    /with no replica measured, every read goes to the primary/,
  );
  const lost = buildReport(
    input(5, 100, { failover: { from: 'demo-001', to: 'demo-002', atMs: 900 }, lostWrites: { checked: 40, lost: 3 } }),
  );
  assert.match(interpretReport(lost), /failover from demo-001 to demo-002 lost 3 of 40 acknowledged writes/);
  const busy = buildReport(input(23, 100, { cpuPercent: 97 }));
  assert.equal(busy.client.saturated, true);
  assert.match(busy.warnings.join('\n'), /load generator used 97% of a CPU core/);
  assert.match(interpretReport(busy), /CPU-bound/);
});

test('rendered report: node table, replica table, notes and the sentence', () => {
  const text = renderReport(
    buildReport(
      input(23, 100, {
        failover: { from: 'demo-001', to: 'demo-002', atMs: 900 },
        lostWrites: { checked: 40, lost: 0 },
      }),
    ),
  );
  assert.match(
    text,
    /^node\s+role\s+address\s+ops\/s\s+ops\s+hits\s+misses\s+errors\s+p50 ms\s+p90 ms\s+p99 ms\s+p99\.9 ms\s+max ms$/m,
  );
  assert.match(text, /^demo-001\s+primary\s+127\.0\.0\.1:7000\s+500\s+1000\s+890\s+10\s+0/m);
  assert.match(text, /^replica\s+lag p50 ms\s+lag p99 ms/m);
  assert.match(text, /23\.0% \(23\/100\)/);
  assert.match(text, /demo-002 unreachable from 1\.5 s for 0\.75 s/);
  assert.match(text, /failover noticed at 0\.9 s: demo-001 → demo-002/);
  assert.match(text, /acknowledged writes lost: 0 of 40/);
  assert.match(text, /read your own writes from the primary/);
});
