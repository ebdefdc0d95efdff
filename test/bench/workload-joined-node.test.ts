/**
 * A cluster node that joined after the load's last look at the slot map (a new shard's replica,
 * listed only by the final slot map run.ts reads) is added to the run's nodes from outside:
 * with --threads 1 the in-process Workload must give it empty figures, as the load threads'
 * merge does, or the report has no figures for it (and failed: "reading 'latency'").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workload } from '../../src/bench/workload.js';

test('a node added to the run from outside (the final slot map) gets empty figures, not none', () => {
  const node = (port: number) => ({
    id: `127.0.0.1:${port}`,
    role: 'primary' as const,
    address: { host: '127.0.0.1', port },
  });
  const nodes = [node(1)];
  const workload = new Workload(nodes, {
    clients: 1,
    pipeline: 1,
    sets: 1,
    gets: 0,
    dataSize: 16,
    keyMaximum: 10,
    keyPattern: 'R',
    readFrom: 'primary',
    rate: 0,
    keyPrefix: 'eck:bench:figures:',
    ttlMs: 60_000,
    requestTimeoutMs: 5000,
    connectTimeoutMs: 2000,
  });
  workload.beginMeasuring(1234);
  nodes.push(node(2));
  const stats = workload.latestStats().get('127.0.0.1:2');
  assert.ok(stats, 'the joined node has figures');
  assert.equal(stats.ops, 0);
  assert.equal(stats.origin, 1234, 'its unavailability counts from the measurement start, as the others do');
});
