/**
 * The HTML report: a real 1.5 s bench run against real redis-server replication writes
 * --report; headless Chromium (Debian's chromium, driven by playwright-core) must render it
 * with no console error, no request leaving the page, and every chart drawn from data.
 * Also the pure parts: the script-safe JSON and the percentile axis.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { PACED_LOAD, runCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { startReplicatedRedis } from '../helpers/redis.js';
import { jsonForScript, percentileX, renderReportHtml } from '../../src/bench/report-html.js';
import type { BenchReport } from '../../src/bench/report.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

type Browser = Awaited<ReturnType<typeof chromium.launchPersistentContext>>;
let shared: { browser: Promise<Browser>; profile: string } | undefined;
after(async () => {
  if (!shared) return;
  try {
    await (await shared.browser).close();
  } finally {
    rmSync(shared.profile, { recursive: true, force: true });
  }
});

/** One headless Chromium for the file (a new, empty profile), launched by the first test that needs it, closed after the last. */
function browserOnce(): Promise<Browser> {
  if (shared) return shared.browser;
  const profile = mkdtempSync(join(tmpdir(), 'eck-report-profile-'));
  // playwright passes the profile dir as --user-data-dir.
  const browser = chromium.launchPersistentContext(profile, {
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
  shared = { browser, profile };
  return browser;
}

/** The page in the file's headless Chromium (a page of its own), with every console problem and request off the page collected. */
async function openInChromium(
  t: { after: (fn: () => unknown) => void },
  file: string,
): Promise<{ page: import('playwright-core').Page; problems: string[] }> {
  const browser = await browserOnce();
  const page = await browser.newPage();
  t.after(() => page.close());
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
  return { page, problems };
}

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

// Each with its own redis-server and files, and a page of its own in the shared browser: side by side.
describe('the HTML report in Chromium', { concurrency: true }, () => {
  test('bench --report writes one self-contained page that Chromium renders with every chart', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'eck-report-'));
    const group = await startReplicatedRedis(1);
    t.after(() => group.stop());
    const file = join(dir, 'report.html');
    const jsonFile = join(dir, 'report.json');
    const target = [
      '--primary',
      `127.0.0.1:${group.primary.port}`,
      '--replica',
      `127.0.0.1:${group.replicas[0]!.port}`,
    ];
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
      // Paced: the page is tested, not throughput.
      ...PACED_LOAD,
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

    const { page, problems } = await openInChromium(t, file);
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

  test('bench merge --report: the merged page renders in Chromium with a row per worker and lag per worker', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'eck-report-merged-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const group = await startReplicatedRedis(1);
    t.after(() => group.stop());
    const target = [
      '--primary',
      `127.0.0.1:${group.primary.port}`,
      '--replica',
      `127.0.0.1:${group.replicas[0]!.port}`,
    ];
    const load = ['--test-time', '1.5', '--warmup', '0.2', '--clients', '2', '--key-maximum', '500', ...PACED_LOAD];
    // Two workers by hand, one after the other (each with its own worker name).
    const files: string[] = [];
    for (const name of ['worker-a', 'worker-b']) {
      const file = join(dir, `${name}.json`);
      // In this process: the merge and its page are the subject; a worker's run is bench's own.
      const run = await runCliInProcess(['bench', ...target, ...load, '--worker', '--json', file], {
        env: { AWS_SSM_INSTANCE_ID: name },
      });
      assert.equal(run.code, 0, run.stderr);
      files.push(file);
    }
    const html = join(dir, 'merged.html');
    const merged = await runCli(['bench', 'merge', ...files, '--report', html]);
    assert.equal(merged.code, 0, merged.stderr);
    const { page, problems } = await openInChromium(t, html);
    // The workers began 2 s apart: the page carries the merge's warning, and nothing else went wrong.
    assert.deepEqual(problems, []);
    assert.equal((await page.$$('#table-workers tbody tr')).length, 2);
    const lagSeries = await page.$$eval('#chart-lag path.series', (paths) => paths.length);
    assert.equal(lagSeries, 2, 'one lag line per worker and replica');
    assert.match((await page.textContent('body')) ?? '', /began [\d.]+ s apart/);
  });
});
