import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerlessCache } from '@aws-sdk/client-elasticache';
import { serverlessTopology } from '../../src/aws/serverless.js';

const described: ServerlessCache = {
  ServerlessCacheName: 'sessions',
  Status: 'available',
  Engine: 'valkey',
  MajorEngineVersion: '8',
  FullEngineVersion: '8.0',
  Endpoint: { Address: 'sessions-abc.serverless.use1.cache.amazonaws.com', Port: 6379 },
  ReaderEndpoint: { Address: 'sessions-abc.serverless.use1.cache.amazonaws.com', Port: 6380 },
  UserGroupId: 'app-users',
  ARN: 'arn:aws:elasticache:us-east-1:123456789012:serverlesscache:sessions',
};

test('serverlessTopology: kind serverless, TLS and cluster protocol, both endpoints, auth from the user group', () => {
  assert.deepEqual(serverlessTopology(described), {
    kind: 'serverless',
    replicationGroupId: 'sessions',
    status: 'available',
    engine: 'valkey',
    engineVersion: '8.0',
    port: 6379,
    tls: true,
    clusterMode: true,
    authRequired: true,
    primaryEndpoint: { address: 'sessions-abc.serverless.use1.cache.amazonaws.com', port: 6379 },
    readerEndpoint: { address: 'sessions-abc.serverless.use1.cache.amazonaws.com', port: 6380 },
    nodes: [],
    userGroupId: 'app-users',
    arn: 'arn:aws:elasticache:us-east-1:123456789012:serverlesscache:sessions',
  });
});

test('serverlessTopology: a creating cache has no endpoints yet; no user group means no auth', () => {
  const topology = serverlessTopology({
    ServerlessCacheName: 'new',
    Status: 'creating',
    Engine: 'redis',
    MajorEngineVersion: '7',
  });
  assert.equal(topology.status, 'creating');
  assert.equal(topology.primaryEndpoint, undefined);
  assert.equal(topology.readerEndpoint, undefined);
  assert.equal(topology.authRequired, false);
  assert.equal(topology.engineVersion, '7', 'the major version when no full version is reported');
  assert.equal(topology.port, 6379);
});
