/**
 * bench: parse and validate → core/bench (resolve the nodes, run) → render (table or JSON).
 * Also `bench merge FILE…` (bench-merge.run.ts), `--workers` (the run on EC2 instances via SSM)
 * and `--worker` (one such run, answering with a worker result instead of the report).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { writeFileAtomic } from '../config/write-file.js';
import { CliError, InterruptedError, UsageError, messageOf } from '../errors.js';
import { interrupted } from '../interrupt.js';
import { formatElapsed, startProgress } from '../ui/progress.js';
import type { Output } from '../ui/output.js';
import type { BenchReport } from '../bench/report.js';
import { writeBenchOutputs } from './bench-outputs.js';
import { parseS3Url, parseWorkersSpec, type WorkersSpec } from '../bench/distributed/workers.js';
import type { CommandContext } from './lazy.js';
import { openAws } from './session.js';
import { DEFAULTS } from '../bench/defaults.js';
import { parseSettings, parseTargetSpec, type BenchSettings, type RawBenchOptions } from '../bench/options.js';
import type { ResolvedTargets } from '../bench/targets.js';
import { groupedNumber } from '../ui/numbers.js';

export async function run(context: CommandContext<RawBenchOptions>): Promise<void> {
  const { output, options, globals } = context;
  const id = context.args[0] as string | undefined;
  const files = (context.args[1] as string[] | undefined) ?? [];
  if (id === 'merge') {
    const merge = await import('./bench-merge.run.js');
    return merge.run(context, files);
  }
  if (files.length > 0) throw new UsageError(`bench takes one replication group id (got ${[id, ...files].join(' ')})`);
  const runId = randomBytes(4).toString('hex');
  // Every flag is checked before anything connects (exit 2, nothing touched).
  const spec = parseTargetSpec(id, options);
  const settings = parseSettings(options, runId);
  const distributed = parseDistributedFlags(options);
  const [{ resolveBenchTargets, benchTargets }, { progressText }] = await Promise.all([
    import('../core/bench.js'),
    import('../bench/render.js'),
  ]);
  const targets = await resolveBenchTargets(spec, settings, () => openAws(globals));
  for (const warning of targets.warnings) output.warn(warning);

  if (distributed.workers !== undefined) {
    return runOnWorkers(context, targets, settings, { ...distributed, workers: distributed.workers }, runId);
  }

  const progress = await startProgress(output, `bench ${runId}: connecting to ${targets.nodes.length} nodes`);
  const started = Date.now();
  let result;
  try {
    result = await benchTargets(targets, settings, runId, {
      onPhase: (phase, detail) => progress.update(`bench ${phase}: ${detail}`),
      onProgress: (s) =>
        progress.update(progressText(formatElapsed(s.elapsedMs), s.opsPerSec, s.p99Ms, s.lagP50Ms, 'running')),
      // A spinner redraws often; plain lines (CI logs) every few seconds.
      progressIntervalMs: output.stderrIsTTY ? 250 : 5000,
      warn: (text) => output.warn(text),
    });
  } catch (error) {
    progress.fail(`bench ${runId} failed after ${formatElapsed(Date.now() - started)}`);
    if (interrupted()) throw new InterruptedError('bench interrupted; its keys were removed');
    if (error instanceof CliError) throw error;
    throw new CliError(`bench failed: ${messageOf(error)}`, undefined, { cause: error });
  }
  const { report, histograms } = result;
  progress.succeed(`bench ${runId}: ${groupedNumber(report.total.opsPerSec)} ops/s over ${report.durationS} s`);
  if (report.client.saturated) output.warn(report.warnings[report.warnings.length - 1]!);

  if (options.worker) {
    await sendWorkerResult(context, settings.jsonFile, options.results, result, settings.startAtMs);
  } else {
    await writeBenchOutputs(output, settings, report, histograms, result.intervals);
  }
  warnKeysLeft(output, report, settings.keyTtlS);
}

/**
 * bench --workers: the same bench on EC2 instances through SSM (core/bench-workers.ts),
 * the merged report written like a single run's.
 */
async function runOnWorkers(
  context: CommandContext<RawBenchOptions>,
  targets: ResolvedTargets,
  settings: BenchSettings,
  distributed: DistributedFlags & { workers: WorkersSpec },
  runId: string,
): Promise<void> {
  const { output, options, globals } = context;
  const workers = distributed.workers;
  const [{ runDistributedBench }, { packageVersion }] = await Promise.all([
    import('../core/bench-workers.js'),
    import('../cli.js'),
  ]);
  const aws = await openAws(globals, { ec2: true });
  const progress = await startProgress(output, `bench ${runId}: finding the workers`);
  let result;
  try {
    result = await runDistributedBench({
      aws,
      targets,
      settings,
      raw: options,
      runId,
      workers,
      ...(options.results !== undefined ? { results: options.results } : {}),
      startInS: distributed.startInS,
      timeoutS: distributed.timeoutS,
      version: packageVersion(),
      info: (text) => progress.update(text),
      onPoll: (done, total) => progress.update(`bench ${runId}: ${done} of ${total} workers done`),
    });
  } catch (error) {
    progress.fail(`bench ${runId} on workers failed`);
    throw error;
  } finally {
    const { closeClients } = await import('../aws/clients.js');
    closeClients(aws);
  }
  const { report } = result.merged;
  progress.succeed(
    `bench ${runId}: ${report.workers?.length ?? 0} workers, ${groupedNumber(report.total.opsPerSec)} ops/s in total`,
  );
  for (const failure of result.failed) output.warn(`${failure.worker} ${failure.status}: ${failure.reason}`);
  await writeBenchOutputs(output, settings, report, result.merged.histograms, result.merged.intervals);
  if (result.failed.length > 0) {
    throw new CliError(
      `${result.failed.length} of ${result.failed.length + (report.workers?.length ?? 0)} workers did not report`,
    );
  }
}

function warnKeysLeft(output: Output, report: BenchReport, keyTtlS: number): void {
  if (report.cleanup.keysLeft !== 0) {
    output.warn(
      report.cleanup.keysLeft < 0
        ? `could not check that every key under ${report.keyPrefix} was removed; they expire after ${keyTtlS} s`
        : `${report.cleanup.keysLeft} keys under ${report.keyPrefix} remain; they expire after ${keyTtlS} s`,
    );
  }
}

interface DistributedFlags {
  workers?: WorkersSpec;
  startInS: number;
  timeoutS: number;
}

/** --workers/--results/--start-in/--worker-timeout/--worker: checked before anything connects. */
function parseDistributedFlags(options: RawBenchOptions): DistributedFlags {
  if (options.worker && options.workers !== undefined)
    throw new UsageError('--worker and --workers cannot be used together');
  if (options.workers === undefined) {
    for (const [flag, value] of [
      ['--start-in', options.startIn],
      ['--worker-timeout', options.workerTimeout],
    ] as const) {
      if (value !== undefined) throw new UsageError(`${flag} needs --workers`);
    }
  }
  if (options.results !== undefined && !options.worker && options.workers === undefined) {
    throw new UsageError('--results needs --workers (or --worker)');
  }
  if (options.startAt !== undefined && !options.worker) throw new UsageError('--start-at needs --worker');
  if (options.results !== undefined) parseS3Url('--results', options.results);
  return {
    ...(options.workers !== undefined ? { workers: parseWorkersSpec(options.workers) } : {}),
    startInS: options.startIn ?? DEFAULTS.startInS,
    timeoutS: options.workerTimeout ?? DEFAULTS.workerTimeoutS,
  };
}

/**
 * A worker's answer: the result document (report + histograms) to --json FILE, to S3
 * with --results (stdout then says where), else on stdout when it fits SSM's output.
 */
async function sendWorkerResult(
  context: CommandContext<RawBenchOptions>,
  jsonFile: string | undefined,
  results: string | undefined,
  run: import('../bench/run.js').RunResult,
  startAtMs: number | undefined,
): Promise<void> {
  const { output, globals } = context;
  const { workerResultDocument, resultStdout, RESULT_LINE_S3 } = await import('../bench/distributed/worker-result.js');
  const worker = process.env.AWS_SSM_INSTANCE_ID ?? hostname();
  const doc = workerResultDocument(worker, run, startAtMs);
  if (jsonFile !== undefined) {
    writeFileAtomic(jsonFile, JSON.stringify(doc) + '\n');
    output.info(`wrote ${jsonFile}`);
  }
  if (results !== undefined) {
    const [{ parseS3Url, resultKey, s3Url }, { openS3, putText }, { closeClients }] = await Promise.all([
      import('../bench/distributed/workers.js'),
      import('../aws/s3.js'),
      import('../aws/clients.js'),
    ]);
    const location = parseS3Url('--results', results);
    const key = resultKey(location, run.report.runId, worker);
    const aws = await openAws(globals);
    const s3 = openS3(aws);
    try {
      await putText(s3, location.bucket, key, JSON.stringify(doc));
    } finally {
      s3.destroy();
      closeClients(aws);
    }
    process.stdout.write(`${RESULT_LINE_S3}${s3Url(location, key)}\n`);
    return;
  }
  if (jsonFile !== undefined) return;
  const text = resultStdout(doc);
  if (text === undefined) {
    throw new CliError(
      'the worker result does not fit in SSM output (24,000 characters): pass --results s3://bucket/prefix, or --json FILE',
    );
  }
  process.stdout.write(text);
}
