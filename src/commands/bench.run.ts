/** bench: parse and validate → core/bench (resolve the nodes, run) → render (table or JSON). */
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../config/write-file.js';
import { CliError, InterruptedError, messageOf } from '../errors.js';
import { interrupted } from '../interrupt.js';
import { formatElapsed, startProgress } from '../ui/progress.js';
import type { CommandContext } from './lazy.js';
import { openAws } from './session.js';
import { parseSettings, parseTargetSpec, type RawBenchOptions } from '../bench/options.js';

export async function run(context: CommandContext<RawBenchOptions>): Promise<void> {
  const { output, options, globals } = context;
  const id = context.args[0] as string | undefined;
  const runId = randomBytes(4).toString('hex');
  // Every flag is checked before anything connects (exit 2, nothing touched).
  const spec = parseTargetSpec(id, options);
  const settings = parseSettings(options, runId);
  const [{ resolveBenchTargets, benchTargets }, { renderReport, progressText }] = await Promise.all([
    import('../core/bench.js'),
    import('../bench/render.js'),
  ]);
  const targets = await resolveBenchTargets(spec, settings, () => openAws(globals));
  for (const warning of targets.warnings) output.warn(warning);

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
  progress.succeed(
    `bench ${runId}: ${report.total.opsPerSec.toLocaleString('en-US')} ops/s over ${report.durationS} s`,
  );
  if (report.client.saturated) output.warn(report.warnings[report.warnings.length - 1]!);

  if (settings.hdrOut !== undefined) {
    for (const [nodeId, histogram] of histograms) {
      const file = `${settings.hdrOut}${nodeId}.hgrm`;
      writeFileAtomic(file, histogram.outputPercentileDistribution(5, 1000));
      output.info(`wrote ${file}`);
    }
  }
  if (settings.jsonFile !== undefined) {
    writeFileAtomic(settings.jsonFile, JSON.stringify(report, null, 2) + '\n');
    if (!output.json) output.info(`wrote ${settings.jsonFile}`);
  }
  if (settings.hdrLog !== undefined) {
    const { hdrLogText } = await import('../bench/hdr-log.js');
    // One interval per second of the measured phase.
    for (const nodeId of histograms.keys()) {
      const file = `${settings.hdrLog}${nodeId}.hlog`;
      const intervals = result.intervals.flatMap((i) => {
        const histogram = i.byNode.get(nodeId);
        return histogram ? [{ startS: i.startS, lengthS: i.lengthS, histogram }] : [];
      });
      writeFileAtomic(file, hdrLogText(nodeId, new Date(report.startedAt), intervals));
      output.info(`wrote ${file}`);
    }
  }
  if (settings.reportFile !== undefined) {
    const { renderReportHtml } = await import('../bench/report-html.js');
    writeFileAtomic(settings.reportFile, renderReportHtml(report));
    if (!output.json) output.info(`wrote ${settings.reportFile}`);
  }
  if (output.json) output.printJson(report);
  else output.result(renderReport(report));
  if (report.cleanup.keysLeft !== 0) {
    output.warn(
      report.cleanup.keysLeft < 0
        ? `could not check that every key under ${report.keyPrefix} was removed; they expire after ${settings.keyTtlS} s`
        : `${report.cleanup.keysLeft} keys under ${report.keyPrefix} remain; they expire after ${settings.keyTtlS} s`,
    );
  }
}
