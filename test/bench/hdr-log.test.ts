/**
 * --hdr-log: the V2 compressed encoding decodes back to the same counts, and a real bench
 * run against real redis-server writes a 1.3 interval log whose histogram holds every op.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HdrHistogram } from '../../src/bench/histogram.js';
import { decodeCompressed, encodeCompressed } from '../../src/bench/hdr-log.js';
import type { BenchReport } from '../../src/bench/report.js';
import { PACED_LOAD } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { startRedisServer } from '../helpers/redis.js';

test('the V2 compressed encoding round-trips counts, zero runs and large values', () => {
  const h = new HdrHistogram();
  for (const v of [1, 2, 2, 3, 1000, 2047, 2048, 123_456, 3_599_999_999]) h.record(v);
  h.record(57, 2 ** 40); // a count past 32 bits
  const buf = encodeCompressed(h);
  assert.equal(buf.readUInt32BE(0), 0x1c849314);
  const back = decodeCompressed(buf);
  assert.equal(back.totalCount, h.totalCount);
  const [decoded, recorded] = [back.snapshot(), h.snapshot()];
  assert.deepEqual(Array.from(decoded.indexes), Array.from(recorded.indexes));
  assert.deepEqual(Array.from(decoded.counts), Array.from(recorded.counts));
  for (const p of [1, 50, 99, 99.9999]) assert.equal(back.valueAtPercentile(p), h.valueAtPercentile(p), `p${p}`);
});

test('bench --hdr-log writes a 1.3 interval log per node', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'eck-hlog-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const prefix = join(dir, 'lat-');
  // In this process: the log file is the subject, not the process.
  const result = await runCliInProcess([
    '--output',
    'json',
    'bench',
    '--primary',
    `127.0.0.1:${redis.port}`,
    '--test-time',
    '2.5',
    '--warmup',
    '0.2',
    '--clients',
    '2',
    '--lag-probes',
    '0',
    '--hdr-log',
    prefix,
    // Paced: the log's contents are tested, not throughput.
    ...PACED_LOAD,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as BenchReport;
  const lines = readFileSync(`${prefix}primary.hlog`, 'utf8').trim().split('\n');
  assert.equal(lines[0], '#[Histogram log format version 1.3]');
  assert.match(lines[1]!, /^#\[StartTime: \d+\.\d{3} \(seconds since epoch\), /);
  const data = lines.filter((l) => l.startsWith('Tag='));
  // One interval per second: 1 s, 1 s, then the last half second.
  assert.equal(data.length, 3, lines.join('\n'));
  let total = 0;
  let expectedStart = 0;
  for (const line of data) {
    const [tag, start, length, max, payload] = line.split(',');
    assert.equal(tag, 'Tag=primary');
    assert.ok(Math.abs(Number(start) - expectedStart) < 0.01, `interval starts where the last ended: ${line}`);
    expectedStart = Number(start) + Number(length);
    const h = decodeCompressed(Buffer.from(payload!, 'base64'));
    assert.ok(h.totalCount > 0 && Number(max) > 0);
    total += h.totalCount;
  }
  assert.ok(Math.abs(expectedStart - report.durationS) < 0.05, `intervals cover the run (${expectedStart} s)`);
  // The intervals add up to the whole run's histogram.
  assert.equal(total, report.nodes[0]!.ops);
});
