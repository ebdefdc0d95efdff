/**
 * What `bench`, `bench --workers` and `bench merge` write besides the table: --hdr-out,
 * --json, --hdr-log (one interval per second), --report, then the report on stdout.
 */
import { writeFileAtomic } from '../config/write-file.js';
import type { HdrHistogram } from '../bench/histogram.js';
import type { BenchReport } from '../bench/report.js';
import type { IntervalHistograms } from '../bench/timeline.js';
import type { Output } from '../ui/output.js';

export interface BenchOutputFiles {
  hdrOut?: string;
  jsonFile?: string;
  hdrLog?: string;
  reportFile?: string;
}

export async function writeBenchOutputs(
  output: Output,
  files: BenchOutputFiles,
  report: BenchReport,
  histograms: Map<string, HdrHistogram>,
  intervals: IntervalHistograms[],
): Promise<void> {
  if (files.hdrOut !== undefined) {
    for (const [nodeId, histogram] of histograms) {
      const file = `${files.hdrOut}${nodeId}.hgrm`;
      writeFileAtomic(file, histogram.outputPercentileDistribution(5, 1000));
      output.info(`wrote ${file}`);
    }
  }
  if (files.jsonFile !== undefined) {
    writeFileAtomic(files.jsonFile, JSON.stringify(report, null, 2) + '\n');
    if (!output.json) output.info(`wrote ${files.jsonFile}`);
  }
  if (files.hdrLog !== undefined) {
    const { hdrLogText } = await import('../bench/hdr-log.js');
    // One interval per second of the measured phase.
    for (const nodeId of histograms.keys()) {
      const file = `${files.hdrLog}${nodeId}.hlog`;
      const nodeIntervals = intervals.flatMap((i) => {
        const histogram = i.byNode.get(nodeId);
        return histogram ? [{ startS: i.startS, lengthS: i.lengthS, histogram }] : [];
      });
      writeFileAtomic(file, hdrLogText(nodeId, new Date(report.startedAt), nodeIntervals));
      output.info(`wrote ${file}`);
    }
  }
  if (files.reportFile !== undefined) {
    const { renderReportHtml } = await import('../bench/report-html.js');
    writeFileAtomic(files.reportFile, renderReportHtml(report));
    if (!output.json) output.info(`wrote ${files.reportFile}`);
  }
  if (output.json) output.printJson(report);
  else {
    const { renderReport } = await import('../bench/render.js');
    output.result(renderReport(report));
  }
}
