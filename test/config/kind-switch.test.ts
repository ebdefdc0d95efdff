/**
 * Merging the endpoints of one kind into a file written for the other: the earlier kind's
 * shape keys are emptied, never left stale beside the new ones; every other byte stays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnv } from 'node:util';
import { FORMATS, DEFAULT_KEYS, type FormatName } from '../../src/config/formats/index.js';
import { endpointValues } from '../../src/config/values.js';
import type { Topology } from '../../src/topology.js';
import { clustered, demo } from './sample-topologies.js';

async function write(format: FormatName, topology: Topology, existing?: string): Promise<string> {
  const module = await FORMATS[format].load();
  const input = { topology, values: endpointValues(topology), keys: DEFAULT_KEYS };
  return existing === undefined ? module.render(input) : module.merge!(existing, input);
}

test('.env: a replication group, then a cluster: PRIMARY/REPLICAS/READER emptied; and back: the cluster keys emptied', async () => {
  const first = `APP=1\n${await write('dotenv', demo)}`;
  const cluster = parseEnv(await write('dotenv', clustered, first));
  assert.equal(cluster.APP, '1');
  assert.equal(cluster.ELASTICACHE_CONFIGURATION_ENDPOINT, 'clustercfg.sharded.example:6379');
  assert.equal(cluster.ELASTICACHE_CLUSTER_MODE, 'true');
  assert.equal(cluster.ELASTICACHE_PRIMARY, '', 'no stale primary beside the cluster');
  assert.equal(cluster.ELASTICACHE_REPLICAS, '');
  assert.equal(cluster.ELASTICACHE_READER, '');
  const back = parseEnv(await write('dotenv', demo, await write('dotenv', clustered, first)));
  assert.equal(back.ELASTICACHE_PRIMARY, 'master.demo.abc123.use1.cache.amazonaws.com:6379');
  assert.equal(back.ELASTICACHE_CONFIGURATION_ENDPOINT, '');
  assert.equal(back.ELASTICACHE_CLUSTER_MODE, '');
  // A file that never held the other kind gets none of its names.
  assert.doesNotMatch(await write('dotenv', clustered, 'APP=1\n'), /PRIMARY|REPLICAS|READER/);
});

test('shell: the same for export lines', async () => {
  const merged = await write('shell', clustered, await write('shell', demo));
  assert.match(merged, /^export ELASTICACHE_PRIMARY=''$/m);
  assert.match(merged, /^export ELASTICACHE_CONFIGURATION_ENDPOINT='clustercfg\.sharded\.example:6379'$/m);
});

test('appsettings.json: MasterNodes/SlaveNodes emptied once the section describes a cluster, ClusterMode false after', async () => {
  const first = await write('appsettings-json', demo);
  const cluster = JSON.parse(await write('appsettings-json', clustered, first)) as {
    ElastiCache: Record<string, unknown>;
  };
  assert.equal(cluster.ElastiCache.ConfigurationEndpoint, 'clustercfg.sharded.example:6379');
  assert.equal(cluster.ElastiCache.MasterNodes, '');
  assert.equal(cluster.ElastiCache.SlaveNodes, '');
  const back = JSON.parse(await write('appsettings-json', demo, JSON.stringify(cluster, null, 2))) as {
    ElastiCache: Record<string, unknown>;
  };
  assert.equal(back.ElastiCache.ClusterMode, false);
  assert.equal(back.ElastiCache.ConfigurationEndpoint, '');
  assert.equal(back.ElastiCache.MasterNodes, 'master.demo.abc123.use1.cache.amazonaws.com:6379');
  assert.deepEqual(
    Object.keys((JSON.parse(await write('appsettings-json', clustered)) as { ElastiCache: object }).ElastiCache),
    ['ConfigurationEndpoint', 'ClusterMode', 'Port', 'Tls'],
    'a new file has only the cluster keys',
  );
});
