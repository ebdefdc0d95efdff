/**
 * Many workers' results → one report. Latency is merged from the workers' histogram
 * counts (per node, per command, per second), never by averaging percentiles; ops and
 * ops/s add up. What depends on one machine's clock stays per worker: replication lag,
 * stale reads, unavailability windows and failover times are listed under
 * `<worker>/<node>`, not combined. Pure: no I/O.
 */
import { HdrHistogram, mergeHistograms } from '../histogram.js';
import {
  latencyMs,
  percentileCurve,
  type BenchReport,
  type FailedWorker,
  type NodeReport,
  type WorkerRow,
} from '../report.js';
import type { IntervalHistograms, TimelinePoint } from '../timeline.js';
import type { WorkerResult } from './worker-result.js';

export interface MergedRun {
  report: BenchReport;
  /** Per node, every worker's latency merged (for --hdr-out). */
  histograms: Map<string, HdrHistogram>;
  /** Per second, per node, every worker's histogram of that second merged (for --hdr-log). */
  intervals: IntervalHistograms[];
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

export function mergeWorkerResults(
  results: WorkerResult[],
  runId: string,
  failed: FailedWorker[] = [],
  /** The run's settings as the controller knows them; default: the first worker's. */
  config?: Record<string, unknown>,
): MergedRun {
  if (results.length === 0) throw new Error('no worker result to merge');
  const tagged = (worker: string, name: string) => `${worker}/${name}`;

  // Nodes in the order the first worker that measured them lists them.
  const nodeOrder: NodeReport[] = [];
  for (const r of results) for (const n of r.report.nodes) if (!nodeOrder.some((o) => o.id === n.id)) nodeOrder.push(n);

  const histograms = new Map<string, HdrHistogram>();
  const nodes: NodeReport[] = nodeOrder.map((first) => {
    const parts = results.flatMap((r) => {
      const node = r.report.nodes.find((n) => n.id === first.id);
      const h = r.histograms.get(first.id);
      return node && h ? [{ worker: r.worker, node, h }] : [];
    });
    const set = mergeHistograms(parts.map((p) => p.h.set));
    const get = mergeHistograms(parts.map((p) => p.h.get));
    const latency = mergeHistograms([set, get]);
    histograms.set(first.id, latency);
    const sum = (pick: (n: NodeReport) => number) => parts.reduce((total, p) => total + pick(p.node), 0);
    const lastError = parts.find((p) => p.node.lastError !== undefined);
    return {
      id: first.id,
      role: first.role,
      address: first.address,
      port: first.port,
      ops: sum((n) => n.ops),
      // The workers ran at the same time: their rates add up.
      opsPerSec: sum((n) => n.opsPerSec),
      sets: sum((n) => n.sets),
      gets: sum((n) => n.gets),
      hits: sum((n) => n.hits),
      misses: sum((n) => n.misses),
      errors: sum((n) => n.errors),
      latencyMs: latencyMs(latency),
      latencyMsByCommand: { set: latencyMs(set), get: latencyMs(get) },
      unavailable: parts.flatMap((p) => p.node.unavailable.map((u) => ({ ...u, node: tagged(p.worker, u.node) }))),
      percentiles: percentileCurve(latency),
      ...(lastError ? { lastError: `${lastError.worker}: ${lastError.node.lastError}` } : {}),
    };
  });
  const all = mergeHistograms(histograms.values());

  const workers: WorkerRow[] = results.map((r) => {
    const latency = mergeHistograms([...r.histograms.values()].flatMap((h) => [h.set, h.get]));
    return {
      worker: r.worker,
      startedAt: r.report.startedAt,
      durationS: r.report.durationS,
      startLateMs: r.startLateMs,
      ops: r.report.total.ops,
      opsPerSec: r.report.total.opsPerSec,
      errors: r.report.total.errors,
      latencyMs: latencyMs(latency),
      cpuPercent: r.report.client.cpuPercent,
      saturated: r.report.client.saturated,
    };
  });

  const intervals = mergeIntervals(results);
  const lostWrites = results.filter((r) => r.report.lostWrites !== null).map((r) => r.report.lostWrites!);
  const failover = results.find((r) => r.report.failover !== null);
  const first = results[0]!.report;
  const report: BenchReport = {
    config: { ...(config ?? first.config), workers: results.map((r) => r.worker) },
    runId,
    keyPrefix: [...new Set(results.map((r) => r.report.keyPrefix))].join(' '),
    startedAt: results.map((r) => r.report.startedAt).sort()[0]!,
    durationS: Math.max(...results.map((r) => r.report.durationS)),
    nodes,
    total: {
      ops: nodes.reduce((total, n) => total + n.ops, 0),
      opsPerSec: workers.reduce((total, w) => total + w.opsPerSec, 0),
      errors: nodes.reduce((total, n) => total + n.errors, 0),
      latencyMs: latencyMs(all),
    },
    replication: results.flatMap((r) => r.report.replication.map((x) => ({ ...x, node: tagged(r.worker, x.node) }))),
    unavailability: nodes.flatMap((n) => n.unavailable),
    failover: failover
      ? {
          ...failover.report.failover!,
          from: tagged(failover.worker, failover.report.failover!.from),
          to: tagged(failover.worker, failover.report.failover!.to),
        }
      : null,
    lostWrites:
      lostWrites.length === 0
        ? null
        : {
            checked: lostWrites.reduce((t, l) => t + l.checked, 0),
            lost: lostWrites.reduce((t, l) => t + l.lost, 0),
          },
    client: {
      // Each worker is its own machine: the busiest one says whether a client was the limit.
      cpuPercent: Math.max(...results.map((r) => r.report.client.cpuPercent)),
      connections: results.reduce((t, r) => t + r.report.client.connections, 0),
      saturated: results.some((r) => r.report.client.saturated),
    },
    cleanup: {
      keysRemoved: results.reduce((t, r) => t + r.report.cleanup.keysRemoved, 0),
      keysLeft: results.some((r) => r.report.cleanup.keysLeft < 0)
        ? -1
        : results.reduce((t, r) => t + r.report.cleanup.keysLeft, 0),
    },
    warnings: [
      ...consistencyWarnings(results),
      ...results.flatMap((r) => r.report.warnings.map((w) => `${r.worker}: ${w}`)),
      ...failed.map((f) => `${f.worker} did not report (${f.status}): ${f.reason}`),
    ],
    timeline: mergeTimelines(results),
    workers,
    ...(failed.length > 0 ? { failedWorkers: failed } : {}),
  };
  return { report, histograms, intervals };
}

/** Load settings that must agree for a merge to mean one run (bench merge takes any files). */
const SAME_SETTINGS = ['nodes', 'pipeline', 'ratio', 'dataSize', 'keyMaximum', 'keyPattern', 'readFrom', 'tls'];
/** Seconds are merged by index: starts further apart than this no longer line up. */
const MAX_START_SPREAD_MS = 1000;

function consistencyWarnings(results: WorkerResult[]): string[] {
  const warnings: string[] = [];
  const first = results[0]!;
  for (const key of SAME_SETTINGS) {
    const differ = results.filter(
      (r) => JSON.stringify(r.report.config[key]) !== JSON.stringify(first.report.config[key]),
    );
    if (differ.length > 0) {
      warnings.push(
        `the workers ran with different ${key} (${first.worker} and ${differ[0]!.worker}): the merged figures mix two different loads`,
      );
    }
  }
  const starts = results.map((r) => Date.parse(r.report.startedAt));
  const spread = Math.max(...starts) - Math.min(...starts);
  if (spread > MAX_START_SPREAD_MS) {
    warnings.push(
      `the workers' measured phases began ${(spread / 1000).toFixed(1)} s apart: per-second figures (timeline, --hdr-log) are merged by second index and do not line up (start them with the same --start-at)`,
    );
  }
  return warnings;
}

/** Second i of every worker merged: the workers started together (the shared start time). */
function mergeIntervals(results: WorkerResult[]): IntervalHistograms[] {
  const count = Math.max(...results.map((r) => r.intervals.length));
  const out: IntervalHistograms[] = [];
  for (let i = 0; i < count; i++) {
    const present = results.flatMap((r) => (r.intervals[i] ? [r.intervals[i]!] : []));
    const byNode = new Map<string, HdrHistogram>();
    for (const interval of present) {
      for (const [node, h] of interval.byNode) {
        const merged = byNode.get(node) ?? new HdrHistogram(h.highestTrackableValue);
        merged.add(h);
        byNode.set(node, merged);
      }
    }
    out.push({
      startS: Math.min(...present.map((p) => p.startS)),
      lengthS: round3(Math.max(...present.map((p) => p.lengthS))),
      byNode,
    });
  }
  return out;
}

/** Ops/s per node per second summed over the workers; offset lag stays per worker. */
function mergeTimelines(results: WorkerResult[]): TimelinePoint[] {
  const count = Math.max(...results.map((r) => r.report.timeline?.length ?? 0));
  const out: TimelinePoint[] = [];
  for (let i = 0; i < count; i++) {
    const opsPerSec: Record<string, number> = {};
    const lagBytes: Record<string, number> = {};
    const lagMs: Record<string, number> = {};
    let tS = 0;
    for (const r of results) {
      const point = r.report.timeline?.[i];
      if (!point) continue;
      tS = Math.max(tS, point.tS);
      for (const [node, rate] of Object.entries(point.opsPerSec)) opsPerSec[node] = (opsPerSec[node] ?? 0) + rate;
      for (const [node, bytes] of Object.entries(point.lagBytes ?? {})) lagBytes[`${r.worker}/${node}`] = bytes;
      for (const [node, ms] of Object.entries(point.lagMs ?? {})) lagMs[`${r.worker}/${node}`] = ms;
    }
    out.push({ tS, opsPerSec, lagBytes, lagMs });
  }
  return out;
}
