/**
 * An endpoint that answers like moto does for an action it lacks: HTTP 500 with HTML.
 * A real HTTP peer on loopback (no SDK mock): the CLI must stop at the first answer with
 * one line (status, endpoint, action), and create-cluster's engine-version lookup must
 * go on with the built-in list; a real AWS error (AccessDenied) must still fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeClients, connect } from '../../src/aws/clients.js';
import { listEngineVersions } from '../../src/aws/engine-versions.js';
import { describeReplicationGroup } from '../../src/aws/topology.js';
import { BUILT_IN_ENGINE_VERSIONS } from '../../src/plan/engine-versions.js';

const HTML = '<!doctype html><html><head><title>500</title></head><body><p>Internal Server Error<br></body></html>';
const ACCESS_DENIED =
  '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed</Message></Error><RequestId>1</RequestId></ErrorResponse>';

async function withServer(
  answer: (res: http.ServerResponse) => void,
  body: (url: string, hits: () => number) => Promise<void>,
): Promise<void> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await body(url, () => hits);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const open = (url: string) =>
  connect(
    { endpointUrl: url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } },
    {},
    { ec2: false },
  );

const html500 = (res: http.ServerResponse) => {
  res.writeHead(500, { 'content-type': 'text/html' });
  res.end(HTML);
};

test('a non-XML HTTP 500 is one line with the status, the endpoint and the action, after one attempt', async () => {
  await withServer(html500, async (url, hits) => {
    const aws = await open(url);
    try {
      await assert.rejects(describeReplicationGroup(aws, 'demo'), (error: Error) => {
        assert.equal(
          error.message,
          `HTTP 500 that is not an AWS answer from ${url}: the endpoint does not implement elasticache:DescribeReplicationGroups`,
        );
        return true;
      });
      assert.equal(hits(), 1, 'not retried');
    } finally {
      closeClients(aws);
    }
  });
});

test('DescribeCacheEngineVersions unsupported (HTML 500): the built-in list, with a warning', async () => {
  await withServer(html500, async (url, hits) => {
    const aws = await open(url);
    try {
      const warnings: string[] = [];
      const versions = await listEngineVersions(aws, 'redis', (message) => warnings.push(message));
      assert.deepEqual(versions, [...BUILT_IN_ENGINE_VERSIONS.redis]);
      assert.equal(warnings.length, 1);
      assert.match(
        warnings[0]!,
        /does not implement elasticache:DescribeCacheEngineVersions \(HTTP 500\); going on with the built-in redis versions 7\.1/,
      );
      assert.equal(hits(), 1);
    } finally {
      closeClients(aws);
    }
  });
});

test('DescribeCacheEngineVersions AccessDenied still fails, naming the permission', async () => {
  const denied = (res: http.ServerResponse) => {
    res.writeHead(403, { 'content-type': 'text/xml' });
    res.end(ACCESS_DENIED);
  };
  await withServer(denied, async (url) => {
    const aws = await open(url);
    try {
      await assert.rejects(
        listEngineVersions(aws, 'redis', () => assert.fail('no fallback on AccessDenied')),
        /AccessDenied on elasticache:DescribeCacheEngineVersions/,
      );
    } finally {
      closeClients(aws);
    }
  });
});
