import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORMATS, DEFAULT_KEYS, type FormatName } from '../../src/config/formats/index.js';
import { endpointValues, type ValueOptions } from '../../src/config/values.js';
import { parseHostPort, readTargetsFromConfigFile, readTargetsFromText } from '../../src/config/read-targets.js';
import { UsageError } from '../../src/errors.js';
import type { Topology } from '../../src/topology.js';
import { awkwardToken, clustered, demo, secure } from './sample-topologies.js';

async function written(format: FormatName, topology: Topology, options: ValueOptions = {}): Promise<string> {
  const module = await FORMATS[format].load();
  return module.render({ topology, values: endpointValues(topology, options), keys: DEFAULT_KEYS });
}

const FILE_NAMES: Record<string, string> = {
  json: 'demo.json',
  'appsettings-xml': 'web.config',
  'appsettings-json': 'appsettings.json',
  dotenv: '.env',
  shell: 'endpoints.sh',
  github: 'github_output',
  url: 'urls.txt',
};

const primaryEndpoint = { address: 'master.demo.abc123.use1.cache.amazonaws.com', port: 6379 };
const readerEndpoint = { address: 'replica.demo.abc123.use1.cache.amazonaws.com', port: 6379 };
const nodeAddress = (n: number) => ({ address: `demo-00${n}.demo.abc123.use1.cache.amazonaws.com`, port: 6379 });

test('every format written with --use nodes reads back as the primary node and the replica nodes', async () => {
  for (const format of ['appsettings-xml', 'appsettings-json', 'dotenv', 'shell', 'github'] as const) {
    const text = await written(format, demo, { use: 'nodes' });
    const targets = readTargetsFromText(text, FILE_NAMES[format]!);
    assert.deepEqual(targets.primary, nodeAddress(1), format);
    assert.deepEqual(targets.replicas, [nodeAddress(2), nodeAddress(3)], format);
  }
});

test('the json Topology and url lines always read back as the individual nodes plus the reader endpoint', async () => {
  for (const format of ['json', 'url'] as const) {
    const targets = readTargetsFromText(await written(format, demo), FILE_NAMES[format]!);
    assert.deepEqual(targets.primary, format === 'json' ? nodeAddress(1) : primaryEndpoint, format);
    assert.deepEqual(targets.replicas, [nodeAddress(2), nodeAddress(3)], format);
    assert.deepEqual(targets.reader, readerEndpoint, format);
    assert.equal(targets.tls, false, format);
  }
});

test('--use endpoints files read back as the primary endpoint and the reader endpoint', async () => {
  const targets = readTargetsFromText(await written('dotenv', demo), '.env');
  assert.deepEqual(targets.primary, primaryEndpoint);
  assert.deepEqual(targets.replicas, [readerEndpoint]);
  assert.deepEqual(targets.reader, readerEndpoint);
  assert.equal(targets.format, 'dotenv');
});

test('TLS and the AUTH token survive the round trip in every format that can carry them', async () => {
  for (const format of ['json', 'appsettings-xml', 'appsettings-json', 'dotenv', 'shell', 'url'] as const) {
    const text = await written(format, secure, { includeAuth: true, authToken: awkwardToken });
    const targets = readTargetsFromText(text, FILE_NAMES[format]!);
    assert.equal(targets.tls, true, format);
    assert.equal(targets.authToken, awkwardToken, format);
    assert.equal(targets.primary?.port, 6380, format);
  }
});

test('a cluster-mode file reads back as its configuration endpoint', async () => {
  for (const format of ['json', 'dotenv', 'appsettings-json', 'url'] as const) {
    const targets = readTargetsFromText(await written(format, clustered), FILE_NAMES[format]!);
    assert.deepEqual(targets.configuration, { address: 'clustercfg.sharded.example', port: 6379 }, format);
  }
});

test('the format is detected by content when the extension says nothing', async () => {
  assert.equal(readTargetsFromText(await written('appsettings-xml', demo), 'settings').format, 'appsettings-xml');
  assert.equal(readTargetsFromText(await written('json', demo), 'topology').format, 'json');
  assert.equal(readTargetsFromText(await written('url', demo), 'x').format, 'url');
});

test('host:port parsing: IPv6, default port, ServiceStack password@ and ?ssl=true', () => {
  assert.deepEqual(parseHostPort('[::1]:7000'), { target: { address: '::1', port: 7000 } });
  assert.deepEqual(parseHostPort('cache.local'), { target: { address: 'cache.local', port: 6379 } });
  assert.deepEqual(parseHostPort('pw@cache.local:6380?ssl=true'), {
    target: { address: 'cache.local', port: 6380 },
    tls: true,
    password: 'pw',
  });
  assert.throws(() => parseHostPort('host:99999'), UsageError);
});

test('readTargetsFromConfigFile: usage errors (exit 2) that name the file, and the line for broken content', () => {
  const folder = mkdtempSync(join(tmpdir(), 'read-targets-'));
  try {
    assert.throws(
      () => readTargetsFromConfigFile(join(folder, 'missing.env')),
      (e: unknown) => e instanceof UsageError && /missing\.env/.test(e.message),
    );
    const broken = join(folder, 'appsettings.json');
    writeFileSync(broken, '{\n  "ElastiCache": {\n    "MasterNodes": "a:1"\n  \n}\n');
    assert.throws(
      () => readTargetsFromConfigFile(broken),
      (e: unknown) => e instanceof UsageError && e.exitCode === 2 && /line 6/.test(e.message),
    );
    const empty = join(folder, '.env');
    writeFileSync(empty, 'OTHER=1\n');
    assert.throws(
      () => readTargetsFromConfigFile(empty),
      (e: unknown) => e instanceof UsageError && /no primary endpoint/.test(e.message),
    );
    const good = join(folder, 'web.config');
    writeFileSync(
      good,
      '<configuration><appSettings><add key="MasterNodes" value="p:1"/><add key="SlaveNodes" value="r1:2,r2:3"/></appSettings></configuration>',
    );
    assert.deepEqual(readTargetsFromConfigFile(good), {
      format: 'appsettings-xml',
      primary: { address: 'p', port: 1 },
      replicas: [
        { address: 'r1', port: 2 },
        { address: 'r2', port: 3 },
      ],
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('custom key names and prefixes are honoured when told', () => {
  const targets = readTargetsFromText('APP_REDIS_PRIMARY=p:1\nAPP_REDIS_REPLICAS=r:2\n', '.env', {
    envPrefix: 'APP_REDIS_',
  });
  assert.deepEqual(targets.primary, { address: 'p', port: 1 });
  const json = readTargetsFromText('{"Redis":{"Cache":{"Writer":"w:1","Readers":"r:2"}}}', 'appsettings.json', {
    section: 'Redis:Cache',
    keyPrimary: 'Writer',
    keyReplicas: 'Readers',
  });
  assert.deepEqual(json.replicas, [{ address: 'r', port: 2 }]);
});
