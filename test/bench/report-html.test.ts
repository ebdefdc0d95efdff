/**
 * The HTML report: a real 1.5 s bench run against real redis-server replication writes
 * --report; headless Chromium (Debian's chromium, driven by playwright-core) must render it
 * with no console error, no request leaving the page, and every chart drawn from data.
 * Also the pure parts: the script-safe JSON and the percentile axis.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { runCli } from '../helpers/cli.js';
import { startReplicatedRedis } from '../helpers/redis.js';
import { jsonForScript, percentileX, renderReportHtml } from '../../src/bench/report-html.js';
import type { BenchReport } from '../../src/bench/report.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

test('report data cannot close the script element it is embedded in', () => {
  const hostile = { runId: '</script><script>alert(1)</script>', note: '<!-- \u2028 & >' };
  const json = jsonForScript(hostile);
  assert.ok(!json.includes('<') && !json.includes('>') && !json.includes('\u2028'), json);
  assert.deepEqual(JSON.parse(json), hostile);
});

test('percentiles sit on a log scale of 1/(1-p)', () => {
  assert.equal(percentileX(0), 0);
  assert.ok(Math.abs(percentileX(90) - 1) < 1e-9);
  assert.ok(Math.abs(percentileX(99.9) - 3) < 1e-9);
  assert.equal(percentileX(100, 4), 4);
});

test('bench --report writes one self-contained page that Chromium renders with every chart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'eck-report-'));
  const group = await startReplicatedRedis(1);
  t.after(() => group.stop());
  const file = join(dir, 'report.html');
  const jsonFile = join(dir, 'report.json');
  const target = ['--primary', `127.0.0.1:${group.primary.port}`, '--replica', `127.0.0.1:${group.replicas[0]!.port}`];
  const result = await runCli([
    'bench',
    ...target,
    '--test-time',
    '2',
    '--warmup',
    '0.2',
    '--clients',
    '4',
    '--key-maximum',
    '2000',
    '--report',
    file,
    '--json',
    jsonFile,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const html = readFileSync(file, 'utf8');
  const report = JSON.parse(readFileSync(jsonFile, 'utf8')) as BenchReport;
  assert.ok((report.timeline ?? []).length >= 2, `timeline: ${JSON.stringify(report.timeline)}`);
  // Lag over time is in ms, per replica, each second.
  const replica = report.replication[0]!.node;
  assert.ok(
    report.timeline!.every((p) => typeof p.lagMs?.[replica] === 'number'),
    `lag ms per second: ${JSON.stringify(report.timeline)}`,
  );
  assert.match(html, /Replication lag per replica \(worst probe each second\)/);
  assert.ok(!/\b(src|href)=["']?https?:/i.test(html), 'nothing is loaded from the network');
  // The same report renders the same page: the page is a pure function of the report.
  assert.equal(renderReportHtml(report), html);

  // A new, empty profile each run (playwright passes it as --user-data-dir).
  const browser = await chromium.launchPersistentContext(mkdtempSync(join(dir, 'profile-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 820, height: 900 },
  });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`);
  });
  await page.goto(`file://${file}`);
  await page.waitForLoadState('load');
  assert.deepEqual(problems, []);
  // The inline script ran (it sets the title from the embedded JSON).
  assert.equal(await page.title(), `bench ${report.runId}`);
  for (const id of ['chart-throughput', 'chart-latency', 'chart-lag']) {
    const drawn = await page.$$eval(`#${id} path.series`, (paths) =>
      paths.map((p) => ({
        points: Number(p.getAttribute('data-points')),
        length: (p as unknown as { getTotalLength(): number }).getTotalLength(),
      })),
    );
    const expected = id === 'chart-lag' ? 1 : 2;
    assert.equal(drawn.length, expected, `${id}: ${JSON.stringify(drawn)}`);
    for (const d of drawn) assert.ok(d.points >= 2 && d.length > 10, `${id}: ${JSON.stringify(drawn)}`);
  }
  assert.match((await page.textContent('#sentence')) ?? '', /stale|replica/);
  assert.ok((await page.$$('#table-replication tbody tr')).length === 1);
  const shot = join(process.env.ECK_SCREENSHOT_DIR ?? dir, 'report.png');
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(readFileSync(shot).length > 10_000, 'screenshot written');
  if (!process.env.ECK_SCREENSHOT_DIR) t.after(() => rmSync(dir, { recursive: true, force: true }));
  else console.log(`screenshot: ${shot}`);
});
