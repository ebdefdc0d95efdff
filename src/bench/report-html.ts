/**
 * `bench --report report.html`: one self-contained page (inline CSS, SVG and a few lines of
 * JS; nothing fetched when it is viewed). Pure: the page is a function of the report, so the
 * charts can be tested without a browser and the browser test only checks that it renders.
 */
import { interpretReport, shardTable, workerTable, type BenchReport } from './report.js';
import { groupedNumber } from '../ui/numbers.js';

const WIDTH = 720;
const HEIGHT = 260;
const PAD = { left: 64, right: 32, top: 16, bottom: 40 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON that is safe inside <script>: no `</script>`, `<!--` or line separators can end or bend it. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

interface Series {
  name: string;
  points: Array<[number, number]>;
}

interface Band {
  from: number;
  to: number;
  label: string;
}

interface ChartSpec {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  bands?: Band[];
  /** Maps an x value to its tick label (for the percentile axis). */
  xTicks?: Array<{ x: number; label: string }>;
  xMax?: number;
}

const fmt = (n: number) => (Math.abs(n) >= 1000 ? groupedNumber(Math.round(n)) : Number(n.toPrecision(3)).toString());

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

/** An inline SVG line chart; each series is one <path data-series=…> with its points in data-points. */
export function lineChartSvg(spec: ChartSpec): string {
  const all = spec.series.flatMap((s) => s.points);
  const xMax = spec.xMax ?? Math.max(1, ...all.map((p) => p[0]), ...(spec.bands ?? []).map((b) => b.to));
  const yMax = niceMax(Math.max(0, ...all.map((p) => p[1])));
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const x = (v: number) => PAD.left + (Math.min(v, xMax) / xMax) * w;
  const y = (v: number) => PAD.top + h - (v / yMax) * h;
  const parts: string[] = [];
  parts.push(
    `<svg id="${spec.id}" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(spec.title)}">`,
  );
  for (const band of spec.bands ?? []) {
    const bx = x(band.from);
    parts.push(
      `<rect class="band" x="${bx.toFixed(1)}" y="${PAD.top}" width="${Math.max(2, x(band.to) - bx).toFixed(1)}" height="${h}" fill="#d62728" fill-opacity="0.15"><title>${escapeHtml(band.label)}</title></rect>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(
      `<line x1="${PAD.left}" x2="${PAD.left + w}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`,
    );
    parts.push(
      `<text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="tick">${escapeHtml(fmt(v))}</text>`,
    );
  }
  const xStep = niceMax(xMax / 6);
  const xTicks =
    spec.xTicks ??
    Array.from({ length: Math.floor(xMax / xStep) + 1 }, (_, i) => ({ x: i * xStep, label: fmt(i * xStep) }));
  for (const t of xTicks) {
    if (t.x > xMax) continue;
    parts.push(
      `<line x1="${x(t.x).toFixed(1)}" x2="${x(t.x).toFixed(1)}" y1="${PAD.top}" y2="${PAD.top + h}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${x(t.x).toFixed(1)}" y="${PAD.top + h + 16}" text-anchor="middle" class="tick">${escapeHtml(t.label)}</text>`,
    );
  }
  parts.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  parts.push(
    `<text x="${PAD.left + w / 2}" y="${HEIGHT - 4}" text-anchor="middle" class="axis">${escapeHtml(spec.xLabel)}</text>`,
  );
  parts.push(
    `<text x="12" y="${PAD.top + h / 2}" text-anchor="middle" class="axis" transform="rotate(-90 12 ${PAD.top + h / 2})">${escapeHtml(spec.yLabel)}</text>`,
  );
  spec.series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
    const colour = COLOURS[i % COLOURS.length]!;
    parts.push(
      `<path class="series" data-series="${escapeHtml(s.name)}" data-points="${s.points.length}" d="${d}" fill="none" stroke="${colour}" stroke-width="2"><title>${escapeHtml(s.name)}</title></path>`,
    );
    if (s.points.length === 1)
      parts.push(
        `<circle cx="${x(s.points[0]![0]).toFixed(1)}" cy="${y(s.points[0]![1]).toFixed(1)}" r="3" fill="${colour}"/>`,
      );
  });
  parts.push('</svg>');
  const legend = spec.series
    .map(
      (s, i) =>
        `<span class="key" data-series="${escapeHtml(s.name)}"><i style="background:${COLOURS[i % COLOURS.length]}"></i>${escapeHtml(s.name)}</span>`,
    )
    .join(' ');
  return `<figure data-chart="${spec.id}"><figcaption>${escapeHtml(spec.title)}</figcaption>${parts.join('')}<div class="legend">${legend}</div></figure>`;
}

/** x of a percentile on HdrHistogram's plot: log10(1/(1-p)), so 90% is 1, 99% is 2, 99.9% is 3. */
export function percentileX(percentile: number, cap = 6): number {
  const rest = 1 - percentile / 100;
  return rest <= 10 ** -cap ? cap : Math.min(cap, Math.log10(1 / rest));
}

function throughputChart(report: BenchReport): string {
  const timeline = report.timeline ?? [];
  // Steps: each sample is the rate over the interval that ends at its time.
  const series: Series[] = report.nodes.map((n) => ({
    name: `${n.id} (${n.role})`,
    points: timeline.flatMap((p, i) => {
      const rate = p.opsPerSec[n.id] ?? 0;
      return [
        [i === 0 ? 0 : timeline[i - 1]!.tS, rate],
        [p.tS, rate],
      ] as Array<[number, number]>;
    }),
  }));
  const bands: Band[] = report.unavailability.map((u) => ({
    from: u.startS,
    to: u.startS + u.durationS,
    label: `${u.node} unreachable ${u.durationS} s${u.ongoing ? ' (still at the end)' : ''}: ${u.reason}`,
  }));
  // A cluster: every shard's failover and every slot map change is marked.
  for (const shard of report.shards ?? [])
    for (const f of shard.failovers)
      bands.push({ from: f.detectedAtS, to: f.detectedAtS, label: `shard ${shard.id} failover ${f.from} → ${f.to}` });
  for (const change of report.slotMapChanges ?? [])
    bands.push({ from: change.atS, to: change.atS, label: `slot map changed: ${change.description}` });
  if (report.failover && !report.shards)
    bands.push({
      from: report.failover.detectedAtS,
      to: report.failover.detectedAtS,
      label: `failover ${report.failover.from} → ${report.failover.to}`,
    });
  return lineChartSvg({
    id: 'chart-throughput',
    title: 'Throughput per node (red: unreachable or failover)',
    xLabel: 'seconds',
    yLabel: 'ops/s',
    series,
    bands,
    xMax: Math.max(report.durationS, 1),
  });
}

function latencyChart(report: BenchReport): string {
  const maxX = Math.max(
    2,
    ...report.nodes.flatMap((n) =>
      (n.percentiles ?? []).filter((p) => p.percentile < 100).map((p) => Math.ceil(percentileX(p.percentile))),
    ),
  );
  const series: Series[] = report.nodes.map((n) => ({
    name: `${n.id} (${n.role})`,
    points: (n.percentiles ?? []).map(
      (p) => [p.percentile >= 100 ? maxX : percentileX(p.percentile, maxX), p.ms] as [number, number],
    ),
  }));
  const labels = ['0%', '90%', '99%', '99.9%', '99.99%', '99.999%', '99.9999%'];
  const xTicks = labels.slice(0, maxX + 1).map((label, i) => ({ x: i, label }));
  return lineChartSvg({
    id: 'chart-latency',
    title: 'Latency by percentile (HdrHistogram plot)',
    xLabel: 'percentile (log scale of 1/(1-p))',
    yLabel: 'ms',
    series,
    xTicks,
    xMax: maxX,
  });
}

function lagChart(report: BenchReport): string {
  const timeline = report.timeline ?? [];
  if (timeline.some((p) => p.lagMs !== undefined)) {
    return lineChartSvg({
      id: 'chart-lag',
      title: 'Replication lag per replica (worst probe each second)',
      xLabel: 'seconds',
      yLabel: 'ms',
      series: report.replication.map((r) => ({
        name: r.node,
        points: timeline
          .filter((p) => p.lagMs?.[r.node] !== undefined)
          .map((p) => [p.tS, p.lagMs![r.node]!] as [number, number]),
      })),
      xMax: Math.max(report.durationS, 1),
    });
  }
  // Reports from before lag over time: the offset difference in bytes.
  const series: Series[] = report.replication.map((r) => ({
    name: r.node,
    points: timeline
      .filter((p) => p.lagBytes?.[r.node] !== undefined)
      .map((p) => [p.tS, p.lagBytes[r.node]!] as [number, number]),
  }));
  return lineChartSvg({
    id: 'chart-lag',
    title: 'Replication lag per replica (primary offset − replica offset)',
    xLabel: 'seconds',
    yLabel: 'bytes behind',
    series,
    xMax: Math.max(report.durationS, 1),
  });
}

function table(headers: string[], rows: Array<Array<string | number>>, id: string): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`).join('');
  return `<table id="${id}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:780px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}.sentence{font-size:16px;background:#f4f7fb;border-left:4px solid #1f77b4;padding:10px 14px}
figure{margin:16px 0}figcaption{font-weight:600;margin-bottom:4px}svg.chart{width:100%;height:auto;background:#fff}
.tick{font-size:11px;fill:#555}.axis{font-size:12px;fill:#333}.legend{font-size:12px}.key{margin-right:12px;cursor:pointer}
.key i{display:inline-block;width:12px;height:3px;margin-right:4px;vertical-align:middle}.key.off{opacity:.35}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f6f6f6}
td:first-child,th:first-child{text-align:left}.warn{color:#a00}pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px}`;

/** Clicking a legend key hides or shows that series in its chart. */
const SCRIPT = `document.querySelectorAll('figure[data-chart]').forEach(function(fig){
fig.querySelectorAll('.key').forEach(function(key){key.addEventListener('click',function(){
var name=key.getAttribute('data-series');key.classList.toggle('off');
fig.querySelectorAll('path.series').forEach(function(p){if(p.getAttribute('data-series')===name)p.style.display=key.classList.contains('off')?'none':'';});});});});
var data=JSON.parse(document.getElementById('bench-report').textContent);document.title='bench '+data.runId;`;

export function renderReportHtml(report: BenchReport): string {
  const sentence = interpretReport(report);
  const nodes = table(
    [
      'node',
      ...(report.shards ? ['shard'] : []),
      'role',
      'address',
      'ops/s',
      'ops',
      'errors',
      'p50 ms',
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
      n.errors,
      n.latencyMs.p50,
      n.latencyMs.p99,
      n.latencyMs.p999,
      n.latencyMs.max,
    ]),
    'table-nodes',
  );
  const shardRows = shardTable(report);
  const shards = report.shards
    ? `<h2>Shards</h2>${table(shardRows.headers, shardRows.rows, 'table-shards')}${(report.slotMapChanges ?? [])
        .map((c) => `<p class="slot-map-change">slot map changed at t=${c.atS}s: ${escapeHtml(c.description)}</p>`)
        .join('')}`
    : '';
  const replication = table(
    [
      'replica',
      'lag p50 ms',
      'lag p99 ms',
      'lag max ms',
      'poll RTT p50 ms',
      'reads after write',
      'stale reads',
      'stale %',
    ],
    report.replication.map((r) => [
      r.node,
      r.lagMs.p50,
      r.lagMs.p99,
      r.lagMs.max,
      r.pollRttMs.p50,
      r.readsAfterWrite,
      r.staleReads,
      (r.staleReadRatio * 100).toFixed(2),
    ]),
    'table-replication',
  );
  const errors = report.nodes.filter((n) => n.errors > 0);
  const errorsHtml =
    errors.length === 0 && report.unavailability.length === 0
      ? '<p id="errors">No errors and no unreachable node.</p>'
      : `<div id="errors">${table(
          ['node', 'errors', 'last error'],
          errors.map((n) => [n.id, n.errors, n.lastError ?? '']),
          'table-errors',
        )}${table(
          ['node', 'from s', 'for s', 'ongoing', 'reason'],
          report.unavailability.map((u) => [u.node, u.startS, u.durationS, u.ongoing ? 'yes' : 'no', u.reason]),
          'table-unavailable',
        )}</div>`;
  // A distributed run (bench --workers, bench merge): what each worker measured, and who did not report.
  const workersHtml = report.workers
    ? (() => {
        const { headers, rows } = workerTable(report);
        return `<h2>Workers</h2>${table(headers, rows, 'table-workers')}`;
      })()
    : '';
  const extras = [
    report.failover
      ? `<p>Failover from ${escapeHtml(report.failover.from)} to ${escapeHtml(report.failover.to)} seen at ${report.failover.detectedAtS} s.</p>`
      : '',
    report.lostWrites
      ? `<p>Acknowledged writes checked: ${report.lostWrites.checked}, lost: ${report.lostWrites.lost}.</p>`
      : '',
    ...report.warnings.map((w) => `<p class="warn">warning: ${escapeHtml(w)}</p>`),
  ].join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>bench ${escapeHtml(report.runId)}</title><style>${STYLE}</style></head><body>
<h1>elasticache-kit bench, ${escapeHtml(report.startedAt)}, ${report.durationS} s</h1>
<p class="sentence" id="sentence">${escapeHtml(sentence)}</p>
<p>Total ${groupedNumber(report.total.ops)} ops, ${groupedNumber(report.total.opsPerSec)} ops/s, p99 ${report.total.latencyMs.p99} ms, ${report.total.errors} errors; client CPU ${report.client.cpuPercent}% over ${report.client.connections} connections.</p>
${extras}
${throughputChart(report)}
${latencyChart(report)}
${shards}
<h2>Nodes</h2>${nodes}
${workersHtml}
<h2>Replication and stale reads</h2>${report.replication.length ? lagChart(report) + replication : '<p id="no-replicas">No replica was measured.</p>'}
<h2>Errors and unavailability</h2>${errorsHtml}
<h2>Settings</h2><pre id="settings">${escapeHtml(JSON.stringify(report.config, null, 2))}</pre>
<script type="application/json" id="bench-report">${jsonForScript(report)}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
