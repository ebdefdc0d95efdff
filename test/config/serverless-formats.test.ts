/**
 * endpoints for a serverless cache, in every format, read back by a real parser: the
 * endpoint and reader endpoint (6379/6380), TLS always, the cluster protocol, the user of
 * the user group, and its password only with --include-auth. appsettings-xml is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnv } from 'node:util';
import { FORMATS, DEFAULT_KEYS, type FormatName } from '../../src/config/formats/index.js';
import { chooseUser, endpointValues, type ValueOptions } from '../../src/config/values.js';
import { serverlessTopology } from '../../src/aws/serverless.js';
import { UsageError } from '../../src/errors.js';
import type { Topology } from '../../src/topology.js';

const cache: Topology = serverlessTopology(
  {
    ServerlessCacheName: 'sessions',
    Status: 'available',
    Engine: 'valkey',
    MajorEngineVersion: '8',
    FullEngineVersion: '8.0',
    Endpoint: { Address: 'sessions-abc.serverless.use1.cache.amazonaws.com', Port: 6379 },
    ReaderEndpoint: { Address: 'sessions-abc.serverless.use1.cache.amazonaws.com', Port: 6380 },
    UserGroupId: 'app-users',
    ARN: 'arn:aws:elasticache:us-east-1:123456789012:serverlesscache:sessions',
  },
  ['default', 'app'],
);
const host = 'sessions-abc.serverless.use1.cache.amazonaws.com';
const password = "p@ss:w/rd'#1234567";

async function output(format: FormatName, topology: Topology, options: ValueOptions = {}) {
  const module = await FORMATS[format].load();
  const input = { topology, values: endpointValues(topology, options), keys: DEFAULT_KEYS };
  return module.renderSnippet ? module.renderSnippet(input) : module.render(input);
}

test('the Topology of a serverless cache: kind serverless, TLS always, cluster protocol, no nodes', () => {
  assert.equal(cache.kind, 'serverless');
  assert.equal(cache.tls, true);
  assert.equal(cache.clusterMode, true);
  assert.equal(cache.authRequired, true, 'a user group means users must authenticate');
  assert.deepEqual(cache.primaryEndpoint, { address: host, port: 6379 });
  assert.deepEqual(cache.readerEndpoint, { address: host, port: 6380 });
  assert.deepEqual(cache.nodes, []);
  assert.equal(cache.engineVersion, '8.0');
});

test('url: endpoint and reader lines, rediss://user@host, the password only with --include-auth', async () => {
  const lines = (await output('url', cache)).trim().split('\n');
  assert.deepEqual(lines, [`endpoint rediss://app@${host}:6379`, `reader rediss://app@${host}:6380`]);
  const withPassword = new URL(
    (await output('url', cache, { includeAuth: true, authToken: password })).split(/\s+/)[1]!,
  );
  assert.equal(withPassword.protocol, 'rediss:');
  assert.equal(decodeURIComponent(withPassword.username), 'app');
  assert.equal(decodeURIComponent(withPassword.password), password);
  assert.equal(withPassword.port, '6379');
});

test('appsettings-json: Endpoint, ReaderEndpoint, Tls, ClusterProtocol, User (AuthToken only when asked)', async () => {
  assert.deepEqual(JSON.parse(await output('appsettings-json', cache)), {
    ElastiCache: {
      Endpoint: `${host}:6379`,
      ReaderEndpoint: `${host}:6380`,
      Tls: true,
      ClusterProtocol: true,
      User: 'app',
    },
  });
  const withPassword = JSON.parse(await output('appsettings-json', cache, { includeAuth: true, authToken: password }));
  assert.equal(withPassword.ElastiCache.AuthToken, password);
});

test('dotenv, shell and github: ELASTICACHE_ENDPOINT, _READER_ENDPOINT, _TLS=true, _USER', async () => {
  const env = parseEnv(await output('dotenv', cache, { includeAuth: true, authToken: 'Secret-Password-0123' }));
  assert.equal(env.ELASTICACHE_ENDPOINT, `${host}:6379`);
  assert.equal(env.ELASTICACHE_READER_ENDPOINT, `${host}:6380`);
  assert.equal(env.ELASTICACHE_TLS, 'true');
  assert.equal(env.ELASTICACHE_CLUSTER_MODE, 'true');
  assert.equal(env.ELASTICACHE_USER, 'app');
  assert.equal(env.ELASTICACHE_AUTH_TOKEN, 'Secret-Password-0123');
  assert.equal(env.ELASTICACHE_PRIMARY, undefined);
  assert.match(await output('shell', cache), new RegExp(`^export ELASTICACHE_ENDPOINT='${host}:6379'$`, 'm'));
  assert.match(await output('github', cache), new RegExp(`^ELASTICACHE_READER_ENDPOINT=${host}:6380$`, 'm'));
});

test('stackexchange: the endpoint alone, ssl=true, the user; password= only when asked', async () => {
  assert.equal((await output('stackexchange', cache)).trim(), `${host}:6379,ssl=true,user=app,abortConnect=false`);
  assert.equal(
    (await output('stackexchange', cache, { includeAuth: true, authToken: 'Secret-Password-0123' })).trim(),
    `${host}:6379,ssl=true,user=app,password=Secret-Password-0123,abortConnect=false`,
  );
});

test('appsettings-xml is refused in one line: ServiceStack.Redis has no cluster-protocol support', async () => {
  await assert.rejects(
    output('appsettings-xml', cache),
    (e: unknown) =>
      e instanceof UsageError &&
      !e.message.includes('\n') &&
      /sessions: it is a serverless cache, which speaks only the cluster protocol and ServiceStack\.Redis/.test(
        e.message,
      ) &&
      /use --format appsettings-json/.test(e.message),
  );
});

test('json: the Topology itself, with the user group and its users', async () => {
  const parsed = JSON.parse(await output('json', cache)) as Topology;
  assert.equal(parsed.kind, 'serverless');
  assert.equal(parsed.userGroupId, 'app-users');
  assert.deepEqual(parsed.users, ['default', 'app']);
});

test('the user: --user must be in the group; default only when it is the only one; none without a group', () => {
  assert.equal(chooseUser(cache, undefined), 'app');
  assert.equal(chooseUser(cache, 'default'), 'default');
  assert.throws(() => chooseUser(cache, 'nobody'), /--user nobody is not in user group app-users .*default, app/);
  assert.equal(chooseUser({ ...cache, users: ['default'] }, undefined), 'default');
  const open = serverlessTopology({ ServerlessCacheName: 'open', Endpoint: { Address: 'h', Port: 6379 } });
  assert.equal(open.authRequired, false);
  assert.equal(chooseUser(open, undefined), undefined);
  assert.throws(() => chooseUser(open, 'app'), /has no user group/);
  assert.equal(endpointValues(open).user, undefined);
});
