/** bench merge: read the worker results, merge them (src/bench/distributed/merge.ts), write the outputs. */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mergeWorkerResults } from '../bench/distributed/merge.js';
import { parseWorkerResult } from '../bench/distributed/worker-result.js';
import { UsageError, messageOf } from '../errors.js';
import { writeBenchOutputs } from './bench-outputs.js';
import type { CommandContext } from './lazy.js';
import type { RawBenchOptions } from '../bench/options.js';

/** Flags `bench merge` reads; any other bench flag with merge is a usage error. */
const MERGE_FLAGS = new Set(['json', 'report', 'hdrOut', 'hdrLog']);

/** `bench merge FILE…` (reached from bench.run.ts: merge is the first argument, not a subcommand). */
export async function run(context: CommandContext<RawBenchOptions>, files: string[]): Promise<void> {
  const { options, output } = context;
  const other = Object.keys(options).filter((k) => !MERGE_FLAGS.has(k));
  if (other.length > 0) {
    const flag = `--${other[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new UsageError(`${flag} does not apply to bench merge (it takes --json, --report, --hdr-out, --hdr-log)`);
  }
  if (files.length === 0) throw new UsageError('bench merge needs worker result files (bench … --worker --json FILE)');
  for (const [flag, value] of [
    ['--json', options.json],
    ['--report', options.report],
    ['--hdr-out', options.hdrOut],
    ['--hdr-log', options.hdrLog],
  ] as const) {
    if (value !== undefined && value.trim() === '') throw new UsageError(`${flag} must be a file path or prefix`);
  }
  const results = files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${messageOf(error)}`);
    }
    return parseWorkerResult(text, file);
  });
  const merged = mergeWorkerResults(results, randomBytes(4).toString('hex'));
  await writeBenchOutputs(
    output,
    {
      ...(options.hdrOut !== undefined ? { hdrOut: options.hdrOut } : {}),
      ...(options.json !== undefined ? { jsonFile: options.json } : {}),
      ...(options.hdrLog !== undefined ? { hdrLog: options.hdrLog } : {}),
      ...(options.report !== undefined ? { reportFile: options.report } : {}),
    },
    merged.report,
    merged.histograms,
    merged.intervals,
  );
}
