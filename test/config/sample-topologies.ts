/** Topologies the config tests render: a 1+2 group, the same with TLS and AUTH, and a cluster-mode group. */
import type { Topology } from '../../src/topology.js';

export const demo: Topology = {
  kind: 'replication-group',
  replicationGroupId: 'demo',
  status: 'available',
  engine: 'redis',
  engineVersion: '7.0.15',
  port: 6379,
  tls: false,
  authRequired: false,
  clusterMode: false,
  primaryEndpoint: { address: 'master.demo.abc123.use1.cache.amazonaws.com', port: 6379 },
  readerEndpoint: { address: 'replica.demo.abc123.use1.cache.amazonaws.com', port: 6379 },
  nodes: [
    {
      id: 'demo-001',
      role: 'primary',
      address: 'demo-001.demo.abc123.use1.cache.amazonaws.com',
      port: 6379,
      availabilityZone: 'us-east-1a',
    },
    {
      id: 'demo-002',
      role: 'replica',
      address: 'demo-002.demo.abc123.use1.cache.amazonaws.com',
      port: 6379,
      availabilityZone: 'us-east-1b',
    },
    {
      id: 'demo-003',
      role: 'replica',
      address: 'demo-003.demo.abc123.use1.cache.amazonaws.com',
      port: 6379,
      availabilityZone: 'us-east-1c',
    },
  ],
  nodeType: 'cache.t3.micro',
  automaticFailover: true,
};

export const secure: Topology = {
  ...demo,
  replicationGroupId: 'secure',
  tls: true,
  authRequired: true,
  primaryEndpoint: { address: 'master.secure.example', port: 6380 },
  readerEndpoint: { address: 'replica.secure.example', port: 6380 },
  port: 6380,
  nodes: [
    { id: 'secure-001', role: 'primary', address: 'secure-001.example', port: 6380 },
    { id: 'secure-002', role: 'replica', address: 'secure-002.example', port: 6380 },
  ],
};

/** An AUTH token with the characters that break naive quoting (ElastiCache allows all of these). */
export const awkwardToken = "s3cr$t'#&<>%`\\!x=1";

export const clustered: Topology = {
  kind: 'cluster',
  replicationGroupId: 'sharded',
  status: 'available',
  engine: 'redis',
  engineVersion: '7.1.0',
  port: 6379,
  tls: true,
  authRequired: false,
  clusterMode: true,
  configurationEndpoint: { address: 'clustercfg.sharded.example', port: 6379 },
  nodes: [
    { id: 'sharded-0001-001', role: 'primary', address: 'sharded-0001-001.example', port: 6379 },
    { id: 'sharded-0002-001', role: 'primary', address: 'sharded-0002-001.example', port: 6379 },
    { id: 'sharded-0001-002', role: 'replica', address: 'sharded-0001-002.example', port: 6379 },
  ],
  shards: [
    { id: '0001', slots: '0-8191', nodes: [] },
    { id: '0002', slots: '8192-16383', nodes: [] },
  ],
};
