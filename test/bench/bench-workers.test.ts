/**
 * bench --workers end to end on the local emulator: two emulated bastions (tag
 * Role=bastion) each run this checkout's CLI through SSM Run Command against a real 1+1
 * group, write their results to S3, and the controller merges them. The merged totals
 * are the workers' sums and the merged percentiles are those of the concatenated
 * histograms; bench merge on the downloaded results gives the same report.
 * Not a .serial file: the only timings are relative (the workers' measured phases begin
 * together, the controller gives up before SSM's own timeout), with room to spare on a
 * busy machine; no test measures how fast anything is.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateReplicationGroupCommand } from '@aws-sdk/client-elasticache';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ListCommandInvocationsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CLI_PATH, PACED_LOAD, runCli } from '../helpers/cli.js';
import { startTestEmulator, TEST_REGION, type TestEmulator } from '../helpers/emulator.js';
import { startRedisServer } from '../helpers/redis.js';
import { waitForReplicationGroup } from '../../src/aws/wait.js';
import type { AwsContext } from '../../src/aws/clients.js';
import { mergeHistograms } from '../../src/bench/histogram.js';
import { parseWorkerResult } from '../../src/bench/distributed/worker-result.js';
import type { BenchReport } from '../../src/bench/report.js';
import { ec2Sdk } from '../helpers/ec2.js';

const { DescribeInstancesCommand } = ec2Sdk();

const round = (n: number) => Math.round(n * 1000) / 1000;

/** The controller, its workers running `workerCommand` (the hook) instead of the CLI; no node is ever contacted. */
function controllerWithWorkerCommand(emulator: TestEmulator, workerCommand: string, extra: string[]) {
  return runCli(
    [
      '--endpoint-url',
      emulator.url,
      'bench',
      '--primary',
      '127.0.0.1:6399',
      '--workers',
      'tag:Role=bastion',
      '--start-in',
      '1',
      ...extra,
    ],
    { env: { ...emulator.env, ELASTICACHE_KIT_WORKER_COMMAND: workerCommand } },
  );
}

// Every test has its own emulator (and redis-server): they wait on workers, SSM polls and
// the --worker-timeout clock more than on the CPU, so they run together.
describe('bench --workers on the local emulator', { concurrency: true }, () => {
  test('bench --workers tag:Role=bastion --results s3://…: both workers ran, totals add up, percentiles merge exactly', async (t) => {
    const emulator = await startTestEmulator({ instances: 2 });
    t.after(() => emulator.close());
    const dir = mkdtempSync(join(tmpdir(), 'eck-workers-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const aws: AwsContext = {
      elasticache: emulator.elasticache,
      ec2: emulator.ec2,
      region: TEST_REGION,
      endpointUrl: emulator.url,
      local: true,
    };
    await emulator.elasticache.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'workers',
        ReplicationGroupDescription: 'distributed bench test',
        Engine: 'redis',
        CacheNodeType: 'cache.t4g.micro',
        NumCacheClusters: 2,
      }),
    );
    await waitForReplicationGroup(aws, 'workers', { until: 'available', timeoutMs: 60_000, pollMs: 100 });
    const s3 = new S3Client({
      region: TEST_REGION,
      endpoint: emulator.url,
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIATESTEMULATOR0000', secretAccessKey: 'test-secret' },
    });
    t.after(() => s3.destroy());
    await s3.send(new CreateBucketCommand({ Bucket: 'bench-results' }));
    const described = await emulator.ec2.send(new DescribeInstancesCommand({}));
    const instanceIds = (described.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId!));

    const result = await runCli(
      [
        '--endpoint-url',
        emulator.url,
        '--output',
        'json',
        'bench',
        'workers',
        '--workers',
        'tag:Role=bastion',
        '--results',
        's3://bench-results/p',
        // What is checked is the merge, not how fast the workers go: paced load (500/s each),
        // one measured second. The shared start leaves room for both workers' CLI start and
        // prefill on a busy machine (about 1.2 s when measured alongside other bench tests).
        '--test-time',
        '1',
        '--warmup',
        '0.2',
        '--clients',
        '2',
        ...PACED_LOAD,
        '--key-maximum',
        '500',
        '--start-in',
        '3',
        '--hdr-log',
        join(dir, 'merged-'),
        '--report',
        join(dir, 'merged.html'),
      ],
      // The test hook: the instances run this checkout's CLI, not npx from the registry.
      { env: { ...emulator.env, ELASTICACHE_KIT_WORKER_COMMAND: `${process.execPath} ${CLI_PATH}` } },
    );
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as BenchReport;

    // Both workers ran and reported, one row each.
    assert.deepEqual(report.workers?.map((w) => w.worker).sort(), [...instanceIds].sort());
    for (const worker of report.workers!) assert.ok(worker.ops > 0, `${worker.worker} ops`);
    // The shared time: both measured phases began at the shared start plus the warmup, or a
    // worker that got there late says by how much (on a loaded 2-core machine, connecting once
    // took one worker a second longer than the other). Less its lateness, each began then.
    const onTime = report.workers!.map((w) => Date.parse(w.startedAt) - w.startLateMs);
    assert.ok(
      Math.abs(onTime[0]! - onTime[1]!) < 250,
      `measured phases began ${Math.abs(onTime[0]! - onTime[1]!)} ms apart, less the lateness each worker reported`,
    );
    // Nodes carry the group's names (the workers knew them only by address).
    assert.deepEqual(report.nodes.map((n) => n.id).sort(), ['workers-001', 'workers-002']);
    const html = readFileSync(join(dir, 'merged.html'), 'utf8');
    const workersTable = /<table id="table-workers">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    assert.equal(workersTable.match(/<tr>/g)?.length, 3, 'header + one row per worker');
    // Totals are the workers' sums, per node and overall.
    assert.equal(
      report.total.ops,
      report.workers!.reduce((sum, w) => sum + w.ops, 0),
    );
    assert.equal(
      report.total.ops,
      report.nodes.reduce((sum, n) => sum + n.ops, 0),
    );
    // Lag stays per worker: one row per worker and replica.
    assert.equal(report.replication.length, 2);
    assert.deepEqual(report.replication.map((r) => r.node.split('/')[0]).sort(), [...instanceIds].sort());

    // The workers' own results, as they wrote them to S3.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'bench-results', Prefix: 'p/' }));
    assert.equal(listed.Contents?.length, 2);
    const files: string[] = [];
    const workers = [];
    for (const object of listed.Contents!) {
      const text = await (
        await s3.send(new GetObjectCommand({ Bucket: 'bench-results', Key: object.Key! }))
      ).Body!.transformToString();
      const file = join(dir, `${files.length}.json`);
      writeFileSync(file, text);
      files.push(file);
      workers.push(parseWorkerResult(text, object.Key!));
    }
    // Merged percentiles are those of every worker's histograms concatenated.
    const all = mergeHistograms(workers.flatMap((w) => [...w.histograms.values()].flatMap((h) => [h.set, h.get])));
    assert.equal(all.totalCount, report.total.ops);
    for (const [p, key] of [
      [50, 'p50'],
      [90, 'p90'],
      [99, 'p99'],
      [99.9, 'p999'],
    ] as const) {
      assert.equal(report.total.latencyMs[key], round(all.valueAtPercentile(p) / 1000), key);
    }
    assert.equal(report.total.latencyMs.max, round(all.max / 1000));
    for (const node of report.nodes) {
      // A worker names the node by the flag it got (primary, replica-1): match by address.
      const ofNode = workers.map((w) => {
        const same = w.report.nodes.find((n) => n.address === node.address && n.port === node.port)!;
        return w.histograms.get(same.id)!;
      });
      const merged = mergeHistograms(ofNode.flatMap((h) => [h.set, h.get]));
      assert.equal(node.latencyMs.p99, round(merged.valueAtPercentile(99) / 1000), `${node.id} p99`);
    }

    // bench merge on the downloaded results gives the same totals.
    const merged = await runCli(['--output', 'json', 'bench', 'merge', ...files]);
    assert.equal(merged.code, 0, merged.stderr);
    const again = JSON.parse(merged.stdout) as BenchReport;
    assert.equal(again.total.ops, report.total.ops);
    assert.deepEqual(again.total.latencyMs, report.total.latencyMs);
    const byAddress = (r: BenchReport) =>
      r.nodes
        .map((n) => [`${n.address}:${n.port}`, n.ops, n.latencyMs] as const)
        .sort((a, b) => a[0].localeCompare(b[0]));
    assert.deepEqual(byAddress(again), byAddress(report));
  });

  test('bench --workers without --results: the result comes back through the SSM command output', async (t) => {
    const emulator = await startTestEmulator({ instances: 1 });
    t.after(() => emulator.close());
    const redis = await startRedisServer();
    t.after(() => redis.stop());
    const result = await runCli(
      [
        '--endpoint-url',
        emulator.url,
        '--output',
        'json',
        'bench',
        '--primary',
        `127.0.0.1:${redis.port}`,
        '--workers',
        'tag:Role=bastion',
        '--warmup',
        '0',
        '--clients',
        '2',
        '--threads',
        '1',
        '--lag-probes',
        '0',
        '--key-maximum',
        '500',
        '--requests',
        '3000',
        // One worker: nothing to line up with, so the shortest wait.
        '--start-in',
        '1',
      ],
      { env: { ...emulator.env, ELASTICACHE_KIT_WORKER_COMMAND: `${process.execPath} ${CLI_PATH}` } },
    );
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as BenchReport;
    assert.equal(report.workers?.length, 1);
    // --requests is a total: the one worker ran them all (and stopped there).
    assert.ok(report.total.ops >= 3000 && report.total.ops < 3100, `ops ${report.total.ops}`);
    assert.equal(report.workers![0]!.ops, report.total.ops);
  });

  test('bench --workers: a worker that fails is reported per instance (status, exit code, stderr), exit 1', async (t) => {
    const emulator = await startTestEmulator({ instances: 2 });
    t.after(() => emulator.close());
    // A worker command that fails before it starts: every instance reports Failed.
    const result = await controllerWithWorkerCommand(emulator, 'echo no node here >&2; exit 7;', ['--test-time', '1']);
    assert.equal(result.code, 1, result.stderr);
    const described = await emulator.ec2.send(new DescribeInstancesCommand({}));
    for (const reservation of described.Reservations ?? []) {
      const id = reservation.Instances![0]!.InstanceId!;
      assert.match(result.stderr, new RegExp(`${id} Failed \\(Failed, exit code 7: no node here\\)`));
    }
  });

  test('bench --workers: no running instance with the tag is "not found" (exit 3) before anything is sent', async (t) => {
    const emulator = await startTestEmulator({ instances: 1 });
    t.after(() => emulator.close());
    const result = await runCli(
      ['--endpoint-url', emulator.url, 'bench', '--primary', '127.0.0.1:6399', '--workers', 'tag:Role=loader'],
      { env: emulator.env },
    );
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /no running instance has the tag Role=loader/);
  });

  test('bench --workers: a worker still running past --worker-timeout is cancelled and reported TimedOut (exit 1)', async (t) => {
    const emulator = await startTestEmulator({ instances: 1 });
    t.after(() => emulator.close());
    // The shortest wait the flags allow: the controller gives up 1 + 0.1 + 10 s after it sent the
    // command; SSM's own execution timeout (whole seconds, rounded up: 12 s) comes 0.9 s later.
    const result = await controllerWithWorkerCommand(emulator, 'sleep 120;', [
      '--test-time',
      '0.1',
      '--warmup',
      '0',
      '--worker-timeout',
      '10',
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /i-[0-9a-f]+ TimedOut \(no answer 10 s after the expected end/);
    const ssm = new SSMClient({
      region: TEST_REGION,
      endpoint: emulator.url,
      credentials: { accessKeyId: 'AKIATESTEMULATOR0000', secretAccessKey: 'test-secret' },
    });
    t.after(() => ssm.destroy());
    const invocations = await ssm.send(new ListCommandInvocationsCommand({}));
    assert.deepEqual(
      invocations.CommandInvocations?.map((i) => i.Status),
      ['Cancelled'],
      'the controller cancelled what it stopped waiting for',
    );
  });

  test('bench --workers --from-config with the AUTH token in the file: refused (exit 2), the token never goes into a command', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'eck-workers-auth-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, '.env');
    writeFileSync(file, 'ELASTICACHE_PRIMARY=127.0.0.1:6399\nELASTICACHE_AUTH_TOKEN=file-token-1234567890\n', {
      mode: 0o600,
    });
    const result = await runCli(['bench', '--from-config', file, '--workers', 'tag:Role=bastion'], {
      env: {
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'y',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      },
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /AUTH token came from the config file and is never sent to the workers/);
    assert.doesNotMatch(result.stderr + result.stdout, /file-token-1234567890/);
  });
});
