import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { explainAwsError } from '../../src/aws/errors.js';
import { CliError, ExitCode } from '../../src/errors.js';
import { Output } from '../../src/ui/output.js';
import { renderKeyValues, renderTable } from '../../src/ui/table.js';
import { formatElapsed } from '../../src/ui/progress.js';

const awsError = (name: string, message = 'details') => Object.assign(new Error(message), { name });

test('AWS errors become one line naming the cause and the fix', () => {
  const denied = explainAwsError(
    awsError('AccessDenied', 'User is not authorized'),
    'elasticache:CreateReplicationGroup',
  );
  assert.equal(denied.exitCode, ExitCode.failure);
  assert.match(
    denied.message,
    /^AccessDenied on elasticache:CreateReplicationGroup: the caller needs that IAM permission/,
  );

  const missing = explainAwsError(awsError('ReplicationGroupNotFoundFault'), 'elasticache:DescribeReplicationGroups');
  assert.equal(missing.exitCode, ExitCode.notFound);

  const quota = explainAwsError(awsError('NodeQuotaForCustomerExceededFault'), 'elasticache:CreateReplicationGroup');
  assert.match(quota.message, /quota/);
  assert.match(quota.message, /Service Quotas/);

  const capacity = explainAwsError(
    awsError('InsufficientCacheClusterCapacityFault'),
    'elasticache:CreateReplicationGroup',
  );
  assert.match(capacity.message, /--node-type/);

  const expired = explainAwsError(awsError('ExpiredToken'), 'ec2:DescribeVpcs');
  assert.match(expired.message, /expired/);

  for (const error of [denied, missing, quota, capacity, expired]) {
    assert.ok(!error.message.includes('\n'), 'one line');
  }
});

test('an error that is already a CliError passes through unchanged', () => {
  const original = new CliError('x', ExitCode.timedOut);
  assert.equal(explainAwsError(original, 'a'), original);
});

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.setEncoding('utf8').on('data', (c: string) => (text += c));
  return { stream, text: () => text };
}

test('Output: results on stdout, messages on stderr, no colour off a TTY or with NO_COLOR', () => {
  const out = capture(false);
  const err = capture(false);
  const output = new Output({ output: 'table', color: true }, { stdout: out.stream, stderr: err.stream }, {});
  output.result('value');
  output.warn('careful');
  output.error('broken');
  assert.equal(out.text(), 'value\n');
  assert.equal(err.text(), 'warning: careful\nelasticache-kit: broken\n');

  const ttyErr = capture(true);
  const noColor = new Output(
    { output: 'table', color: true },
    { stdout: out.stream, stderr: ttyErr.stream },
    { NO_COLOR: '1' },
  );
  noColor.warn('plain');
  assert.equal(ttyErr.text(), 'warning: plain\n');

  const colored = new Output(
    { output: 'table', color: true },
    { stdout: out.stream, stderr: ttyErr.stream },
    { FORCE_COLOR: '1' },
  );
  assert.notEqual(colored.paintErr('red', 'x'), 'x');
  const flagged = new Output({ output: 'table', color: false }, { stdout: out.stream, stderr: ttyErr.stream }, {});
  assert.equal(flagged.paintErr('red', 'x'), 'x');
});

test('Output.printJson prints exactly one parseable document', () => {
  const out = capture(false);
  const output = new Output(
    { output: 'json', color: false },
    { stdout: out.stream, stderr: capture(false).stream },
    {},
  );
  output.printJson({ a: [1, 2] });
  assert.deepEqual(JSON.parse(out.text()), { a: [1, 2] });
});

test('renderTable aligns columns and right-aligns numbers', () => {
  const text = renderTable(
    ['id', 'ops'],
    [
      ['demo-001', 1200],
      ['demo-002', 35],
    ],
  );
  assert.equal(text, 'id         ops\n--------  ----\ndemo-001  1200\ndemo-002    35\n');
  assert.equal(
    renderKeyValues([
      ['Engine', 'redis'],
      ['Multi-AZ', false],
      ['Port', undefined],
    ]),
    'Engine    redis\nMulti-AZ  no\nPort      -\n',
  );
});

test('formatElapsed', () => {
  assert.equal(formatElapsed(0), '0s');
  assert.equal(formatElapsed(59_400), '59s');
  assert.equal(formatElapsed(65_000), '1m 05s');
});
