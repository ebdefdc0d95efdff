/**
 * The serverless shape through the cluster path, on real processes: one endpoint that answers
 * the slot map with itself for every slot (a one-node cluster) and a reader endpoint outside
 * the slot map (a plain replica of it, which refuses READONLY as a non-cluster node). bench
 * seeds from the endpoint, reads from the reader with --read-from replicas, and measures the lag
 * between them. (The emulator's serverless caches are tested by serverless-cli on this path.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from '../helpers/cluster.js';
import { startRedisServer } from '../helpers/redis.js';
import { benchTopology } from '../../src/core/bench.js';
import type { Topology } from '../../src/topology.js';

test('serverless shape: writes to the endpoint, reads from the reader endpoint, lag between them', async (t) => {
  const cluster = await startCluster(1, 0);
  t.after(() => cluster.stop());
  const [node] = await cluster.runtime.view();
  const reader = await startRedisServer({ replicaOf: { host: '127.0.0.1', port: node!.port } });
  t.after(() => reader.stop());
  const topology: Topology = {
    kind: 'serverless',
    replicationGroupId: 'cache',
    status: 'available',
    engine: 'redis',
    engineVersion: '7.0',
    port: node!.port,
    tls: false,
    authRequired: false,
    clusterMode: false,
    primaryEndpoint: { address: '127.0.0.1', port: node!.port },
    readerEndpoint: { address: '127.0.0.1', port: reader.port },
    nodes: [],
  };
  const { report } = await benchTopology(topology, {
    testTime: 1.5,
    warmup: 0,
    clients: 2,
    threads: 1,
    // Paced: where the load goes is tested, not throughput.
    rate: 1000,
    readFrom: 'replicas',
    keyMaximum: 500,
  });
  assert.equal(report.shards?.length, 1);
  assert.equal(report.shards![0]!.slots, '0-16383');
  const writer = report.nodes.find((n) => n.role === 'primary')!;
  const read = report.nodes.find((n) => n.id === 'reader')!;
  assert.ok(writer.sets > 0 && writer.gets === 0, 'the endpoint takes the writes only');
  assert.ok(read.gets > 0 && read.sets === 0, 'the reader endpoint takes the reads');
  assert.equal(read.misses, 0, 'the reader holds the prefilled keys');
  assert.equal(report.total.errors, 0);
  assert.deepEqual(
    report.replication.map((r) => r.node),
    ['reader'],
  );
  assert.ok(report.replication[0]!.seen > 0, 'lag measured between the endpoint and the reader');
  assert.equal(report.cleanup.keysLeft, 0);
});
