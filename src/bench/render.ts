/** The report as text: a table per node, a table per replica, then the notes. */
import { renderTable } from '../ui/table.js';
import { interpretReport, shardTable, workerTable, type BenchReport } from './report.js';
import { groupedNumber } from '../ui/numbers.js';

export function renderReport(report: BenchReport): string {
  const parts: string[] = [];
  parts.push(
    `bench ${report.runId}: ${report.durationS} s measured from ${report.startedAt}, ${report.client.connections} connections, ` +
      `${groupedNumber(report.total.opsPerSec)} ops/s in total\n`,
  );
  parts.push(
    renderTable(
      [
        'node',
        ...(report.shards ? ['shard'] : []),
        'role',
        'address',
        'ops/s',
        'ops',
        'hits',
        'misses',
        'errors',
        ...(report.serverless ? ['throttled'] : []),
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'p99.9 ms',
        'max ms',
      ],
      report.nodes.map((n) => [
        n.id,
        ...(report.shards ? [n.shard ?? '-'] : []),
        n.role,
        `${n.address}:${n.port}`,
        n.opsPerSec,
        n.ops,
        n.hits,
        n.misses,
        n.errors,
        ...(report.serverless ? [n.throttled ?? 0] : []),
        n.latencyMs.p50,
        n.latencyMs.p90,
        n.latencyMs.p99,
        n.latencyMs.p999,
        n.latencyMs.max,
      ]),
    ),
  );
  if (report.shards) {
    const { headers, rows } = shardTable(report);
    parts.push(renderTable(headers, rows));
  }
  if (report.replication.length > 0) {
    parts.push(
      renderTable(
        ['replica', 'lag p50 ms', 'lag p99 ms', 'lag max ms', 'probes', 'poll rtt ms', 'offset lag B', 'stale reads'],
        report.replication.map((r) => [
          r.node,
          r.lagMs.p50,
          r.lagMs.p99,
          r.lagMs.max,
          r.probes,
          r.pollRttMs.p50,
          r.offsetLagBytes.p50,
          `${(r.staleReadRatio * 100).toFixed(1)}% (${r.staleReads}/${r.readsAfterWrite})`,
        ]),
      ),
    );
  }
  if (report.workers) parts.push(renderWorkers(report));
  const notes: string[] = [];
  for (const u of report.unavailability) {
    notes.push(
      `${u.node} unreachable from ${u.startS} s for ${u.durationS} s${u.ongoing ? ' (still down at the end)' : ''}: ${u.reason}`,
    );
  }
  if (report.shards) {
    for (const shard of report.shards)
      for (const f of shard.failovers)
        notes.push(`shard ${shard.id}: failover noticed at ${f.detectedAtS} s: ${f.from} → ${f.to}`);
    for (const change of report.slotMapChanges ?? [])
      notes.push(`slot map changed at t=${change.atS}s: ${change.description}`);
    const moved = report.shards.reduce((sum, s) => sum + s.moved, 0);
    const ask = report.shards.reduce((sum, s) => sum + s.ask, 0);
    if (moved + ask > 0) notes.push(`redirections followed (not errors): ${moved} MOVED, ${ask} ASK`);
  } else if (report.failover) {
    notes.push(`failover noticed at ${report.failover.detectedAtS} s: ${report.failover.from} → ${report.failover.to}`);
  }
  if (report.lostWrites && (report.failover || report.lostWrites.lost > 0)) {
    notes.push(`acknowledged writes lost: ${report.lostWrites.lost} of ${report.lostWrites.checked}`);
  }
  if (report.serverless) notes.push(...serverlessNotes(report.serverless));
  const bound = Math.max(0, ...report.replication.map((r) => r.lagBoundMs ?? 0));
  if (report.replication.length > 0 && bound > 0) {
    notes.push(
      `lag is timed to the middle of the poll that saw the write: within ± ${bound} ms (half a poll round trip)`,
    );
  }
  notes.push(`client CPU ${report.client.cpuPercent}% of one core`);
  notes.push(
    `bench keys removed: ${report.cleanup.keysRemoved}${report.cleanup.keysLeft > 0 ? `, ${report.cleanup.keysLeft} left (they expire by TTL)` : ''}`,
  );
  parts.push(notes.join('\n') + '\n');
  parts.push(interpretReport(report) + '\n');
  return parts.join('\n');
}

/** A serverless cache: what the load cost in ECPUs, and the requests refused at the limit (not failures). */
function serverlessNotes(serverless: NonNullable<BenchReport['serverless']>): string[] {
  const { ecpu, throttled } = serverless;
  return [
    `ECPUs consumed (estimated from the commands sent: 1 per KB transferred, at least 1; ${ecpu.perSet} per SET, ${ecpu.perGetHit} per GET hit): ` +
      `${groupedNumber(ecpu.total)} in total, ${groupedNumber(ecpu.perSecond)} ECPU/s`,
    throttled > 0
      ? `throttled: ${groupedNumber(throttled)} requests refused at the cache's ECPU/s limit (usage limits; not failures of the run, and not in ops)`
      : 'throttled: none (the load stayed under the ECPU/s limit)',
  ];
}

/** A distributed run: one row per worker (its own figures), then the ones that did not report. */
function renderWorkers(report: BenchReport): string {
  const { headers, rows } = workerTable(report);
  return renderTable(headers, rows);
}

/** The live progress text: elapsed, ops/s, p99, lag p50. */
export function progressText(
  elapsed: string,
  opsPerSec: number,
  p99Ms: number,
  lagP50Ms: number | undefined,
  phase: string,
): string {
  const lag = lagP50Ms === undefined ? '' : `, lag p50 ${lagP50Ms.toFixed(2)} ms`;
  return `bench ${phase} ${elapsed}: ${groupedNumber(Math.round(opsPerSec))} ops/s, p99 ${p99Ms.toFixed(2)} ms${lag}`;
}
