/**
 * The wire itself, as other AWS clients (AWS CLI, boto3) see it: SigV4-shaped auth is
 * required, responses carry the service's XML namespace and a RequestId, errors use each
 * service's own envelope, and the service is chosen by Version or the credential scope.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import { startTestEmulator } from '../helpers/emulator.js';

const AUTH = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`;

async function post(url: string, body: Record<string, string>, authorization?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      ...(authorization ? { authorization } : {}),
    },
    body: new URLSearchParams(body).toString(),
  });
  const text = await response.text();
  return { status: response.status, text, xml: new XMLParser({ ignoreAttributes: false }).parse(text) };
}

test('Query protocol: auth shape, envelopes, namespaces, dispatch', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const describe = { Action: 'DescribeReplicationGroups', Version: '2015-02-02' };

  const unsigned = await post(emulator.url, describe);
  assert.equal(unsigned.status, 403);
  assert.equal(unsigned.xml.ErrorResponse.Error.Code, 'MissingAuthenticationToken');
  assert.equal(unsigned.xml.ErrorResponse.Error.Type, 'Sender');
  assert.match(unsigned.xml.ErrorResponse.RequestId, /^[0-9a-f-]{36}$/);

  const badShape = await post(emulator.url, describe, 'Bearer abc');
  assert.equal(badShape.status, 400, "AWS's common errors: IncompleteSignature is a 400");
  assert.equal(badShape.xml.ErrorResponse.Error.Code, 'IncompleteSignature');

  const ok = await post(emulator.url, describe, AUTH('elasticache'));
  assert.equal(ok.status, 200);
  const root = ok.xml.DescribeReplicationGroupsResponse;
  assert.equal(root['@_xmlns'], 'http://elasticache.amazonaws.com/doc/2015-02-02/');
  assert.equal(root.DescribeReplicationGroupsResult.ReplicationGroups, '');
  assert.match(root.ResponseMetadata.RequestId, /^[0-9a-f-]{36}$/);

  const versions = await post(
    emulator.url,
    { Action: 'DescribeCacheEngineVersions', Version: '2015-02-02', Engine: 'valkey', DefaultOnly: 'true' },
    AUTH('elasticache'),
  );
  const entry =
    versions.xml.DescribeCacheEngineVersionsResponse.DescribeCacheEngineVersionsResult.CacheEngineVersions
      .CacheEngineVersion;
  assert.equal(entry.Engine, 'valkey');
  assert.equal(String(entry.EngineVersion), '9.1', "the newest Valkey line AWS's docs list");

  const notFound = await post(emulator.url, { ...describe, ReplicationGroupId: 'nope' }, AUTH('elasticache'));
  assert.equal(notFound.status, 404);
  assert.equal(notFound.xml.ErrorResponse.Error.Code, 'ReplicationGroupNotFoundFault');

  // No Version: the credential scope names the service.
  const ec2 = await post(emulator.url, { Action: 'DescribeVpcs' }, AUTH('ec2'));
  assert.equal(ec2.status, 200);
  assert.equal(ec2.xml.DescribeVpcsResponse['@_xmlns'], 'http://ec2.amazonaws.com/doc/2016-11-15/');
  assert.match(ec2.xml.DescribeVpcsResponse.requestId, /^[0-9a-f-]{36}$/);
  assert.equal(ec2.xml.DescribeVpcsResponse.vpcSet.item.isDefault, true);

  const ec2Error = await post(
    emulator.url,
    { Action: 'DescribeSecurityGroups', Version: '2016-11-15', 'GroupId.1': 'sg-0123456789abcdef0' },
    AUTH('ec2'),
  );
  assert.equal(ec2Error.status, 400);
  assert.equal(ec2Error.xml.Response.Errors.Error.Code, 'InvalidGroup.NotFound');
  assert.match(ec2Error.xml.Response.RequestID, /^[0-9a-f-]{36}$/);

  const unknown = await post(
    emulator.url,
    { Action: 'CreateCacheCluster', Version: '2015-02-02' },
    AUTH('elasticache'),
  );
  assert.equal(unknown.status, 400);
  assert.equal(unknown.xml.ErrorResponse.Error.Code, 'InvalidAction');
  assert.match(
    unknown.xml.ErrorResponse.Error.Message,
    /CreateCacheCluster is a real ElastiCache action that the local emulator \(elasticache-kit local\) does not implement/,
  );
  const typo = await post(
    emulator.url,
    { Action: 'DescribeReplicatonGroups', Version: '2015-02-02' },
    AUTH('elasticache'),
  );
  assert.equal(typo.status, 400);
  assert.equal(typo.xml.ErrorResponse.Error.Code, 'InvalidAction');
  assert.equal(
    typo.xml.ErrorResponse.Error.Message,
    'The action DescribeReplicatonGroups is not valid for this web service.',
  );
  const ec2Missing = await post(emulator.url, { Action: 'RunInstances', Version: '2016-11-15' }, AUTH('ec2'));
  assert.equal(ec2Missing.xml.Response.Errors.Error.Code, 'InvalidAction');
  assert.match(
    ec2Missing.xml.Response.Errors.Error.Message,
    /RunInstances is a real EC2 action that the local emulator/,
  );

  // A Version the service does not have: AWS's InvalidAction "Could not find operation".
  const wrongVersion = await post(emulator.url, { ...describe, Version: '2014-01-01' }, AUTH('elasticache'));
  assert.equal(wrongVersion.status, 400);
  assert.equal(wrongVersion.xml.ErrorResponse.Error.Code, 'InvalidAction');
  assert.equal(
    wrongVersion.xml.ErrorResponse.Error.Message,
    'Could not find operation DescribeReplicationGroups for version 2014-01-01',
  );

  const malformed = await post(
    emulator.url,
    { Action: 'DescribeSecurityGroups', Version: '2016-11-15', 'GroupId.1': 'sg-zz' },
    AUTH('ec2'),
  );
  assert.equal(malformed.status, 400);
  assert.equal(malformed.xml.Response.Errors.Error.Code, 'InvalidGroupId.Malformed');
  assert.equal(malformed.xml.Response.Errors.Error.Message, 'Invalid id: "sg-zz" (expecting "sg-...")');

  // Flattened lists as the AWS CLI sends them.
  const subnets = await post(
    emulator.url,
    {
      Action: 'DescribeSubnets',
      Version: '2016-11-15',
      'Filter.1.Name': 'availability-zone',
      'Filter.1.Value.1': 'us-east-1a',
      'Filter.1.Value.2': 'us-east-1c',
    },
    AUTH('ec2'),
  );
  assert.deepEqual(
    subnets.xml.DescribeSubnetsResponse.subnetSet.item.map((s: { availabilityZone: string }) => s.availabilityZone),
    ['us-east-1a', 'us-east-1c'],
  );
});
