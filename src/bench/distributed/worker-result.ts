/**
 * What a distributed bench worker hands back to the controller: its own report and its
 * latency histograms (per node, per command, per second), so that the controller merges
 * counts exactly instead of averaging percentiles. Histograms travel in HdrHistogram's
 * V2 compressed encoding (base64), as in `--hdr-log`. Pure: no I/O.
 *
 *   const doc = workerResult('i-0abc', run, startAtMs);   // on the worker
 *   const back = parseWorkerResult(text, 'i-0abc');        // on the controller, or `bench merge`
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { UsageError } from '../../errors.js';
import { decodeCompressed, encodeCompressed } from '../hdr-log.js';
import { HdrHistogram } from '../histogram.js';
import type { BenchReport } from '../report.js';
import type { RunResult } from '../run.js';

export const WORKER_RESULT_KIND = 'elasticache-kit/bench-worker';

/**
 * GetCommandInvocation returns only "the first 24,000 characters written by the plugin to
 * stdout" (the SSM API reference); a result sent on stdout must fit in that.
 */
export const SSM_STDOUT_LIMIT = 24_000;

/** The stdout line that carries a result (plain JSON, or gzip+base64 when that fits better). */
export const RESULT_LINE = 'eck-bench-worker-result ';
export const RESULT_LINE_GZIP = 'eck-bench-worker-result-gzip ';
/** The stdout line that says where in S3 the result was written. */
export const RESULT_LINE_S3 = 'eck-bench-worker-result-at ';

export interface WorkerResultDocument {
  kind: typeof WORKER_RESULT_KIND;
  version: 1;
  /** The instance id (SSM sets AWS_SSM_INSTANCE_ID) or the host name. */
  worker: string;
  /** The shared start time (epoch ms), when the controller gave one. */
  startAtMs?: number;
  /** How late this worker's measured phase began after startAtMs. */
  startLateMs: number;
  /** The worker's own report, without the percentile curves (rebuilt from the histograms). */
  report: BenchReport;
  /** Per node: SET and GET latency (µs) over the whole measured phase. */
  histograms: Record<string, { set: EncodedHistogram; get: EncodedHistogram }>;
  /** Per second of the measured phase: each node's latency histogram (SETs and GETs). */
  intervals: Array<{ startS: number; lengthS: number; nodes: Record<string, string> }>;
}

/**
 * HdrHistogram's V2 encoding (base64) keeps counts, not the exact min and max (a decoded
 * max is its bucket's upper end): those travel next to it, so merged maxima stay exact.
 */
export interface EncodedHistogram {
  counts: string;
  min: number;
  max: number;
}

/** A parsed worker result, histograms decoded. */
export interface WorkerResult {
  worker: string;
  startAtMs?: number;
  startLateMs: number;
  report: BenchReport;
  histograms: Map<string, { set: HdrHistogram; get: HdrHistogram }>;
  intervals: Array<{ startS: number; lengthS: number; byNode: Map<string, HdrHistogram> }>;
}

const encode = (h: HdrHistogram) => encodeCompressed(h).toString('base64');
const decode = (text: string) => decodeCompressed(Buffer.from(text, 'base64'));
const encodeExact = (h: HdrHistogram): EncodedHistogram => ({ counts: encode(h), min: h.min, max: h.max });
function decodeExact(encoded: EncodedHistogram): HdrHistogram {
  const snapshot = decode(encoded.counts).snapshot();
  if (snapshot.total > 0) {
    snapshot.min = encoded.min;
    snapshot.max = encoded.max;
  }
  return HdrHistogram.fromSnapshot(snapshot);
}

export function workerResultDocument(worker: string, run: RunResult, startAtMs?: number): WorkerResultDocument {
  const histograms: WorkerResultDocument['histograms'] = {};
  for (const [node, h] of run.byCommand) histograms[node] = { set: encodeExact(h.set), get: encodeExact(h.get) };
  return {
    kind: WORKER_RESULT_KIND,
    version: 1,
    worker,
    ...(startAtMs !== undefined ? { startAtMs } : {}),
    startLateMs: Math.round(run.startLateMs),
    report: { ...run.report, nodes: run.report.nodes.map(({ percentiles: _, ...node }) => node) },
    histograms,
    intervals: run.intervals.map((i) => ({
      startS: i.startS,
      lengthS: i.lengthS,
      nodes: Object.fromEntries([...i.byNode].map(([node, h]) => [node, encode(h)])),
    })),
  };
}

/** The worker's stdout: the result line, gzipped when the plain JSON would not fit SSM's limit. */
export function resultStdout(doc: WorkerResultDocument): string | undefined {
  const json = JSON.stringify(doc);
  const plain = `${RESULT_LINE}${json}\n`;
  if (plain.length <= SSM_STDOUT_LIMIT) return plain;
  const gzip = `${RESULT_LINE_GZIP}${gzipSync(json).toString('base64')}\n`;
  return gzip.length <= SSM_STDOUT_LIMIT ? gzip : undefined;
}

/** What a worker's stdout points to: the result itself, or where it was written. */
export type ResultPointer = { kind: 'inline'; json: string } | { kind: 's3'; url: string } | { kind: 'none' };

export function findResultInStdout(stdout: string): ResultPointer {
  for (const line of stdout.split('\n')) {
    if (line.startsWith(RESULT_LINE)) return { kind: 'inline', json: line.slice(RESULT_LINE.length) };
    if (line.startsWith(RESULT_LINE_GZIP)) {
      return {
        kind: 'inline',
        json: gunzipSync(Buffer.from(line.slice(RESULT_LINE_GZIP.length), 'base64')).toString(),
      };
    }
    if (line.startsWith(RESULT_LINE_S3)) return { kind: 's3', url: line.slice(RESULT_LINE_S3.length).trim() };
  }
  return { kind: 'none' };
}

/** Parses and checks a worker result (a file for `bench merge`, or what a worker sent). */
export function parseWorkerResult(text: string, source: string): WorkerResult {
  let doc: WorkerResultDocument;
  try {
    doc = JSON.parse(text) as WorkerResultDocument;
  } catch (error) {
    throw new UsageError(`${source} is not JSON: ${(error as Error).message}`);
  }
  if (doc?.kind !== WORKER_RESULT_KIND || doc.version !== 1) {
    throw new UsageError(
      `${source} is not a bench worker result (kind ${WORKER_RESULT_KIND} version 1): write one with bench … --worker --json FILE`,
    );
  }
  try {
    return {
      worker: String(doc.worker),
      ...(doc.startAtMs !== undefined ? { startAtMs: doc.startAtMs } : {}),
      startLateMs: doc.startLateMs ?? 0,
      report: doc.report,
      histograms: new Map(
        Object.entries(doc.histograms).map(([node, h]) => [node, { set: decodeExact(h.set), get: decodeExact(h.get) }]),
      ),
      intervals: doc.intervals.map((i) => ({
        startS: i.startS,
        lengthS: i.lengthS,
        byNode: new Map(Object.entries(i.nodes).map(([node, h]) => [node, decode(h)])),
      })),
    };
  } catch (error) {
    throw new UsageError(`${source}: a histogram does not decode: ${(error as Error).message}`);
  }
}

/**
 * Names a worker's nodes as the controller does. The controller passes the nodes as
 * --primary/--replica, so a worker calls them primary, replica-1…; `nameOf` maps each
 * node's address back to the controller's name (the group's node ids).
 */
export function renameNodes(
  result: WorkerResult,
  nameOf: (address: string, port: number) => string | undefined,
): WorkerResult {
  const names = new Map<string, string>();
  for (const node of result.report.nodes) {
    const name = nameOf(node.address, node.port);
    if (name !== undefined) names.set(node.id, name);
  }
  const r = (id: string) => names.get(id) ?? id;
  const rekey = <T>(map: Map<string, T>) => new Map([...map].map(([k, v]) => [r(k), v]));
  const rekeyRecord = <T>(record: Record<string, T>) =>
    Object.fromEntries(Object.entries(record).map(([k, v]) => [r(k), v]));
  const report = result.report;
  return {
    ...result,
    report: {
      ...report,
      nodes: report.nodes.map((n) => ({
        ...n,
        id: r(n.id),
        unavailable: n.unavailable.map((u) => ({ ...u, node: r(u.node) })),
      })),
      replication: report.replication.map((x) => ({ ...x, node: r(x.node) })),
      unavailability: report.unavailability.map((u) => ({ ...u, node: r(u.node) })),
      failover: report.failover
        ? { ...report.failover, from: r(report.failover.from), to: r(report.failover.to) }
        : null,
      ...(report.timeline
        ? {
            timeline: report.timeline.map((p) => ({
              ...p,
              opsPerSec: rekeyRecord(p.opsPerSec),
              lagBytes: rekeyRecord(p.lagBytes ?? {}),
              ...(p.lagMs ? { lagMs: rekeyRecord(p.lagMs) } : {}),
            })),
          }
        : {}),
    },
    histograms: rekey(result.histograms),
    intervals: result.intervals.map((i) => ({ ...i, byNode: rekey(i.byNode) })),
  };
}
