// Pure pieces of the process layer: RESP parsing, INFO parsing, config quoting,
// version parsing, orphan recognition; plus one real check that quoting survives redis.
import { test } from 'node:test';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { encodeCommand, parseInfo, parseResp, RespError, respCommand } from '../../src/local/resp.js';
import { onlineReplicaPorts } from '../../src/local/group-runtime.js';
import { findEngineBinary, parseVersionOutput } from '../../src/local/engine-binary.js';
import { quoteConfigValue, renderConfig } from '../../src/local/redis-node.js';
import { isEngineCommandLine } from '../../src/local/orphans.js';
import { startRedisServer } from '../helpers/redis.js';

test('parseResp reads every RESP2 type and waits for incomplete input', () => {
  const buffer = Buffer.from('+OK\r\n-ERR bad\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n$1\r\na\r\n:1\r\n');
  const values: unknown[] = [];
  let offset = 0;
  for (;;) {
    const parsed = parseResp(buffer, offset);
    if (!parsed) break;
    values.push(parsed.value instanceof RespError ? `error:${parsed.value.message}` : parsed.value);
    offset = parsed.next;
  }
  assert.deepEqual(values, ['OK', 'error:ERR bad', 42, 'hello', null, ['a', 1]]);
  assert.equal(parseResp(Buffer.from('$5\r\nhel')), undefined);
  assert.equal(parseResp(Buffer.from('*2\r\n:1\r\n')), undefined);
  assert.equal(encodeCommand(['GET', 'k']).toString(), '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n');
});

test('parseInfo and onlineReplicaPorts read INFO replication', () => {
  const info = parseInfo(
    '# Replication\r\nrole:master\r\nconnected_slaves:2\r\n' +
      'slave0:ip=127.0.0.1,port=7001,state=online,offset=10,lag=0\r\n' +
      'slave1:ip=127.0.0.1,port=7002,state=wait_bgsave,offset=0,lag=0\r\nmaster_repl_offset:10\r\n',
  );
  assert.equal(info.get('role'), 'master');
  assert.equal(info.get('master_repl_offset'), '10');
  assert.deepEqual([...onlineReplicaPorts(info)], [7001]);
});

test('parseVersionOutput knows redis and valkey', () => {
  assert.deepEqual(
    parseVersionOutput('Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=ae4d'),
    {
      engine: 'redis',
      version: '7.0.15',
    },
  );
  assert.deepEqual(parseVersionOutput('Valkey server v=8.1.0 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64'), {
    engine: 'valkey',
    version: '8.1.0',
  });
  assert.equal(parseVersionOutput('something else'), undefined);
});

test('config rendering quotes values and writes secrets only as requirepass/masterauth', () => {
  assert.equal(quoteConfigValue('a"b\\c'), '"a\\"b\\\\c"');
  const config = renderConfig({
    binary: 'redis-server',
    host: '127.0.0.1',
    port: 7000,
    dir: '/tmp/with space',
    password: 'tok',
    replicaOf: { host: '127.0.0.1', port: 7001 },
  });
  assert.match(config, /^dir "\/tmp\/with space"$/m);
  assert.match(config, /^requirepass "tok"$/m);
  assert.match(config, /^masterauth "tok"$/m);
  assert.match(config, /^replicaof 127\.0\.0\.1 7001$/m);
  assert.match(config, /^save ""$/m);
  assert.doesNotMatch(renderConfig({ binary: 'x', host: 'h', port: 1, dir: '/d' }), /requirepass|replicaof/);
});

test('isEngineCommandLine recognises redis/valkey servers, also retitled, and nothing else', () => {
  assert.ok(isEngineCommandLine('/usr/bin/redis-server 127.0.0.1:6379'));
  assert.ok(isEngineCommandLine('valkey-server *:6380'));
  assert.ok(!isEngineCommandLine('/usr/bin/node dist/cli.js'));
  assert.ok(!isEngineCommandLine('redis-cli -p 6379'));
});

test('a password with quotes, backslash, # and $ survives the config file (real redis)', async (t) => {
  const password = `a"b\\c'd#e$f!g~h`;
  const redis = await startRedisServer({ password });
  t.after(() => redis.stop());
  assert.equal(await respCommand({ host: redis.host, port: redis.port, password }, 'PING'), 'PONG');
  await assert.rejects(
    respCommand({ host: redis.host, port: redis.port, password: 'a"b' }, 'PING'),
    /WRONGPASS|invalid/,
  );
});

test('findEngineBinary: PATH lookup order per engine, and the install hint when nothing is found', (t) => {
  const realRedis = findEngineBinary('redis').path;
  const dir = mkdtempSync(join(tmpdir(), 'eck-path-'));
  const savedPath = process.env.PATH;
  t.after(() => {
    process.env.PATH = savedPath;
    rmSync(dir, { recursive: true, force: true });
  });
  // A stand-in valkey-server: only --version is asked of it here.
  writeFileSync(
    join(dir, 'valkey-server'),
    '#!/bin/sh\necho "Valkey server v=8.0.2 sha=00000000:0 malloc=libc bits=64"\n',
  );
  chmodSync(join(dir, 'valkey-server'), 0o755);
  process.env.PATH = `${dir}:${dirname(realRedis)}`;
  assert.deepEqual(findEngineBinary('valkey'), {
    path: join(dir, 'valkey-server'),
    engine: 'valkey',
    version: '8.0.2',
  });
  // Each binary is asked once per process, until it is replaced.
  writeFileSync(
    join(dir, 'valkey-server'),
    '#!/bin/sh\necho "Valkey server v=8.1.10 sha=00000000:0 malloc=libc bits=64"\n',
  );
  assert.equal(findEngineBinary('valkey').version, '8.1.10', 'a binary replaced in place is asked again');
  assert.equal(findEngineBinary('redis').path, realRedis, 'redis prefers redis-server');
  process.env.PATH = dir;
  assert.equal(findEngineBinary('redis').engine, 'valkey', 'redis falls back to valkey-server');
  process.env.PATH = join(dir, 'empty');
  assert.throws(
    () => findEngineBinary('valkey'),
    /^Error: redis-server not found on PATH: install it \(Debian\/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis\) or pass --redis-server PATH$/,
  );
});
