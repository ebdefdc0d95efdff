/**
 * Golden outputs for every format, and a real parser reading each one back: fast-xml-parser
 * for XML, JSON.parse, bash sourcing the shell output, Node's dotenv parser (util.parseEnv),
 * the WHATWG URL parser. Set UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { FORMATS, DEFAULT_KEYS, type FormatName } from '../../src/config/formats/index.js';
import { endpointValues, type ValueOptions } from '../../src/config/values.js';
import { githubLine } from '../../src/config/formats/github.js';
import { quoteShell } from '../../src/config/formats/shell.js';
import { UsageError } from '../../src/errors.js';
import type { Topology } from '../../src/topology.js';
import { awkwardToken, clustered, demo, secure } from './sample-topologies.js';

const GOLDEN = fileURLToPath(new URL('../../../test/fixtures/config/golden/', import.meta.url));

async function output(
  format: FormatName,
  topology: Topology,
  options: ValueOptions = {},
  kind: 'stdout' | 'file' = 'stdout',
) {
  const module = await FORMATS[format].load();
  const input = { topology, values: endpointValues(topology, options), keys: DEFAULT_KEYS };
  return kind === 'stdout' && module.renderSnippet ? module.renderSnippet(input) : module.render(input);
}

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
    if (process.env.UPDATE_GOLDEN !== '1')
      assert.fail(`golden file ${name} was missing and has been written: check it and run again`);
  }
  assert.equal(actual, readFileSync(path, 'utf8'), `output differs from golden file ${name}`);
}

const withAuth = { includeAuth: true, authToken: awkwardToken };
const CASES: [string, FormatName, Topology, ValueOptions, ('stdout' | 'file')?][] = [
  ['json-demo.json', 'json', demo, {}],
  ['json-secure-auth.json', 'json', secure, withAuth],
  ['appsettings-xml-demo.xml', 'appsettings-xml', demo, {}],
  ['appsettings-xml-nodes-environment.xml', 'appsettings-xml', demo, { use: 'nodes', environment: 'Production' }],
  ['appsettings-xml-secure-auth.xml', 'appsettings-xml', secure, withAuth],
  ['appsettings-xml-new-file.config', 'appsettings-xml', demo, {}, 'file'],
  ['appsettings-json-demo.json', 'appsettings-json', demo, {}],
  ['appsettings-json-cluster.json', 'appsettings-json', clustered, {}],
  ['dotenv-demo.env', 'dotenv', demo, {}],
  ['dotenv-secure-auth.env', 'dotenv', secure, withAuth],
  ['shell-demo.sh', 'shell', demo, { use: 'nodes' }],
  ['shell-secure-auth.sh', 'shell', secure, withAuth],
  ['github-demo.txt', 'github', demo, {}],
  ['url-demo.txt', 'url', demo, {}],
  ['url-secure-auth.txt', 'url', secure, withAuth],
  ['url-cluster.txt', 'url', clustered, {}],
  ['dotenv-cluster.env', 'dotenv', clustered, {}],
  ['shell-cluster.sh', 'shell', clustered, {}],
  ['github-cluster.txt', 'github', clustered, {}],
  ['stackexchange-cluster.txt', 'stackexchange', clustered, {}],
  ['stackexchange-demo.txt', 'stackexchange', demo, {}],
  ['stackexchange-secure-auth.txt', 'stackexchange', secure, withAuth],
];

for (const [name, format, topology, options, kind] of CASES) {
  test(`golden: ${name}`, async () => golden(name, await output(format, topology, options, kind)));
}

test('json: JSON.parse gives back the Topology, with authToken only when asked', async () => {
  assert.deepEqual(JSON.parse(await output('json', demo)), demo);
  assert.equal(JSON.parse(await output('json', secure, withAuth)).authToken, awkwardToken);
  assert.doesNotMatch(await output('json', secure, { authToken: awkwardToken }), /s3cr/);
});

test('appsettings-xml: fast-xml-parser reads the keys back, escaped values intact', async () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'add' });
  const snippet = parser.parse(await output('appsettings-xml', secure, withAuth)) as {
    appSettings: { add: { key: string; value: string }[] };
  };
  const settings = Object.fromEntries(snippet.appSettings.add.map((a) => [a.key, a.value]));
  assert.deepEqual(settings, {
    MasterNodes: 'master.secure.example:6380?ssl=true',
    SlaveNodes: 'replica.secure.example:6380?ssl=true',
    AuthToken: awkwardToken,
  });
  const file = parser.parse(await output('appsettings-xml', demo, { use: 'nodes' }, 'file')) as {
    configuration: { appSettings: { add: { key: string; value: string }[] } };
  };
  assert.equal(
    file.configuration.appSettings.add[1]!.value,
    'demo-002.demo.abc123.use1.cache.amazonaws.com:6379,demo-003.demo.abc123.use1.cache.amazonaws.com:6379',
  );
});

test('appsettings-xml refuses a cluster-mode group with exit 2 and says what to use instead', async () => {
  await assert.rejects(
    output('appsettings-xml', clustered),
    (e: unknown) =>
      e instanceof UsageError &&
      !e.message.includes('\n') &&
      /cluster-mode enabled and ServiceStack\.Redis \(MasterNodes\/SlaveNodes\) has no cluster support/.test(
        e.message,
      ) &&
      /use --format appsettings-json, stackexchange, url, dotenv, shell, github or json/.test(e.message),
  );
});

test('cluster mode in the env formats: the configuration endpoint and CLUSTER_MODE=true, as dotenv parses them', async () => {
  const env = parseEnv(await output('dotenv', clustered));
  assert.equal(env.ELASTICACHE_CONFIGURATION_ENDPOINT, 'clustercfg.sharded.example:6379');
  assert.equal(env.ELASTICACHE_CLUSTER_MODE, 'true');
  assert.equal(env.ELASTICACHE_TLS, 'true');
  assert.equal(env.ELASTICACHE_PRIMARY, undefined, 'no primary endpoint in cluster mode');
  assert.equal(
    (await output('stackexchange', clustered)).trim(),
    'clustercfg.sharded.example:6379,ssl=true,abortConnect=false',
    'StackExchange.Redis seeds from the one configuration endpoint and discovers the shards',
  );
});

test('appsettings-json: JSON.parse reads the section back', async () => {
  const parsed = JSON.parse(await output('appsettings-json', secure, { ...withAuth, environment: 'Staging' }));
  assert.deepEqual(parsed, {
    ElastiCache: {
      MasterNodes: 'master.secure.example:6380',
      SlaveNodes: 'replica.secure.example:6380',
      Port: 6380,
      Tls: true,
      Environment: 'Staging',
      AuthToken: awkwardToken,
    },
  });
});

test('dotenv: Node’s dotenv parser reads every value back exactly, the awkward token included', async () => {
  const parsed = parseEnv(await output('dotenv', secure, withAuth));
  assert.equal(parsed.ELASTICACHE_PRIMARY, 'master.secure.example:6380');
  assert.equal(parsed.ELASTICACHE_TLS, 'true');
  assert.equal(parsed.ELASTICACHE_AUTH_TOKEN, awkwardToken);
  const plain = parseEnv(await output('dotenv', demo, { use: 'nodes' }));
  assert.equal(
    plain.ELASTICACHE_REPLICAS,
    'demo-002.demo.abc123.use1.cache.amazonaws.com:6379,demo-003.demo.abc123.use1.cache.amazonaws.com:6379',
  );
  assert.equal(plain.ELASTICACHE_AUTH_TOKEN, undefined);
});

test('shell: bash sources the output and sees every value exactly', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'shell-format-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const file = join(folder, 'endpoints.sh');
  writeFileSync(file, await output('shell', secure, { ...withAuth, environment: "it's $HOME `id`" }));
  const script =
    'source "$1"; printf "%s\\n" "$ELASTICACHE_PRIMARY" "$ELASTICACHE_REPLICAS" "$ELASTICACHE_TLS" "$ELASTICACHE_ENVIRONMENT" "$ELASTICACHE_AUTH_TOKEN"';
  const seen = execFileSync('bash', ['-c', script, 'bash', file], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: '/nowhere' },
  });
  assert.deepEqual(seen.split('\n').slice(0, 5), [
    'master.secure.example:6380',
    'replica.secure.example:6380',
    'true',
    "it's $HOME `id`",
    awkwardToken,
  ]);
  // eval "$(…)" works the same way.
  const evaluated = execFileSync(
    'bash',
    ['-c', 'eval "$(cat "$1")"; printf "%s" "$ELASTICACHE_AUTH_TOKEN"', 'bash', file],
    { encoding: 'utf8' },
  );
  assert.equal(evaluated, awkwardToken);
  assert.equal(quoteShell("a'b"), `'a'\\''b'`);
});

test('github: lines in the form the Actions runner parses; a value with a line break uses a heredoc delimiter', async () => {
  const text = await output('github', demo, { environment: 'Production' });
  const outputs = parseGithubOutput(text);
  assert.equal(outputs.get('ELASTICACHE_PRIMARY'), 'master.demo.abc123.use1.cache.amazonaws.com:6379');
  assert.equal(outputs.get('ELASTICACHE_ENVIRONMENT'), 'Production');
  const multiline = githubLine('X', 'one\nX=injected', () => 'EOF_1');
  assert.equal(multiline, 'X<<EOF_1\none\nX=injected\nEOF_1\n');
  assert.deepEqual(
    [...parseGithubOutput(multiline + 'Y=2\n')],
    [
      ['X', 'one\nX=injected'],
      ['Y', '2'],
    ],
  );
  // A delimiter that occurs in the value is never used.
  let calls = 0;
  const avoided = githubLine('X', 'a\nD0\nb', () => `D${calls++}`);
  assert.match(avoided, /^X<<D1\n/);
});

test('stackexchange: ssl=true exactly when the group has TLS; the token only when asked', async () => {
  const parse = (text: string) =>
    new Map(
      text
        .trim()
        .split(',')
        .filter((part) => part.includes('='))
        .map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]),
    );
  const secureOptions = parse(await output('stackexchange', secure, withAuth));
  assert.equal(secureOptions.get('ssl'), 'true');
  assert.equal(
    secureOptions.get('password'),
    awkwardToken,
    'StackExchange.Redis splits at the first =: the token comes back whole',
  );
  assert.equal(parse(await output('stackexchange', demo)).get('ssl'), undefined, 'no TLS: no ssl option');
  assert.equal(parse(await output('stackexchange', secure)).get('password'), undefined);
  assert.match(
    await output('stackexchange', secure),
    /^master\.secure\.example:6380,replica\.secure\.example:6380,ssl=true,abortConnect=false\n$/,
  );
});

test('url: the URL parser reads scheme, host, port and the percent-encoded token back', async () => {
  const lines = (await output('url', secure, withAuth)).trim().split('\n');
  assert.deepEqual(
    lines.map((l) => l.split(' ')[0]),
    ['primary', 'reader', 'replica'],
  );
  const url = new URL(lines[0]!.split(' ')[1]!);
  assert.equal(url.protocol, 'rediss:');
  assert.equal(url.hostname, 'master.secure.example');
  assert.equal(url.port, '6380');
  assert.equal(decodeURIComponent(url.password), awkwardToken);
  assert.doesNotMatch(await output('url', secure, { authToken: awkwardToken }), /@/);
});

/** The runner's reading of $GITHUB_OUTPUT: NAME=value, or NAME<<DELIMITER … DELIMITER. */
function parseGithubOutput(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      result.set(heredoc[1]!, lines.slice(i + 1, end).join('\n'));
      i = end;
    } else {
      const eq = line.indexOf('=');
      result.set(line.slice(0, eq), line.slice(eq + 1));
    }
  }
  return result;
}
