/**
 * bench --workers: the same bench on many EC2 instances at once through SSM Run Command,
 * every worker starting its load at one shared time; their results (stdout, or S3 with
 * --results) merged into one report. The merge itself is pure (src/bench/distributed/).
 *
 *   const { merged, failed } = await runDistributedBench({ aws, targets, settings, raw, … });
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AwsContext } from '../aws/clients.js';
import { describeWorkerInstances } from '../aws/instances.js';
import {
  cancelCommand,
  getInvocation,
  invocationStatuses,
  isFinished,
  openSsm,
  sendShellCommand,
  type Invocation,
} from '../aws/ssm.js';
import { onInterrupt } from '../interrupt.js';
import { getText, openS3, splitS3Url } from '../aws/s3.js';
import { mergeWorkerResults, type MergedRun } from '../bench/distributed/merge.js';
import {
  findResultInStdout,
  parseWorkerResult,
  renameNodes,
  type WorkerResult,
} from '../bench/distributed/worker-result.js';
import { workerCommand, workerRunner, type WorkersSpec } from '../bench/distributed/workers.js';
import type { BenchSettings, RawBenchOptions } from '../bench/options.js';
import type { FailedWorker } from '../bench/report.js';
import type { ResolvedTargets } from '../bench/targets.js';
import { CliError, UsageError, messageOf } from '../errors.js';

export interface DistributedInput {
  aws: AwsContext;
  targets: ResolvedTargets;
  settings: BenchSettings;
  raw: RawBenchOptions;
  runId: string;
  workers: WorkersSpec;
  /** s3://bucket/prefix the workers write to; without it they answer on stdout. */
  results?: string;
  /** Seconds from now to the shared start time: enough for SSM delivery, npx and prefill. */
  startInS: number;
  /** Seconds to wait for the workers beyond their expected end. */
  timeoutS: number;
  version: string;
  env?: NodeJS.ProcessEnv;
  info?: (text: string) => void;
  /** Called on each poll with how many workers are done. */
  onPoll?: (done: number, total: number) => void;
}

export interface DistributedResult {
  merged: MergedRun;
  failed: FailedWorker[];
  /** The shell command every worker ran (for the log and the notes). */
  command: string;
}

export async function runDistributedBench(input: DistributedInput): Promise<DistributedResult> {
  const { aws, settings } = input;
  const needsToken = input.targets.nodes.some((n) => n.address.password !== undefined);
  if (needsToken && input.raw.authTokenEnv === undefined && input.raw.authTokenFile === undefined) {
    // The token came from the config file: it cannot travel in an SSM command (visible in the console).
    throw new UsageError(
      '--workers: the AUTH token came from the config file and is never sent to the workers; pass --auth-token-env VAR or --auth-token-file FILE that exist on the instances',
    );
  }
  const instances = await describeWorkerInstances(aws, input.workers);
  const instanceIds = instances.map((i) => i.instanceId);
  const startAtMs = Date.now() + input.startInS * 1000;
  const command = workerCommand({
    runner: workerRunner(input.version, input.env),
    region: aws.region,
    nodes: input.targets.nodes,
    tls: input.targets.nodes.some((n) => n.address.tls !== undefined),
    raw: input.raw,
    startAtMs,
    ...(input.results !== undefined ? { results: input.results } : {}),
    workerCount: instanceIds.length,
  });
  // --requests has no known end: the timeout alone bounds it.
  const loadS = settings.warmupS + (settings.requests === undefined ? settings.testTimeS : 0);
  const executionTimeoutS = Math.ceil(input.startInS + loadS + input.timeoutS);
  const ssm = openSsm(aws);
  try {
    input.info?.(
      `bench ${input.runId}: ${instanceIds.length} workers (${instanceIds.join(', ')}) start at ${new Date(startAtMs).toISOString()}`,
    );
    const commandIds = await sendShellCommand(ssm, instanceIds, command, {
      executionTimeoutS,
      comment: `elasticache-kit bench ${input.runId}`,
    });

    // Not yet ended → cancelled (Ctrl-C here, or the controller stops waiting below).
    const cancelUnfinished = async (ended: Map<string, Invocation>) => {
      const byCommand = new Map<string, string[]>();
      for (const id of instanceIds.filter((i) => !ended.has(i))) {
        byCommand.set(commandIds.get(id)!, [...(byCommand.get(commandIds.get(id)!) ?? []), id]);
      }
      await Promise.all([...byCommand].map(([commandId, ids]) => cancelCommand(ssm, commandId, ids)));
    };
    const deadline = startAtMs + (loadS + input.timeoutS) * 1000;
    const pollMs = isLoopback(aws.endpointUrl) ? 250 : 2000;
    const ended = new Map<string, Invocation>();
    const removeInterruptHandler = onInterrupt(() => cancelUnfinished(ended));
    try {
      while (ended.size < instanceIds.length && Date.now() < deadline) {
        await sleep(pollMs);
        // Statuses 50 at a time (ListCommandInvocations); the output once, when one has ended.
        for (const commandId of new Set(commandIds.values())) {
          const statuses = await invocationStatuses(ssm, commandId);
          for (const [id, status] of statuses) {
            if (ended.has(id) || !isFinished(status) || commandIds.get(id) !== commandId) continue;
            ended.set(id, await getInvocation(ssm, commandId, id));
          }
        }
        input.onPoll?.(ended.size, instanceIds.length);
      }
      if (ended.size < instanceIds.length) await cancelUnfinished(ended);
    } finally {
      removeInterruptHandler();
    }

    const results: WorkerResult[] = [];
    // Workers know the nodes by --primary/--replica; the report uses the group's names.
    const nodeName = new Map(input.targets.nodes.map((n) => [`${n.address.host}:${n.address.port}`, n.id]));
    const failed: FailedWorker[] = [];
    const s3 = input.results !== undefined ? openS3(aws, input.env) : undefined;
    for (const id of instanceIds) {
      const invocation = ended.get(id);
      if (!invocation) {
        failed.push({
          worker: id,
          status: 'TimedOut',
          reason: `no answer ${input.timeoutS} s after the expected end (the controller stopped waiting; raise --worker-timeout)`,
        });
        continue;
      }
      if (invocation.status !== 'Success') {
        failed.push({
          worker: id,
          status: invocation.status,
          reason: `${invocation.statusDetails}, exit code ${invocation.responseCode}: ${lastLines(invocation.stderr) || 'no stderr'}`,
        });
        continue;
      }
      try {
        const result = renameNodes(await readResult(invocation, s3, id), (host, port) =>
          nodeName.get(`${host}:${port}`),
        );
        results.push({ ...result, worker: id });
      } catch (error) {
        failed.push({ worker: id, status: 'NoResult', reason: messageOf(error) });
      }
    }
    if (results.length === 0) {
      throw new CliError(
        `bench ${input.runId}: no worker reported: ${failed.map((f) => `${f.worker} ${f.status} (${f.reason})`).join('; ')}`,
      );
    }
    const { benchConfig } = await import('./bench.js');
    const merged = mergeWorkerResults(results, input.runId, failed, benchConfig(input.targets, settings));
    return { merged, failed, command };
  } finally {
    ssm.destroy();
  }
}

async function readResult(
  invocation: Invocation,
  s3: ReturnType<typeof openS3> | undefined,
  id: string,
): Promise<WorkerResult> {
  const pointer = findResultInStdout(invocation.stdout);
  if (pointer.kind === 'inline') return parseWorkerResult(pointer.json, `the result of ${id}`);
  if (pointer.kind === 's3') {
    const location = splitS3Url(pointer.url);
    if (!location || !s3) throw new Error(`it wrote its result to ${pointer.url}, which cannot be read`);
    return parseWorkerResult(await getText(s3, location.bucket, location.key), pointer.url);
  }
  throw new Error(
    `its output has no result line (${invocation.stdout.length} characters of stdout; ${lastLines(invocation.stderr) || 'no stderr'})`,
  );
}

function lastLines(text: string, count = 2): string {
  return text.trim().split('\n').slice(-count).join(' / ');
}

function isLoopback(url: string | undefined): boolean {
  if (url === undefined) return false;
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  } catch {
    return false;
  }
}
