/**
 * The emulator's SSM Run Command, EC2 DescribeInstances and S3, through the real SDK
 * clients: commands run as real processes on the emulated instances (exit codes, stdout
 * and stderr, SSM's output limit, execution timeout, cancel), AWS's error codes, and
 * S3 objects put, listed and read back path-style.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startTestEmulator, TEST_REGION, type TestEmulator } from '../helpers/emulator.js';
import { ec2Sdk } from '../helpers/ec2.js';

const { DescribeInstancesCommand } = ec2Sdk();

const credentials = { accessKeyId: 'AKIATESTEMULATOR0000', secretAccessKey: 'test-secret' };

function clients(emulator: TestEmulator) {
  const common = { region: TEST_REGION, endpoint: emulator.url, credentials, maxAttempts: 1 };
  return {
    ssm: new SSMClient(common),
    s3: new S3Client({ ...common, forcePathStyle: true }),
  };
}

async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).name;
  }
  return 'no error';
}

/** The process is gone, or a zombie waiting for its new parent to reap it: it runs no more. */
async function exitedSoon(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    let state: string | undefined;
    try {
      state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    } catch {
      return true;
    }
    if (state === 'Z') return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/** Polls GetCommandInvocation until the invocation has ended (the SSM waiter's loop). */
async function finished(ssm: SSMClient, commandId: string, instanceId: string) {
  for (;;) {
    const answer = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
    if (!['Pending', 'InProgress', 'Delayed'].includes(answer.Status ?? '')) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('DescribeInstances finds the emulated bastions by tag; unknown ids are AWS errors', async (t) => {
  const emulator = await startTestEmulator({ instances: 2 });
  t.after(() => emulator.close());
  const byTag = await emulator.ec2.send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Role', Values: ['bastion'] }] }),
  );
  const instances = (byTag.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  assert.equal(instances.length, 2);
  for (const instance of instances) {
    assert.match(instance.InstanceId ?? '', /^i-[0-9a-f]{17}$/);
    assert.equal(instance.State?.Name, 'running');
    assert.equal(instance.State?.Code, 16);
  }
  const none = await emulator.ec2.send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Role', Values: ['web'] }] }),
  );
  assert.deepEqual(none.Reservations, []);
  const one = await emulator.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instances[0]!.InstanceId!] }));
  assert.equal(one.Reservations?.[0]?.Instances?.[0]?.InstanceId, instances[0]!.InstanceId);
  assert.equal(
    await errorName(emulator.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] }))),
    'InvalidInstanceID.NotFound',
  );
  assert.equal(
    await errorName(emulator.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['bastion-1'] }))),
    'InvalidInstanceID.Malformed',
  );
});

test('SSM Run Command runs a real shell per instance: stdout, stderr, exit code, statuses, errors', async (t) => {
  const emulator = await startTestEmulator({ instances: 2 });
  t.after(() => emulator.close());
  const { ssm } = clients(emulator);
  t.after(() => ssm.destroy());
  const described = await emulator.ec2.send(new DescribeInstancesCommand({}));
  const ids = (described.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId!));

  const sent = await ssm.send(
    new SendCommandCommand({
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: ids,
      Parameters: { commands: ['echo "on $AWS_SSM_INSTANCE_ID in $(basename "$PWD")"', 'echo oops >&2', 'exit 3'] },
      Comment: 'emulator test',
    }),
  );
  const commandId = sent.Command!.CommandId!;
  assert.equal(sent.Command!.Status, 'Pending');
  assert.deepEqual(sent.Command!.InstanceIds, ids);
  assert.ok(sent.Command!.RequestedDateTime instanceof Date);
  for (const id of ids) {
    const answer = await finished(ssm, commandId, id);
    assert.equal(answer.Status, 'Failed');
    assert.equal(answer.ResponseCode, 3);
    // Each instance runs in its own working directory, with its id in the environment.
    assert.equal(answer.StandardOutputContent, `on ${id} in ${id}\n`);
    assert.equal(answer.StandardErrorContent, 'oops\n');
    assert.equal(answer.PluginName, 'aws:runShellScript');
  }
  const listed = await ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId, Details: true }));
  assert.deepEqual(listed.CommandInvocations?.map((i) => i.InstanceId).sort(), [...ids].sort());
  assert.equal(listed.CommandInvocations?.[0]?.CommandPlugins?.[0]?.ResponseCode, 3);

  // SSM keeps only the first 24,000 characters of stdout.
  const big = await ssm.send(
    new SendCommandCommand({
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: [ids[0]!],
      Parameters: { commands: ["head -c 30000 /dev/zero | tr '\\0' x"] },
    }),
  );
  const bigAnswer = await finished(ssm, big.Command!.CommandId!, ids[0]!);
  assert.equal(bigAnswer.Status, 'Success');
  assert.equal(bigAnswer.StandardOutputContent?.length, 24_000);

  // executionTimeout ends the invocation (and the processes it started).
  const slow = await ssm.send(
    new SendCommandCommand({
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: [ids[1]!],
      Parameters: { commands: ['sleep 30 &', 'echo $!', 'wait'], executionTimeout: ['1'] },
    }),
  );
  const slowAnswer = await finished(ssm, slow.Command!.CommandId!, ids[1]!);
  assert.equal(slowAnswer.Status, 'TimedOut');
  // The whole process tree went with it, not only the shell.
  const sleeper = Number(slowAnswer.StandardOutputContent);
  assert.ok(sleeper > 0, `the script printed its child's pid: ${slowAnswer.StandardOutputContent}`);
  assert.ok(await exitedSoon(sleeper), `pid ${sleeper} (sleep 30) was killed`);

  const cancelled = await ssm.send(
    new SendCommandCommand({
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: [ids[0]!],
      Parameters: { commands: ['sleep 30'] },
    }),
  );
  await ssm.send(new CancelCommandCommand({ CommandId: cancelled.Command!.CommandId! }));
  assert.equal((await finished(ssm, cancelled.Command!.CommandId!, ids[0]!)).Status, 'Cancelled');

  assert.equal(
    await errorName(
      ssm.send(
        new GetCommandInvocationCommand({ CommandId: '00000000-0000-0000-0000-000000000000', InstanceId: ids[0]! }),
      ),
    ),
    'InvocationDoesNotExist',
  );
  assert.equal(
    await errorName(
      ssm.send(
        new SendCommandCommand({
          DocumentName: 'AWS-RunShellScript',
          InstanceIds: ['i-0123456789abcdef0'],
          Parameters: { commands: ['true'] },
        }),
      ),
    ),
    'InvalidInstanceId',
  );
  assert.equal(
    await errorName(
      ssm.send(
        new SendCommandCommand({ DocumentName: 'My-Document', InstanceIds: ids, Parameters: { commands: ['true'] } }),
      ),
    ),
    'InvalidDocument',
  );
  assert.equal(
    await errorName(ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: ids }))),
    'InvalidParameters',
  );
});

test('S3 path-style: CreateBucket, PutObject, ListObjectsV2, GetObject; NoSuchBucket and NoSuchKey', async (t) => {
  const emulator = await startTestEmulator();
  t.after(() => emulator.close());
  const { s3 } = clients(emulator);
  t.after(() => s3.destroy());
  assert.equal(
    await errorName(s3.send(new PutObjectCommand({ Bucket: 'results', Key: 'a.json', Body: '{}' }))),
    'NoSuchBucket',
  );
  await s3.send(new CreateBucketCommand({ Bucket: 'results' }));
  assert.equal(await errorName(s3.send(new CreateBucketCommand({ Bucket: 'results' }))), 'BucketAlreadyOwnedByYou');
  const body = JSON.stringify({ hello: 'wörld', n: 'x'.repeat(100_000) });
  await s3.send(new PutObjectCommand({ Bucket: 'results', Key: 'run/worker a.json', Body: body }));
  await s3.send(new PutObjectCommand({ Bucket: 'results', Key: 'other/b.json', Body: '{}' }));
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'results', Prefix: 'run/' }));
  assert.deepEqual(
    listed.Contents?.map((o) => [o.Key, o.Size]),
    [['run/worker a.json', Buffer.byteLength(body)]],
  );
  const got = await s3.send(new GetObjectCommand({ Bucket: 'results', Key: 'run/worker a.json' }));
  assert.equal(await got.Body?.transformToString('utf8'), body);
  assert.equal(
    await errorName(s3.send(new GetObjectCommand({ Bucket: 'results', Key: 'run/missing.json' }))),
    'NoSuchKey',
  );
});
