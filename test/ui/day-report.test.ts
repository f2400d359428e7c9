/**
 * The day report page in a real browser: three days run to their end on a Temporal server and the simulator (one
 * completed with a holding from before the day, one stopped by the kill switch, one with rejected intents); each
 * report is written as the `tradeflow report` command writes it, opened offline in headless Chromium (Debian's
 * /usr/bin/chromium, driven by playwright-core), and every chart must have drawn.
 *
 * Artifacts land in test-artifacts/ (git-ignored): day-report-<day>.html and .json, and day-report-<day>.png.
 * Without /usr/bin/chromium the test is skipped, saying so ('bash scripts/install-chromium.sh' installs it).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { todayInNewYork } from '../../src/cli/dates';
import type { DayReport } from '../../src/contracts/day';
import type { Signal } from '../../src/domain/types';
import { readDayReport } from '../../src/operations/day-report';
import { dayResult, startDay } from '../../src/operations/start-day';
import { reportFilePaths, writeDayReportFiles } from '../../src/report/files';
import { dailyWorkflowId } from '../../src/names';
import { loadSectors } from '../../src/worker';
import { emergencyStopUpdate, statusQuery } from '../../src/workflows/messages';
import {
  buyDollars, keyIdFor, simAdmin, startHarness, testConfig, uniqueAccount, waitUntil, withWorker, type Harness,
} from '../support/trading-harness';

const CHROMIUM = '/usr/bin/chromium';
/** The flags this machine needs (no sandbox as root; no background connections, which its network refuses). */
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const SKIP = existsSync(CHROMIUM) ? false
  : `${CHROMIUM} is missing: this browser test needs Debian's Chromium; run 'bash scripts/install-chromium.sh' (CI does)`;
const SIGNALS: Signal[] = [{ symbol: 'AAPL', strength: 0.6 }, { symbol: 'MSFT', strength: 0.4 }, { symbol: 'JPM', strength: 0.3 }];

/** What the browser tells of each canvas: its size, whether it differs from a blank one, its chart's data points. */
interface CanvasCheck { id: string; width: number; height: number; painted: boolean; points: number }
const CHECK_CANVASES = `[...document.querySelectorAll('canvas')].map((canvas) => {
  const blank = document.createElement('canvas');
  blank.width = canvas.width;
  blank.height = canvas.height;
  const chart = Chart.getChart(canvas);
  return {
    id: canvas.id, width: canvas.width, height: canvas.height, painted: canvas.toDataURL() !== blank.toDataURL(),
    points: chart ? chart.data.datasets.reduce((sum, set) => sum + set.data.length, 0) : 0,
  };
})`;

describe('the day report page draws in a browser', { skip: SKIP }, () => {
  let harness: Harness;
  let browser: Browser;
  const sectors = loadSectors();

  before(async () => {
    [harness, browser] = await Promise.all([
      startHarness(),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true }),
    ]);
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await harness?.close();
  });

  function start(account: string, signals: Signal[] = SIGNALS, taskQueue = `q-${account}`) {
    return startDay(harness.client, { account, tradingDate: todayInNewYork(), signals, mode: 'paper', taskQueue, source: 'report-test' });
  }

  /** Writes the report as `tradeflow report` does, opens the page offline, checks the charts drew. */
  async function openReport(name: string, result: DayReport, charts: string[]): Promise<void> {
    const report = readDayReport(result);
    const files = writeDayReportFiles(report, { dir: join(ARTIFACTS, name), sectors });
    const context = await browser.newContext({ viewport: { width: 1400, height: 1800 }, offline: true });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => { if (!request.url().startsWith('file:')) requests.push(request.url()); });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      await page.goto(pathToFileURL(files.html).href);
      // The page's own code runs in the browser (this project compiles without the DOM types: the checks are strings).
      await page.waitForFunction('document.body.dataset.charts !== undefined', undefined, { timeout: 15_000 });
      assert.equal(await page.evaluate('document.body.dataset.charts'), 'drawn', `the charts of the ${name} day`);
      const drawn = await page.evaluate<CanvasCheck[]>(CHECK_CANVASES);
      assert.deepEqual(drawn.map((canvas) => canvas.id).sort(), [...charts].sort(), `the ${name} day's charts`);
      for (const canvas of drawn) {
        assert.ok(canvas.width > 0 && canvas.height > 0, `${canvas.id} has a size`);
        assert.ok(canvas.painted, `${canvas.id} drew something (differs from a blank canvas of its size)`);
        assert.ok(canvas.points > 0, `${canvas.id} is a Chart.js chart with data`);
      }
      for (const section of ['summary', 'targets', 'orders', 'rejected', 'exposure', 'pnl', 'performance', 'slippage']) {
        assert.ok(await page.locator(`section#${section}`).isVisible(), `section ${section}`);
      }
      assert.ok((await page.locator('section#summary').innerText()).includes(report.status));
      assert.deepEqual(errors, [], 'no script error');
      assert.deepEqual(requests, [], 'the page loads nothing from the network');
      await page.screenshot({ path: join(ARTIFACTS, `day-report-${name}.png`), fullPage: true });
      console.log(`[report] ${name}: ${files.html}, charts ${drawn.map((canvas) => `${canvas.id}=${canvas.points}`).join(' ')}`);
    } catch (error) {
      await page.screenshot({ path: join(ARTIFACTS, `day-report-${name}-failure.png`), fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  }

  it('a completed day, with a holding from before it: equity curve, exposure by sector and slippage', async () => {
    const account = uniqueAccount('rep');
    await buyDollars(harness, account, 'XOM', 5_000);
    const report = await withWorker(harness, testConfig(account), `q-${account}`, async () => dayResult(await start(account)));
    assert.equal(report.status, 'completed');
    assert.ok(report.startingPositions?.some((position) => position.symbol === 'XOM'), 'the report carries the holding before the day');
    assert.ok((report.performance?.equityCurve?.length ?? 0) > 0, 'the report carries the equity curve');
    assert.ok(report.fillLatency && report.fillLatency.fills > 0, `signal-to-fill latency measured (${JSON.stringify(report.fillLatency)})`);
    assert.ok(report.orders.every((order) => order.status !== 'filled' || order.filledAt), 'every filled order carries its fill time');
    // The worker wrote the same report itself as the day ended.
    assert.ok(report.reportFiles && existsSync(report.reportFiles.html), `the worker wrote the page (${JSON.stringify(report.reportFiles)})`);
    const written = JSON.parse(readFileSync(report.reportFiles.json, 'utf8')) as DayReport;
    assert.equal(written.status, 'completed');
    assert.deepEqual(written.fillLatency, report.fillLatency);
    await openReport('completed', report, ['chart-equity', 'chart-sectors', 'chart-slippage']);
  });

  it('a day stopped by the kill switch: exposure drawn, no P&L, performance or slippage', async () => {
    const account = uniqueAccount('rep');
    await buyDollars(harness, account, 'XOM', 3_000);
    await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'hold', account: keyIdFor(account) });
    try {
      const config = testConfig(account, { timing: { max_fill_wait_minutes: 10 } });
      const report = await withWorker(harness, config, `q-${account}`, async () => {
        const handle = await start(account);
        await waitUntil(async () => (await handle.query(statusQuery)).phase === 'awaiting_fills', 'the day to await fills');
        await handle.executeUpdate(emergencyStopUpdate, { args: [{ reason: 'report test <stop>' }] });
        return dayResult(handle);
      });
      assert.equal(report.status, 'stopped');
      assert.ok(report.portfolio?.positions.some((position) => position.symbol === 'XOM'), 'the holding stays (no flatten)');
      await openReport('stopped', report, ['chart-sectors']);
    } finally {
      await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'auto', account: keyIdFor(account) });
    }
  });

  it('a failed day: the worker writes its report as it fails, the page says why', async () => {
    const account = uniqueAccount('rep');
    const stranger = uniqueAccount('rep');
    const config = testConfig(account);
    // A day for an account this worker does not trade fails for good (UnknownAccount): it has no result.
    const error = await withWorker(harness, config, `q-${account}`, async () => dayResult(await start(stranger, SIGNALS, `q-${account}`)).then(() => null, (e: unknown) => e));
    assert.ok(error, 'the day failed');
    const files = reportFilePaths(config.reports.report_dir, dailyWorkflowId(stranger, todayInNewYork()));
    const written = JSON.parse(readFileSync(files.json, 'utf8')) as DayReport;
    assert.equal(written.status, 'failed');
    assert.match(written.failure?.error ?? '', /account/i);
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, offline: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (request) => { if (!request.url().startsWith('file:')) problems.push(`request ${request.url()}`); });
    try {
      await page.goto(pathToFileURL(files.html).href);
      const summary = await page.locator('section#summary').innerText();
      assert.match(summary, /failed/);
      assert.match(summary, new RegExp(`in ${written.failure!.phase}`));
      assert.deepEqual(problems, [], 'no script error, nothing loaded from the network');
      await page.screenshot({ path: join(ARTIFACTS, 'day-report-failed.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('a day with rejected intents: their reason codes listed', async () => {
    const account = uniqueAccount('rep');
    const config = testConfig(account, { risk_management: { restricted_symbols: ['JPM'] } });
    const signals: Signal[] = [...SIGNALS, { symbol: 'ZZZQ', strength: 0.5 }];
    const report = await withWorker(harness, config, `q-${account}`, async () => dayResult(await start(account, signals)));
    const codes = Object.fromEntries(report.rejected.map((rejection) => [rejection.symbol, rejection.code]));
    assert.equal(codes.JPM, 'RESTRICTED_SYMBOL');
    assert.ok(codes.ZZZQ, `ZZZQ rejected (${JSON.stringify(report.rejected)})`);
    await openReport('rejections', report, ['chart-equity', 'chart-sectors', 'chart-slippage']);
  });
});
