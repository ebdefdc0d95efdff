import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointValues } from '../../src/config/values.js';
import { parseEndpointsRequest, type EndpointsFlags } from '../../src/config/endpoints-request.js';
import { UsageError } from '../../src/errors.js';
import { parseWaitTimeout } from '../../src/plan/rules.js';
import { clustered, demo } from './sample-topologies.js';

const host = (name: string) => `${name}.demo.abc123.use1.cache.amazonaws.com:6379`;

test('endpointValues: endpoints by default — the primary endpoint, and the reader endpoint as the replicas', () => {
  const values = endpointValues(demo);
  assert.equal(values.use, 'endpoints');
  assert.equal(values.primary, host('master'));
  assert.deepEqual(values.replicas, [host('replica')]);
  assert.equal(values.reader, host('replica'));
  assert.deepEqual(values.nodes, { primary: host('demo-001'), replicas: [host('demo-002'), host('demo-003')] });
  assert.equal(values.authToken, undefined);
});

test('endpointValues: --use nodes — each node, whatever order the Topology lists them in', () => {
  const shuffled = { ...demo, nodes: [demo.nodes[2]!, demo.nodes[0]!, demo.nodes[1]!] };
  const values = endpointValues(shuffled, { use: 'nodes' });
  assert.equal(values.primary, host('demo-001'));
  assert.deepEqual(values.replicas, [host('demo-003'), host('demo-002')]);
});

test('endpointValues: no primary endpoint means nodes by default, and --use endpoints is a usage error', () => {
  const { primaryEndpoint: _p, readerEndpoint: _r, ...bare } = demo;
  assert.equal(endpointValues(bare).use, 'nodes');
  assert.throws(() => endpointValues(bare, { use: 'endpoints' }), UsageError);
});

test('endpointValues: a group with no replica has no reader and no replicas', () => {
  const { readerEndpoint: _r, ...single } = demo;
  const values = endpointValues({ ...single, nodes: [demo.nodes[0]!] });
  assert.deepEqual(values.replicas, []);
  assert.equal(values.reader, undefined);
});

test('endpointValues: cluster mode is reported as its configuration endpoint, not a primary', () => {
  const values = endpointValues(clustered, { use: 'nodes' });
  assert.equal(values.clusterMode, true);
  assert.equal(values.configuration, 'clustercfg.sharded.example:6379');
  assert.equal(values.primary, undefined);
  assert.deepEqual(values.replicas, []);
});

test('endpointValues: the token only with includeAuth', () => {
  assert.equal(endpointValues(demo, { authToken: 'x' }).authToken, undefined);
  assert.equal(endpointValues(demo, { includeAuth: true, authToken: 'x' }).authToken, 'x');
});

const parse = (flags: EndpointsFlags, env: NodeJS.ProcessEnv = {}, jsonOutput = false) =>
  parseEndpointsRequest(flags, { jsonOutput, env, parseWaitTimeout });

test('flags: defaults', () => {
  assert.deepEqual(parse({}), {
    format: 'json',
    backup: false,
    wait: false,
    includeAuth: false,
    keys: { keyPrimary: 'MasterNodes', keyReplicas: 'SlaveNodes', section: 'ElastiCache', envPrefix: 'ELASTICACHE_' },
  });
  assert.equal(parse({ wait: true }).waitTimeoutMinutes, 60);
  assert.equal(parse({ wait: true, waitTimeout: '2.5' }).waitTimeoutMinutes, 2.5);
});

test('flags: github goes to $GITHUB_OUTPUT unless --out says otherwise', () => {
  assert.equal(parse({ format: 'github' }, { GITHUB_OUTPUT: '/runner/out' }).out, '/runner/out');
  assert.equal(parse({ format: 'github', out: 'mine' }, { GITHUB_OUTPUT: '/runner/out' }).out, 'mine');
  assert.throws(() => parse({ format: 'github' }), /GITHUB_OUTPUT/);
});

test('flags: the AUTH token source', () => {
  assert.deepEqual(parse({ includeAuth: true, authTokenEnv: 'REDIS_AUTH' }).authSource, {
    kind: 'env',
    name: 'REDIS_AUTH',
  });
  assert.deepEqual(parse({ includeAuth: true, authTokenFile: 'token.txt' }).authSource, {
    kind: 'file',
    path: 'token.txt',
  });
});

const BAD: [EndpointsFlags, RegExp, boolean?][] = [
  [
    { format: 'yaml' },
    /^--format must be one of json, appsettings-xml, appsettings-json, dotenv, shell, github, url, stackexchange \(got yaml\)$/,
  ],
  [{ use: 'primary' }, /^--use must be endpoints or nodes \(got primary\)$/],
  [{ out: ' ' }, /^--out must name a file/],
  [{ backup: true }, /^--backup needs --out FILE/],
  [{ backup: true, format: 'github', out: 'x' }, /^--backup does not apply to --format github/],
  [{ format: 'dotenv' }, /^--output json prints one JSON document/, true],
  [{ waitTimeout: '5' }, /^--wait-timeout only applies with --wait$/],
  [{ wait: true, waitTimeout: 'soon' }, /^--wait-timeout must be minutes/],
  [{ includeAuth: true }, /^--include-auth needs the token from --auth-token-env VAR or --auth-token-file FILE/],
  [{ authTokenEnv: 'X' }, /^--auth-token-env only applies with --include-auth/],
  [{ includeAuth: true, authTokenEnv: 'X', authTokenFile: 'f' }, /give one of them, not both/],
  [{ includeAuth: true, authTokenEnv: 'BAD-NAME' }, /^--auth-token-env must name an environment variable/],
  [{ keyPrimary: '' }, /^--key-primary must be 1-100 letters/],
  [{ keyReplicas: 'a"b' }, /^--key-replicas must be 1-100 letters/],
  [{ keyPrimary: 'Environment' }, /^--key-primary cannot be Environment/],
  [{ keyPrimary: 'Nodes', keyReplicas: 'nodes' }, /^--key-primary and --key-replicas must differ/],
  [{ section: 'A::B' }, /^--section must be a name/],
  [{ envPrefix: '9X' }, /^--env-prefix must be letters, digits and _/],
  [{ environment: 'two\nlines' }, /^--environment must be 1-100 printable characters/],
];

for (const [flags, message, jsonOutput] of BAD) {
  test(`flags: ${JSON.stringify(flags)} is a usage error (exit 2)`, () => {
    assert.throws(
      () => parse(flags, {}, jsonOutput),
      (e: unknown) => e instanceof UsageError && e.exitCode === 2 && message.test(e.message),
    );
  });
}

test('flags: an empty --env-prefix is allowed (PRIMARY, REPLICAS, …)', () => {
  assert.equal(parse({ envPrefix: '' }).keys.envPrefix, '');
});
