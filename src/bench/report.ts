/**
 * The bench report: a plain JSON-able model built from what the run recorded, and the
 * one sentence that says what it means. Pure: no I/O.
 */
import { HdrHistogram, type PercentileSummary } from './histogram.js';
import type { ReplicaLagStats } from './lag.js';
import type { NodeStats } from './stats.js';
import type { LoadNode } from './workload.js';
import type { TimelinePoint } from './timeline.js';
import type { ClusterShardLayout } from './cluster-discovery.js';
import { formatRanges } from './slot-map.js';
import { estimateEcpus, type CommandBytes, type EcpuEstimate } from './ecpu.js';
import { groupedNumber } from '../ui/numbers.js';

export interface LatencyMs extends PercentileSummary {}

export interface NodeReport {
  id: string;
  role: 'primary' | 'replica';
  address: string;
  port: number;
  ops: number;
  opsPerSec: number;
  sets: number;
  gets: number;
  hits: number;
  misses: number;
  errors: number;
  /** Serverless: requests refused at the ECPU/s limit (not failures; not in ops). */
  throttled?: number;
  latencyMs: LatencyMs;
  latencyMsByCommand: { set: LatencyMs; get: LatencyMs };
  unavailable: UnavailabilityReport[];
  /** Cluster: the node's shard. */
  shard?: string;
  /** Cluster: MOVED and ASK replies from this node (the requests were retried where they pointed). */
  moved?: number;
  ask?: number;
  lastError?: string;
  /** HDR percentile distribution (percentile 0-100, latency ms), for the HTML report's plot. */
  percentiles?: Array<{ percentile: number; ms: number }>;
}

export interface UnavailabilityReport {
  node: string;
  /** Seconds after the measurement started. */
  startS: number;
  durationS: number;
  /** Still unreachable when the run ended. */
  ongoing: boolean;
  reason: string;
}

export interface ReplicationReport {
  node: string;
  lagMs: { p50: number; p90: number; p99: number; max: number };
  /** Probes written while measuring; `seen` of them were read back from this replica. */
  probes: number;
  seen: number;
  timeouts: number;
  errors: number;
  /** Round trip of one poll: the resolution of lagMs. */
  pollRttMs: { p50: number; p99: number };
  /**
   * lagMs is timed to the middle of the poll that saw the write (not its reply, which
   * would add half a poll round trip under load); it is within ± this (half the p50 poll RTT).
   */
  lagBoundMs?: number;
  /** Primary master_repl_offset − replica slave_repl_offset, sampled once a second. */
  offsetLagBytes: { p50: number; max: number; samples: number };
  readsAfterWrite: number;
  staleReads: number;
  staleReadRatio: number;
}

/** One shard of a cluster: its nodes' figures together (latency merged from their histograms). */
export interface ShardReport {
  id: string;
  /** The slots it served at the start, as AWS writes them ("0-5461"). */
  slots: string;
  nodes: string[];
  ops: number;
  opsPerSec: number;
  sets: number;
  gets: number;
  errors: number;
  moved: number;
  ask: number;
  latencyMs: LatencyMs;
  /** Its replicas' lag p50/p99 (ms) and stale reads, as in `replication`. */
  replication: Array<{ node: string; lagP50Ms: number; lagP99Ms: number; staleReads: number; readsAfterWrite: number }>;
  staleReads: number;
  readsAfterWrite: number;
  failovers: Array<{ from: string; to: string; detectedAtS: number }>;
  /** Its nodes' unreachable windows. */
  unavailable: UnavailabilityReport[];
}

export interface BenchReport {
  config: Record<string, unknown>;
  runId: string;
  keyPrefix: string;
  startedAt: string;
  durationS: number;
  nodes: NodeReport[];
  total: { ops: number; opsPerSec: number; errors: number; latencyMs: LatencyMs };
  replication: ReplicationReport[];
  unavailability: UnavailabilityReport[];
  /** When the INFO sampler (every 0.5 s) first saw another node answer as primary. */
  failover: { from: string; to: string; detectedAtS: number } | null;
  lostWrites: { checked: number; lost: number } | null;
  client: { cpuPercent: number; connections: number; saturated: boolean };
  cleanup: { keysRemoved: number; keysLeft: number };
  warnings: string[];
  /** Ops/s per node per second of the measured phase (absent in reports from older versions). */
  timeline?: TimelinePoint[];
  /** Cluster mode: per shard. */
  shards?: ShardReport[];
  /** Cluster mode: each change of the slot map seen during the measurement (failover, resharding). */
  slotMapChanges?: Array<{ atS: number; description: string }>;
  /** A serverless cache: requests throttled at its ECPU/s limit, and the ECPUs the load cost (estimated). */
  serverless?: { throttled: number; ecpu: EcpuEstimate };
  /** A distributed run (bench --workers, bench merge): one row per worker that reported. */
  workers?: WorkerRow[];
  /** Workers that did not report (failed, timed out, result unreadable). */
  failedWorkers?: FailedWorker[];
}

export interface WorkerRow {
  worker: string;
  startedAt: string;
  durationS: number;
  /** Measured phase began this long after the shared time (the shared start + the warmup). */
  startLateMs: number;
  ops: number;
  opsPerSec: number;
  errors: number;
  latencyMs: LatencyMs;
  cpuPercent: number;
  saturated: boolean;
}

/** The shards table (text and HTML): a row per shard, its nodes listed, failovers in words. */
export function shardTable(report: BenchReport): { headers: string[]; rows: Array<Array<string | number>> } {
  const rows = (report.shards ?? []).map((s) => [
    s.id,
    s.slots,
    s.nodes.join(' '),
    s.opsPerSec,
    s.ops,
    s.errors,
    s.moved,
    s.ask,
    s.latencyMs.p50,
    s.latencyMs.p99,
    s.replication.length > 0 ? Math.max(...s.replication.map((r) => r.lagP50Ms)) : '-',
    s.readsAfterWrite > 0
      ? `${((s.staleReads / s.readsAfterWrite) * 100).toFixed(1)}% (${s.staleReads}/${s.readsAfterWrite})`
      : '-',
    s.failovers.map((f) => `${f.from} → ${f.to} at ${f.detectedAtS} s`).join('; ') || '-',
  ]);
  return {
    headers: [
      'shard',
      'slots',
      'nodes',
      'ops/s',
      'ops',
      'errors',
      'MOVED',
      'ASK',
      'p50 ms',
      'p99 ms',
      'lag p50 ms',
      'stale reads',
      'failovers',
    ],
    rows,
  };
}

/** The workers table (text and HTML): a row per worker that reported, then one per worker that did not. */
export function workerTable(report: BenchReport): { headers: string[]; rows: Array<Array<string | number>> } {
  const reported = (report.workers ?? []).map((w) => [
    w.worker,
    'ok',
    w.opsPerSec,
    w.ops,
    w.errors,
    w.latencyMs.p50,
    w.latencyMs.p99,
    w.latencyMs.max,
    w.startLateMs,
    w.cpuPercent,
  ]);
  const failed = (report.failedWorkers ?? []).map((f) => [f.worker, `${f.status}: ${f.reason}`, ...Array(8).fill('-')]);
  return {
    headers: ['worker', 'status', 'ops/s', 'ops', 'errors', 'p50 ms', 'p99 ms', 'max ms', 'late ms', 'cpu %'],
    rows: [...reported, ...failed],
  };
}

export interface FailedWorker {
  worker: string;
  /** SSM's invocation status (Failed, TimedOut, Cancelled…) or "NoResult". */
  status: string;
  reason: string;
}

export interface ReportInput {
  config: Record<string, unknown>;
  runId: string;
  keyPrefix: string;
  startedAt: Date;
  durationMs: number;
  nodes: LoadNode[];
  stats: Map<string, NodeStats>;
  lag: Map<string, ReplicaLagStats>;
  offsetLag: Map<string, number[]>;
  timeline?: TimelinePoint[];
  failover?: { from: string; to: string; atMs: number };
  lostWrites?: { checked: number; lost: number };
  cpuPercent: number;
  connections: number;
  cleanup: { keysRemoved: number; keysLeft: number };
  warnings: string[];
  /** A serverless cache: the RESP bytes of its commands, to estimate the ECPUs they cost. */
  serverless?: { commandBytes: CommandBytes };
  cluster?: {
    shards: ClusterShardLayout[];
    failovers: Array<{ from: string; to: string; atMs: number; shard?: string }>;
    slotMapChanges: Array<{ atMs: number; description: string }>;
  };
}

/** Client CPU at or above this share of one core means the load generator is the bottleneck. */
export const CLIENT_SATURATION_PERCENT = 90;

const round = (n: number, digits = 3) => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

export function latencyMs(h: HdrHistogram): LatencyMs {
  const s = h.summary(1000);
  return { p50: round(s.p50), p90: round(s.p90), p99: round(s.p99), p999: round(s.p999), max: round(s.max) };
}

function percentileOf(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** HdrHistogram's percentile steps (denser towards 100%), in ms, without repeated levels. */
export function percentileCurve(h: HdrHistogram): Array<{ percentile: number; ms: number }> {
  if (h.totalCount === 0) return [];
  const out: Array<{ percentile: number; ms: number }> = [];
  for (const step of h.percentileSteps(5)) {
    const point = { percentile: round(step.percentile, 6), ms: round(step.value / 1000, 4) };
    const last = out[out.length - 1];
    if (last && last.percentile === point.percentile) continue;
    out.push(point);
  }
  return out;
}

export function buildReport(input: ReportInput): BenchReport {
  const seconds = Math.max(input.durationMs / 1000, 1e-9);
  const all = new HdrHistogram();
  const unavailability: UnavailabilityReport[] = [];
  const nodes: NodeReport[] = input.nodes.map((node) => {
    const stats = input.stats.get(node.id)!;
    const latency = stats.latency();
    all.add(latency);
    const unavailable = stats.unavailable
      .filter((u) => u.endMs === undefined || u.endMs >= 0)
      .map((u) => {
        const start = Math.max(0, u.startMs);
        const end = u.endMs ?? input.durationMs;
        return {
          node: node.id,
          startS: round(start / 1000),
          durationS: round(Math.max(0, end - start) / 1000),
          ongoing: u.endMs === undefined,
          reason: u.reason,
        };
      });
    unavailability.push(...unavailable);
    return {
      id: node.id,
      role: node.role,
      address: node.address.host,
      port: node.address.port,
      ops: stats.ops,
      opsPerSec: Math.round(stats.ops / seconds),
      sets: stats.sets,
      gets: stats.gets,
      hits: stats.hits,
      misses: stats.misses,
      errors: stats.errors,
      latencyMs: latencyMs(latency),
      latencyMsByCommand: { set: latencyMs(stats.setLatency), get: latencyMs(stats.getLatency) },
      unavailable,
      ...(node.shard !== undefined ? { shard: node.shard, moved: stats.moved, ask: stats.ask } : {}),
      ...(input.serverless || stats.throttled > 0 ? { throttled: stats.throttled } : {}),
      percentiles: percentileCurve(latency),
      ...(stats.lastError && stats.errors > 0 ? { lastError: stats.lastError } : {}),
    };
  });
  const replication: ReplicationReport[] = input.nodes
    .filter((n) => input.lag.has(n.id))
    .map((node) => {
      const lag = input.lag.get(node.id)!;
      const offsets = [...(input.offsetLag.get(node.id) ?? [])].sort((a, b) => a - b);
      const s = lag.lag.summary(1000);
      return {
        node: node.id,
        lagMs: { p50: round(s.p50), p90: round(s.p90), p99: round(s.p99), max: round(s.max) },
        probes: lag.probes,
        seen: lag.lag.totalCount,
        timeouts: lag.timeouts,
        errors: lag.errors,
        pollRttMs: {
          p50: round(lag.pollRtt.valueAtPercentile(50) / 1000),
          p99: round(lag.pollRtt.valueAtPercentile(99) / 1000),
        },
        lagBoundMs: round(lag.pollRtt.valueAtPercentile(50) / 2000),
        offsetLagBytes: {
          p50: percentileOf(offsets, 50),
          max: offsets[offsets.length - 1] ?? 0,
          samples: offsets.length,
        },
        readsAfterWrite: lag.readsAfterWrite,
        staleReads: lag.staleReads,
        staleReadRatio: lag.readsAfterWrite === 0 ? 0 : round(lag.staleReads / lag.readsAfterWrite, 4),
      };
    });
  const totalOps = nodes.reduce((sum, n) => sum + n.ops, 0);
  const cpuPercent = round(input.cpuPercent, 1);
  const saturated = cpuPercent >= CLIENT_SATURATION_PERCENT;
  const warnings = [...input.warnings];
  if (saturated) {
    warnings.push(
      `the load generator used ${cpuPercent}% of a CPU core: it, not the server, limits these figures (run fewer --clients or several bench processes)`,
    );
  }
  return {
    config: input.config,
    runId: input.runId,
    keyPrefix: input.keyPrefix,
    startedAt: input.startedAt.toISOString(),
    durationS: round(input.durationMs / 1000),
    nodes,
    total: {
      ops: totalOps,
      opsPerSec: Math.round(totalOps / seconds),
      errors: nodes.reduce((sum, n) => sum + n.errors, 0),
      latencyMs: latencyMs(all),
    },
    replication,
    unavailability,
    failover: input.failover
      ? { from: input.failover.from, to: input.failover.to, detectedAtS: round(input.failover.atMs / 1000) }
      : null,
    lostWrites: input.lostWrites ?? null,
    client: { cpuPercent, connections: input.connections, saturated },
    cleanup: input.cleanup,
    warnings,
    ...(input.timeline ? { timeline: input.timeline } : {}),
    ...(input.serverless
      ? {
          serverless: {
            throttled: nodes.reduce((sum, n) => sum + (n.throttled ?? 0), 0),
            ecpu: estimateEcpus(
              {
                sets: nodes.reduce((sum, n) => sum + n.sets, 0),
                hits: nodes.reduce((sum, n) => sum + n.hits, 0),
                misses: nodes.reduce((sum, n) => sum + n.misses, 0),
              },
              input.serverless.commandBytes,
              seconds,
            ),
          },
        }
      : {}),
    ...(input.cluster
      ? {
          shards: shardReports(input, nodes, replication, unavailability, seconds),
          slotMapChanges: input.cluster.slotMapChanges.map((c) => ({
            atS: round(c.atMs / 1000),
            description: c.description,
          })),
        }
      : {}),
  };
}

function shardReports(
  input: ReportInput,
  nodes: NodeReport[],
  replication: ReplicationReport[],
  unavailability: UnavailabilityReport[],
  seconds: number,
): ShardReport[] {
  const cluster = input.cluster!;
  return cluster.shards.map((shard) => {
    const members = nodes.filter((n) => shard.nodeIds.includes(n.id));
    const latency = new HdrHistogram();
    for (const id of shard.nodeIds) {
      const stats = input.stats.get(id);
      if (stats) latency.add(stats.latency());
    }
    const sum = (pick: (n: NodeReport) => number) => members.reduce((total, n) => total + pick(n), 0);
    const lag = replication.filter((r) => shard.nodeIds.includes(r.node));
    return {
      id: shard.id,
      slots: formatRanges(shard.slots),
      nodes: shard.nodeIds,
      ops: sum((n) => n.ops),
      opsPerSec: Math.round(sum((n) => n.ops) / seconds),
      sets: sum((n) => n.sets),
      gets: sum((n) => n.gets),
      errors: sum((n) => n.errors),
      moved: sum((n) => n.moved ?? 0),
      ask: sum((n) => n.ask ?? 0),
      latencyMs: latencyMs(latency),
      replication: lag.map((r) => ({
        node: r.node,
        lagP50Ms: r.lagMs.p50,
        lagP99Ms: r.lagMs.p99,
        staleReads: r.staleReads,
        readsAfterWrite: r.readsAfterWrite,
      })),
      staleReads: lag.reduce((total, r) => total + r.staleReads, 0),
      readsAfterWrite: lag.reduce((total, r) => total + r.readsAfterWrite, 0),
      failovers: cluster.failovers
        .filter((f) => f.shard === shard.id)
        .map((f) => ({ from: f.from, to: f.to, detectedAtS: round(f.atMs / 1000) })),
      unavailable: unavailability.filter((u) => shard.nodeIds.includes(u.node)),
    };
  });
}

/** Milliseconds for a sentence: 0.33 ms, 5.8 ms, 21 ms. */
function ms(value: number): string {
  if (value < 1) return `${value.toFixed(2)} ms`;
  if (value < 10) return `${value.toFixed(1)} ms`;
  return `${Math.round(value)} ms`;
}

function percent(ratio: number): string {
  const p = ratio * 100;
  return p >= 10 || p === 0 ? `${Math.round(p)}%` : `${p.toFixed(1)}%`;
}

/** One sentence that tells an app developer what the figures mean for their code. */
export function interpretReport(report: BenchReport): string {
  const tail = report.client.saturated ? ' (the load generator was CPU-bound, so throughput is a lower bound)' : '';
  if (report.failover && report.lostWrites && report.lostWrites.lost > 0) {
    return `a failover from ${report.failover.from} to ${report.failover.to} lost ${report.lostWrites.lost} of ${report.lostWrites.checked} acknowledged writes; writes acknowledged by the primary are not durable until replicated${tail}`;
  }
  const down = report.unavailability.find((u) => u.durationS > 0 || u.ongoing);
  const replicas = report.replication.filter((r) => r.readsAfterWrite > 0);
  if (replicas.length === 0) {
    const primary = report.nodes.find((n) => n.role === 'primary');
    const base = report.shards
      ? `the cluster's ${report.shards.length} shards served ${groupedNumber(report.total.opsPerSec)} ops/s with p99 ${ms(report.total.latencyMs.p99)}`
      : primary
        ? `the primary served ${groupedNumber(primary.opsPerSec)} ops/s with p99 ${ms(primary.latencyMs.p99)}`
        : `the run served ${groupedNumber(report.total.opsPerSec)} ops/s`;
    return `${base}; with no replica measured, every read goes to the primary and always sees the latest write${down ? `, though ${down.node} was unreachable for ${down.durationS} s` : ''}${tail}`;
  }
  const worst = replicas.reduce((a, b) => (b.staleReadRatio > a.staleReadRatio ? b : a));
  const lagP50 = Math.max(...replicas.map((r) => r.lagMs.p50));
  if (worst.staleReadRatio >= 0.01) {
    return `a read from a replica right after a write was stale ${percent(worst.staleReadRatio)} of the time (replication lag p50 ${ms(lagP50)}); read your own writes from the primary${tail}`;
  }
  return `replicas kept up: a read right after a write was stale ${percent(worst.staleReadRatio)} of the time (replication lag p50 ${ms(lagP50)}), so reading from replicas is safe for data that may be a moment old${down ? `, but ${down.node} was unreachable for ${down.durationS} s` : ''}${tail}`;
}
