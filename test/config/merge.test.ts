/**
 * Merging into realistic files: only the owned keys change; every other byte (comments,
 * declaration, indentation, other keys and their order, line endings, the final newline)
 * stays. Each merge is checked three ways: byte-for-byte against a reviewed golden file,
 * by a line diff that may only touch owned keys, and by merging twice (idempotent).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { FORMATS, DEFAULT_KEYS, type FormatName, type KeySettings } from '../../src/config/formats/index.js';
import { ConfigParseError } from '../../src/config/errors.js';
import { endpointValues, type ValueOptions } from '../../src/config/values.js';
import { readTargetsFromText } from '../../src/config/read-targets.js';
import { demo } from './sample-topologies.js';
import { changedLines } from './line-diff.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/config/', import.meta.url));
const fixture = (name: string) => readFileSync(join(FIXTURES, 'merge', name), 'utf8');

async function merge(
  format: FormatName,
  existing: string,
  options: ValueOptions = {},
  keys: Partial<KeySettings> = {},
) {
  const module = await FORMATS[format].load();
  return module.merge!(existing, {
    topology: demo,
    values: endpointValues(demo, options),
    keys: { ...DEFAULT_KEYS, ...keys },
  });
}

function golden(name: string, actual: string): void {
  const path = join(FIXTURES, 'golden', name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    writeFileSync(path, actual);
    if (process.env.UPDATE_GOLDEN !== '1')
      assert.fail(`golden file ${name} was missing and has been written: check it and run again`);
  }
  assert.equal(actual, readFileSync(path, 'utf8'), `merge result differs from golden file ${name}`);
}

function onlyOwnedLinesChanged(before: string, after: string, owned: RegExp): void {
  const { removed, added } = changedLines(before, after);
  for (const line of [...removed, ...added])
    assert.match(line, owned, `a line the tool does not own changed: ${JSON.stringify(line)}`);
}

const nodesProduction: ValueOptions = { use: 'nodes', environment: 'Production' };
const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => name === 'add',
});

test('web.config with other sections, comments, CDATA and keys: only the owned <add> values change', async () => {
  const before = fixture('web.config');
  const after = await merge('appsettings-xml', before, nodesProduction);
  golden('merged-web.config', after);
  onlyOwnedLinesChanged(before, after, /key=["'](MasterNodes|SlaveNodes|Environment)["']/);
  // The single-quoted, value-first entry keeps its quotes, order and spacing.
  assert.match(after, /<add value='demo-001\.demo\.abc123\.use1\.cache\.amazonaws\.com:6379'   key='MasterNodes'\/>/);
  // The comment mentioning MasterNodes and the CDATA mentioning SlaveNodes are untouched.
  assert.match(after, /<add key="MasterNodes" value="commented-out:6379" \/> must not be touched/);
  assert.match(after, /value="in-cdata"/);
  assert.equal(await merge('appsettings-xml', after, nodesProduction), after, 'merging again changes nothing');
  const parsed = xmlParser.parse(after) as {
    configuration: { appSettings: { add: { key: string; value: string }[] } };
  };
  const settings = Object.fromEntries(parsed.configuration.appSettings.add.map((a) => [a.key, a.value]));
  assert.equal(settings.FeatureFlags, 'a&b');
  assert.equal(settings.Environment, 'Production');
  assert.deepEqual(
    readTargetsFromText(after, 'web.config').replicas.map((r) => r.address),
    ['demo-002.demo.abc123.use1.cache.amazonaws.com', 'demo-003.demo.abc123.use1.cache.amazonaws.com'],
  );
});

test('web.config with CRLF line endings keeps them, including in the added entry', async () => {
  const before = fixture('web.config').replace(/\n/g, '\r\n');
  const after = await merge('appsettings-xml', before, nodesProduction);
  assert.equal(after, readFileSync(join(FIXTURES, 'golden', 'merged-web.config'), 'utf8').replace(/\n/g, '\r\n'));
  assert.doesNotMatch(after, /[^\r]\n/);
});

test('a config without <appSettings> gets the section before </configuration>, tab-indented like the file', async () => {
  const before = fixture('no-appsettings.config');
  const after = await merge('appsettings-xml', before, nodesProduction);
  golden('merged-no-appsettings.config', after);
  assert.ok(
    after.startsWith(before.slice(0, before.lastIndexOf('</configuration>'))),
    'everything before the insertion is unchanged',
  );
  assert.ok(
    after.endsWith('\t</appSettings>\n</configuration>'),
    'no newline is added at the end of a file that had none',
  );
});

test('a self-closing <appSettings file=…/> is opened up, its attributes and the rest kept', async () => {
  const after = await merge('appsettings-xml', fixture('self-closing.config'));
  golden('merged-self-closing.config', after);
  assert.match(after, /^<configuration>\n {4}<appSettings file="local.config">\n {8}<add key="MasterNodes"/);
  assert.match(after, /\n {4}<\/appSettings>\n {4}<runtime \/>\n<\/configuration>\n$/);
});

test('XML values are escaped for the quote they sit in; custom key names are used', async () => {
  const before = `<configuration><appSettings><add key='Writer' value='x'/></appSettings></configuration>`;
  const after = await merge(
    'appsettings-xml',
    before,
    { environment: `it's <"&">` },
    { keyPrimary: 'Writer', keyReplicas: 'Readers' },
  );
  assert.match(
    after,
    /^<configuration><appSettings><add key='Writer' value='master\.demo[^']*'\/>\n {2}<add key='Readers' value='replica/,
  );
  assert.match(after, /value='it&apos;s &lt;"&amp;"&gt;'/);
  const parsed = xmlParser.parse(after) as {
    configuration: { appSettings: { add: { key: string; value: string }[] } };
  };
  assert.equal(parsed.configuration.appSettings.add.find((a) => a.key === 'Environment')?.value, `it's <"&">`);
});

test('appsettings.json with nested sections and comments: only the owned keys of the section change', async () => {
  const before = fixture('appsettings.json');
  const after = await merge('appsettings-json', before, nodesProduction);
  golden('merged-appsettings.json', after);
  onlyOwnedLinesChanged(before, after, /"(MasterNodes|SlaveNodes|Port|Tls|Environment)":/);
  assert.match(after, /"ConnectTimeoutMs": 5000,/, 'a key of ours in the section that we do not own stays');
  assert.match(after, /"Nested": \{ "MasterNodes": "not this one" \}/, 'only the section’s own level is ours');
  assert.match(after, /"Tls": false, \/\/ stays a boolean, new value/);
  assert.equal(await merge('appsettings-json', after, nodesProduction), after);
  const targets = readTargetsFromText(after, 'appsettings.json');
  assert.equal(targets.primary?.address, 'demo-001.demo.abc123.use1.cache.amazonaws.com');
});

test('appsettings.json without the section: appended with the file’s 4-space indentation; JSON.parse agrees', async () => {
  const before = fixture('appsettings-no-section.json');
  const after = await merge('appsettings-json', before, {}, { section: 'Caching:ElastiCache' });
  golden('merged-appsettings-no-section.json', after);
  assert.ok(after.startsWith(before.slice(0, before.indexOf('"*"') + 3) + ','));
  const parsed = JSON.parse(after) as Record<string, any>;
  assert.deepEqual(Object.keys(parsed), ['Logging', 'AllowedHosts', 'Caching']);
  assert.equal(parsed.Caching.ElastiCache.MasterNodes, 'master.demo.abc123.use1.cache.amazonaws.com:6379');
  assert.equal(parsed.Caching.ElastiCache.Port, 6379);
});

test('appsettings.json: one-line and empty objects, trailing commas, and a section that is not an object', async () => {
  const oneLine = await merge('appsettings-json', '{"a": 1, "ElastiCache": {"Port": 1}}');
  assert.match(
    oneLine,
    /^\{"a": 1, "ElastiCache": \{"Port": 6379, "MasterNodes": "master[^"]*", "SlaveNodes": "replica[^"]*", "Tls": false\}\}$/,
  );
  const trailing = await merge('appsettings-json', '{\n  "a": 1,\n}\n');
  assert.match(trailing, /^\{\n {2}"a": 1,\n {2}"ElastiCache": \{\n/);
  assert.match(trailing, /\n {2}\},\n\}\n$/, 'the trailing-comma style is kept');
  await assert.rejects(
    merge('appsettings-json', '{\n  "ElastiCache": "redis:6379"\n}'),
    (e: unknown) => e instanceof ConfigParseError && e.line === 2 && /expected an object/.test(e.message),
  );
  await assert.rejects(
    merge('appsettings-json', '[1]'),
    (e: unknown) => e instanceof ConfigParseError && /top level/.test(e.message),
  );
});

test('.env with unrelated keys, comments, export, a multi-line quoted value: only owned keys change', async () => {
  const before = fixture('app.env');
  const after = await merge('dotenv', before);
  golden('merged-app.env', after);
  onlyOwnedLinesChanged(before, after, /^ELASTICACHE_(PRIMARY|REPLICAS|READER|PORT|TLS) ?=/);
  assert.match(after, /ELASTICACHE_REPLICAS=inside-a-quoted-value/, 'a line inside a quoted value is not a key');
  assert.match(after, /^elasticache_port=1$/m, 'names are case-sensitive in .env files');
  assert.match(
    after,
    /^ELASTICACHE_PRIMARY=master\.demo\.abc123\.use1\.cache\.amazonaws\.com:6379 # written last week$/m,
  );
  assert.equal(await merge('dotenv', after), after);
  const parsed = parseEnv(after);
  assert.equal(parsed.DATABASE_URL, 'postgres://user:pw@db:5432/app');
  assert.equal(parsed.ELASTICACHE_TLS, 'false');
  assert.equal(parsed.ELASTICACHE_PORT, '6379');
});

test('.env with CRLF endings and no final newline keeps both', async () => {
  const after = await merge('dotenv', fixture('crlf-no-newline.env'));
  assert.ok(after.startsWith('A=1\r\n# comment\r\nELASTICACHE_PORT=6379\r\nELASTICACHE_PRIMARY='));
  assert.ok(after.endsWith('ELASTICACHE_TLS=false'));
  assert.doesNotMatch(after, /[^\r]\n/);
});

test('shell files: export lines replaced in place, anything else in the script left alone', async () => {
  const before = '#!/bin/sh\nset -e\nexport ELASTICACHE_PRIMARY=\'old:1\'\nif [ -n "$X" ]; then echo hi; fi\n';
  const after = await merge('shell', before);
  onlyOwnedLinesChanged(before, after, /^export ELASTICACHE_(PRIMARY|REPLICAS|READER|PORT|TLS)=/);
  assert.match(after, /^export ELASTICACHE_PRIMARY='master\.demo[^']*'$/m);
});

const BROKEN: [string, FormatName, string, number][] = [
  [
    'an unclosed element',
    'appsettings-xml',
    '<configuration>\n  <appSettings>\n    <add key="a" value="b">\n  </appSettings>\n</configuration>\n',
    4,
  ],
  [
    'a stray ampersand',
    'appsettings-xml',
    '<configuration>\n  <appSettings>\n    <add key="a" value="b & c" />\n  </appSettings>\n</configuration>\n',
    3,
  ],
  ['a different root', 'appsettings-xml', '<?xml version="1.0"?>\n<settings />\n', 2],
  ['a missing comma', 'appsettings-json', '{\n  "Logging": {},\n  "AllowedHosts": "*"\n  "Other": 1\n}\n', 4],
  ['an unclosed object', 'appsettings-json', '{\n  "Logging": {\n    "LogLevel": {}\n', 4],
  ['a line that is not NAME=value', 'dotenv', 'A=1\nthis is not an assignment\n', 2],
  ['an unclosed quote', 'dotenv', 'A=1\nB="never closed\nC=3\n', 2],
];

for (const [what, format, text, line] of BROKEN) {
  test(`broken input (${format}, ${what}): ConfigParseError naming line ${line}`, async () => {
    const module = await FORMATS[format].load();
    assert.throws(
      () => module.check!(text),
      (e: unknown) => e instanceof ConfigParseError && e.line === line && e.exitCode === 1,
    );
    await assert.rejects(merge(format, text), (e: unknown) => e instanceof ConfigParseError && e.line === line);
  });
}

test('formats that replace the whole file refuse a file they did not write', async () => {
  const json = await FORMATS.json.load();
  assert.throws(
    () => json.check!('{\n  "Logging": {}\n}\n'),
    (e: unknown) => e instanceof ConfigParseError && /--format appsettings-json/.test(e.message),
  );
  assert.throws(() => json.check!('not json'), ConfigParseError);
  json.check!(JSON.stringify(demo));
  json.check!('');
  const url = await FORMATS.url.load();
  assert.throws(
    () => url.check!('primary redis://a:1\nsomething else\n'),
    (e: unknown) => e instanceof ConfigParseError && e.line === 2,
  );
  url.check!('primary redis://a:1\r\nreplica rediss://:p%40@b:2\r\n');
});
