/**
 * The pure parts of serverless caches: request validation, RESP frame boundaries, the
 * ECPU token bucket and ACL translation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryParams } from '../../src/local/query-protocol.js';
import { parseCreateServerlessCache, parseModifyServerlessCache } from '../../src/local/serverless-rules.js';
import { frameEnd, PendingBytes, requestEnd, requestName } from '../../src/local/resp-frames.js';
import { EcpuLimiter, ecpusFor } from '../../src/local/ecpu-limiter.js';
import { aclSetUserArgs, checkAccessString, passwordHash } from '../../src/local/acl.js';
import { encodeCommand } from '../../src/local/resp.js';

const params = (fields: Record<string, string>) => QueryParams.parse(new URLSearchParams(fields).toString());
const code = (code: string) => (error: unknown) => (error as { code?: string }).code === code;

test('CreateServerlessCache: defaults, lowercase name, limits parsed', () => {
  const spec = parseCreateServerlessCache(
    params({
      ServerlessCacheName: 'My-Cache',
      Engine: 'Redis',
      'CacheUsageLimits.DataStorage.Maximum': '10',
      'CacheUsageLimits.DataStorage.Unit': 'GB',
      'CacheUsageLimits.ECPUPerSecond.Maximum': '5000',
      'SecurityGroupIds.SecurityGroupId.1': 'sg-1',
      'SubnetIds.SubnetId.1': 'subnet-1',
      UserGroupId: 'App',
    }),
  );
  assert.equal(spec.name, 'my-cache');
  assert.equal(spec.engine, 'redis');
  assert.equal(spec.majorEngineVersion, '7');
  assert.deepEqual(spec.cacheUsageLimits, {
    dataStorage: { unit: 'GB', maximum: 10, minimum: undefined },
    ecpuPerSecond: { maximum: 5000, minimum: undefined },
  });
  assert.deepEqual(spec.securityGroupIds, ['sg-1']);
  assert.deepEqual(spec.subnetIds, ['subnet-1']);
  assert.equal(spec.userGroupId, 'app');
  assert.equal(spec.dailySnapshotTime, '04:00');
  assert.equal(
    parseCreateServerlessCache(params({ ServerlessCacheName: 'v', Engine: 'valkey' })).majorEngineVersion,
    '8',
  );
});

test('CreateServerlessCache: the service rules refuse bad input with its codes', () => {
  const base = { ServerlessCacheName: 'ok', Engine: 'valkey' };
  const cases: [Record<string, string>, string][] = [
    [{ ...base, ServerlessCacheName: '1abc' }, 'InvalidParameterValue'],
    [{ ...base, ServerlessCacheName: 'a--b' }, 'InvalidParameterValue'],
    [{ ...base, ServerlessCacheName: 'a'.repeat(41) }, 'InvalidParameterValue'],
    [{ ServerlessCacheName: 'ok' }, 'MissingParameter'],
    [{ ...base, Engine: 'mysql' }, 'InvalidParameterValue'],
    [{ ...base, MajorEngineVersion: '6' }, 'InvalidParameterValue'],
    [{ ...base, 'CacheUsageLimits.DataStorage.Maximum': '10' }, 'InvalidParameterValue'],
    [
      { ...base, 'CacheUsageLimits.DataStorage.Maximum': '10', 'CacheUsageLimits.DataStorage.Unit': 'TB' },
      'InvalidParameterValue',
    ],
    [
      { ...base, 'CacheUsageLimits.DataStorage.Maximum': '5001', 'CacheUsageLimits.DataStorage.Unit': 'GB' },
      'InvalidParameterValue',
    ],
    [{ ...base, 'CacheUsageLimits.ECPUPerSecond.Maximum': '999' }, 'InvalidParameterValue'],
    [{ ...base, 'CacheUsageLimits.ECPUPerSecond.Maximum': '15000001' }, 'InvalidParameterValue'],
    [
      { ...base, 'CacheUsageLimits.ECPUPerSecond.Maximum': '2000', 'CacheUsageLimits.ECPUPerSecond.Minimum': '3000' },
      'InvalidParameterCombination',
    ],
    [{ ...base, DailySnapshotTime: '25:00' }, 'InvalidParameterValue'],
    [{ ...base, SnapshotRetentionLimit: '36' }, 'InvalidParameterValue'],
  ];
  for (const [fields, expected] of cases) {
    assert.throws(() => parseCreateServerlessCache(params(fields)), code(expected), JSON.stringify(fields));
  }
});

test('ModifyServerlessCache: RemoveUserGroup with UserGroupId is a combination error; remove means null', () => {
  assert.throws(
    () => parseModifyServerlessCache(params({ ServerlessCacheName: 'c', RemoveUserGroup: 'true', UserGroupId: 'g' })),
    code('InvalidParameterCombination'),
  );
  assert.equal(
    parseModifyServerlessCache(params({ ServerlessCacheName: 'c', RemoveUserGroup: 'true' })).userGroupId,
    null,
  );
  assert.equal(parseModifyServerlessCache(params({ ServerlessCacheName: 'c' })).userGroupId, undefined);
});

test('frameEnd: every RESP2/RESP3 type, nested, and incomplete input', () => {
  const whole = (text: string) => frameEnd(Buffer.from(text), 0);
  assert.equal(whole('+OK\r\n'), 5);
  assert.equal(whole('-ERR x\r\n'), 8);
  assert.equal(whole(':12\r\n'), 5);
  assert.equal(whole('$3\r\nabc\r\n'), 9);
  assert.equal(whole('$-1\r\n'), 5);
  assert.equal(whole('*-1\r\n'), 5);
  assert.equal(whole('*2\r\n$1\r\na\r\n*1\r\n:1\r\n'), 19);
  assert.equal(whole('%1\r\n+k\r\n+v\r\n'), 12);
  const push = '>2\r\n+message\r\n_\r\n';
  assert.equal(whole(push + '+OK\r\n'), push.length);
  assert.equal(whole('$3\r\nab'), undefined);
  assert.equal(whole('*2\r\n:1\r\n'), undefined);
  assert.equal(whole('$3\r\na\r\n\r\n'), 9, 'a bulk payload may contain CRLF');
  // Deep nesting does not recurse.
  const deep = '*1\r\n'.repeat(100_000) + ':1\r\n';
  assert.equal(whole(deep), deep.length);
  assert.throws(() => whole('?x\r\n'));
});

test('frameEnd tells how many bytes an unfinished frame needs; PendingBytes waits for them', () => {
  const frame = encodeCommand(['SET', 'k', 'x'.repeat(100_000)]);
  const wanted = { bytes: 0 };
  assert.equal(frameEnd(frame.subarray(0, 1000), 0, wanted), undefined);
  assert.equal(wanted.bytes, frame.length, 'the bulk length gives the whole frame');
  const pending = new PendingBytes();
  pending.push(frame.subarray(0, 1000));
  const first = pending.take()!;
  assert.equal(frameEnd(first, 0, wanted), undefined);
  pending.keep(first, 0, wanted.bytes);
  for (let at = 1000; at < frame.length - 10; at += 1000) {
    pending.push(frame.subarray(at, Math.min(at + 1000, frame.length - 10)));
    assert.equal(pending.take(), undefined, 'no join before the frame can be whole');
  }
  pending.push(frame.subarray(frame.length - 10));
  const whole = pending.take()!;
  assert.equal(frameEnd(whole, 0), frame.length);
  assert.ok(whole.equals(frame));
  pending.keep(whole, frame.length, 0);
  assert.equal(pending.size, 0);
});

test('requestEnd / requestName: RESP arrays and inline commands', () => {
  const frame = encodeCommand(['set', 'k', 'v']);
  const two = Buffer.concat([frame, encodeCommand(['GET', 'k'])]);
  assert.equal(requestEnd(two, 0), frame.length);
  assert.equal(requestName(two.subarray(0, frame.length)), 'SET');
  assert.equal(requestEnd(Buffer.from('PING\r\nPI'), 0), 6);
  assert.equal(requestName(Buffer.from('ping\r\n')), 'PING');
  assert.equal(requestEnd(Buffer.from('PIN'), 0), undefined);
});

test('ECPUs: 1 per KB transferred, at least 1; the bucket admits a second of them, then refills', () => {
  assert.equal(ecpusFor(10), 1);
  assert.equal(ecpusFor(3.2 * 1024), 3.2);
  let now = 0;
  const limiter = new EcpuLimiter(1000, () => now);
  let admitted = 0;
  for (let i = 0; i < 1500; i++) if (limiter.take(1)) admitted++;
  assert.equal(admitted, 1000, 'a burst gets one second worth');
  assert.equal(limiter.take(1), false);
  now += 100; // 0.1 s refills 100
  admitted = 0;
  for (let i = 0; i < 200; i++) if (limiter.take(1)) admitted++;
  assert.equal(admitted, 100);
  now += 10_000;
  limiter.charge(1500); // a big reply puts the bucket in debt
  assert.equal(limiter.take(1), false);
  now += 600;
  assert.equal(limiter.take(1), true);
  // A command bigger than a second's worth is still admitted from a full bucket.
  now += 10_000;
  assert.equal(limiter.take(5000), true);
});

test('ACL: access strings are Redis ACL rules; SETUSER resets, then passwords by hash, then the rules', () => {
  checkAccessString('on ~* +@all');
  checkAccessString('on ~app:* &* -@all +get +set +@read');
  checkAccessString('off -@all');
  for (const bad of ['', 'on >secret ~* +@all', 'on nopass', 'on ~* +@all #abc', 'whatever']) {
    assert.throws(() => checkAccessString(bad), code('InvalidParameterValue'), bad);
  }
  const hash = passwordHash('0123456789abcdef');
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(
    aclSetUserArgs({
      userName: 'app',
      accessString: 'on ~app:* +@all',
      authenticationType: 'password',
      passwordHashes: [hash],
    }),
    ['ACL', 'SETUSER', 'app', 'reset', `#${hash}`, 'on', '~app:*', '+@all'],
  );
  assert.deepEqual(
    aclSetUserArgs({
      userName: 'default',
      accessString: 'off',
      authenticationType: 'no-password-required',
      passwordHashes: [],
    }),
    ['ACL', 'SETUSER', 'default', 'reset', 'nopass', 'off'],
  );
});
