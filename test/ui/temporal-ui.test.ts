/**
 * "The Temporal UI tells the story": one trading day runs on a private dev server that serves the Temporal Web UI,
 * and headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) checks what an operator sees: the
 * day found by its search attributes, the summary set at start, the current details while it waits for fills, the
 * activity and timer summaries in the timeline, the search attributes and the memo.
 *
 * Screenshots land in test-results/ (git-ignored): temporal-ui.png (the finished day's timeline),
 * temporal-ui-running.png (its current details while it waited for fills), temporal-ui-failure.png on a failure.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dayResult, startDay } from '../../src/operations/start-day';
import { todayInNewYork } from '../../src/cli/dates';
import type { Signal } from '../../src/domain/types';
import { dailyWorkflowId } from '../../src/names';
import type { DayReport } from '../../src/contracts/day';
import { emergencyStopUpdate, statusQuery } from '../../src/workflows/messages';
import { keyIdFor, simAdmin, startHarness, testConfig, uniqueAccount, withWorker, type Harness } from '../support/trading-harness';

const CHROMIUM = '/usr/bin/chromium';
/** The flags this machine needs (no sandbox as root; no background connections, which its network refuses). */
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];
const RESULTS_DIR = join(__dirname, '..', '..', 'test-results');
const SIGNALS: Signal[] = [{ symbol: 'AAPL', strength: 0.6 }, { symbol: 'MSFT', strength: 0.4 }];
/** How long the UI gets to show a piece of text. */
const UI_TIMEOUT_MS = 20_000;

describe('the Temporal Web UI tells the story of a trading day', () => {
  let harness: Harness;
  let browser: Browser;
  let ui: string;

  before(async () => {
    // No browser is a failure of the test (not a skip, not a cancellation), with the way out in its message.
    if (!existsSync(CHROMIUM)) return;
    // Its own dev server with the Web UI: the shared TEMPORAL_ADDRESS server of CI is headless.
    [harness, browser] = await Promise.all([
      startHarness({ ui: true }),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true }),
    ]);
    assert.ok(harness.temporal.uiUrl, 'the private dev server serves the Web UI');
    ui = harness.temporal.uiUrl;
    mkdirSync(RESULTS_DIR, { recursive: true });
    rmSync(join(RESULTS_DIR, 'temporal-ui-failure.png'), { force: true });
  });

  after(async () => {
    await browser?.close();
    await harness?.close();
  });

  /**
   * A browser page while the account's orders rest at the broker (fill mode `hold`, back to `auto` after): a failure
   * keeps a screenshot of the page.
   */
  async function onPageWithOrdersHeld(account: string, body: (page: Page) => Promise<void>): Promise<void> {
    const page = await browser.newPage({ viewport: { width: 1600, height: 2000 } });
    try {
      await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'hold', account: keyIdFor(account) });
      await body(page);
    } catch (error) {
      await page.screenshot({ path: join(RESULTS_DIR, 'temporal-ui-failure.png'), fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'auto', account: keyIdFor(account) }).catch(() => undefined);
      await page.close();
    }
  }

  it('finds the day by its search attributes and shows its summary, details, timeline, attributes and memo', async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: this browser test needs Debian's Chromium; run 'bash scripts/install-chromium.sh' (CI does)`,
    );
    const account = uniqueAccount('ui');
    const tradingDate = todayInNewYork();
    const workflowId = dailyWorkflowId(account, tradingDate);
    const taskQueue = `q-${account}`;
    const summary = `Trade ${SIGNALS.length} signals for ${account} on ${tradingDate} (paper)`;
    const namespacePath = `${ui}/namespaces/${encodeURIComponent(harness.temporal.namespace)}`;
    const started = Date.now();
    const lap = (what: string) => console.log(`[ui] ${what} at ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // Orders are held at the broker until the UI has shown the running day's current details.
    await onPageWithOrdersHeld(account, async (page) => {
      const config = testConfig(account, { timing: { max_fill_wait_minutes: 2 } });
      const report: DayReport = await withWorker(harness, config, taskQueue, async () => {
        const handle = await startDay(harness.client, {
          account, tradingDate, signals: SIGNALS, mode: 'paper', taskQueue, source: 'ui-test',
        });
        await waitFor(async () => (await handle.query(statusQuery)).phase === 'awaiting_fills', 30_000, 'the day to await fills');
        lap('day awaiting fills');
        await page.goto(`${namespacePath}/workflows/${encodeURIComponent(workflowId)}/${handle.firstExecutionRunId}/user-metadata`);
        // setCurrentDetails: the phase and the order counts, answered by the running worker.
        await waitForTextInAnyFrame(page, 'awaiting fills', 'the current details of the running day');
        await waitForTextInAnyFrame(page, '2 orders: 2 sent (0 filled, 2 open), 0 never sent', 'the order counts in the current details');
        await page.screenshot({ path: join(RESULTS_DIR, 'temporal-ui-running.png'), fullPage: true });
        lap('current details shown');
        await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'auto', account: keyIdFor(account) });
        return dayResult(handle);
      });
      lap('day completed');
      assert.equal(report.status, 'completed');
      const aapl = report.orders.find((order) => order.symbol === 'AAPL');
      assert.ok(aapl?.qty && aapl.status === 'filled', 'the day bought AAPL');

      // The workflow list, filtered by the search attributes an operator would use.
      const query = `TradingAccount="${account}" AND TradingDate="${tradingDate}"`;
      await page.goto(`${namespacePath}/workflows?query=${encodeURIComponent(query)}`);
      const link = page.getByRole('link', { name: workflowId, exact: true });
      await waitForVisible(page, link, `${workflowId} in the list filtered by ${query}`, { reload: true });
      lap('found in the filtered list');

      // The workflow's page opens on its timeline: activity and timer summaries, one bar each.
      await link.click();
      await page.waitForURL(/\/timeline/, { timeout: UI_TIMEOUT_MS });
      await waitForVisible(page, page.getByTestId('execution-status').getByText('Completed', { exact: true }), 'the status Completed');
      await expectText(page, `submit BUY ${aapl.qty} AAPL market`, 'the AAPL order activity summary in the timeline');
      // One batch sends both: its summary names each order.
      await expectText(page, /BUY \d+ MSFT market/, 'the MSFT order activity summary in the timeline');
      await expectText(page, "follow 2 orders on the broker's stream until they are final", 'the fill-watch activity summary in the timeline');
      await expectText(page, 'snapshot, size and risk-check 2 signals', 'the planning activity summary');
      await page.screenshot({ path: join(RESULTS_DIR, 'temporal-ui.png'), fullPage: true });
      lap('timeline shown');

      // The summary set at start (rendered as markdown in a frame of its own).
      await openTab(page, 'User Metadata', 'user-metadata');
      await waitForTextInAnyFrame(page, summary, 'the static summary');
      // The search attributes, with the state the day ended in.
      await openTab(page, 'Search Attributes', 'search-attributes');
      await expectText(page, `"TradingAccount": "${account}"`, 'TradingAccount');
      await expectText(page, `"TradingDate": "${tradingDate}"`, 'TradingDate');
      await expectText(page, '"TradingMode": "paper"', 'TradingMode');
      await expectText(page, '"RunState": "completed"', 'RunState');
      // The memo.
      await openTab(page, 'Memo', 'memo');
      await expectText(page, '"source": "ui-test"', 'the memo source');
      await expectText(page, '"signals": 2', 'the memo signal count');
      lap('summary, search attributes and memo shown');
    });
  });

  it('a stopped day with a rejection: its details name the rejection code, and the list finds it by RunState', async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run 'bash scripts/install-chromium.sh' (CI does)`);
    const account = uniqueAccount('uistop');
    const tradingDate = todayInNewYork();
    const workflowId = dailyWorkflowId(account, tradingDate);
    const taskQueue = `q-${account}`;
    const namespacePath = `${ui}/namespaces/${encodeURIComponent(harness.temporal.namespace)}`;
    await onPageWithOrdersHeld(account, async (page) => {
      const config = testConfig(account, { timing: { max_fill_wait_minutes: 2 }, risk_management: { restricted_symbols: ['JPM'] } });
      const report: DayReport = await withWorker(harness, config, taskQueue, async () => {
        const handle = await startDay(harness.client, {
          account, tradingDate, signals: [...SIGNALS, { symbol: 'JPM', strength: 0.3 }], mode: 'paper', taskQueue, source: 'ui-test',
        });
        await waitFor(async () => (await handle.query(statusQuery)).phase === 'awaiting_fills', 30_000, 'the day to await fills');
        await page.goto(`${namespacePath}/workflows/${encodeURIComponent(workflowId)}/${handle.firstExecutionRunId}/user-metadata`);
        await waitForTextInAnyFrame(page, 'rejected: JPM RESTRICTED_SYMBOL', 'the rejection and its code in the current details');
        await waitForTextInAnyFrame(page, '2 orders: 2 sent (0 filled, 2 open), 0 never sent', 'the order counts in the current details');
        await handle.executeUpdate(emergencyStopUpdate, { args: [{ reason: 'ui test: stop' }] });
        return dayResult(handle);
      });
      assert.equal(report.status, 'stopped');
      // The stopped day is found by the state it ended in.
      const query = `TradingAccount="${account}" AND RunState="stopped"`;
      await page.goto(`${namespacePath}/workflows?query=${encodeURIComponent(query)}`);
      await waitForVisible(page, page.getByRole('link', { name: workflowId, exact: true }), `${workflowId} in the list filtered by ${query}`, { reload: true });
      await page.screenshot({ path: join(RESULTS_DIR, 'temporal-ui-stopped.png'), fullPage: true });
    });
  });
});

type Locator = ReturnType<Page['getByText']>;

async function expectText(page: Page, text: string | RegExp, what: string): Promise<void> {
  await waitForVisible(page, page.getByText(text).first(), `${what} (${String(text)})`);
}

async function waitForVisible(page: Page, locator: Locator, what: string, options: { reload?: boolean } = {}): Promise<void> {
  const deadline = Date.now() + UI_TIMEOUT_MS;
  for (;;) {
    try {
      // With `reload`, look a few seconds at a time and reload between looks (a list page does not refresh itself).
      await locator.waitFor({ state: 'visible', timeout: options.reload ? 4_000 : UI_TIMEOUT_MS });
      return;
    } catch (error) {
      if (!options.reload || Date.now() >= deadline) {
        throw new Error(`the Temporal UI did not show ${what} within ${UI_TIMEOUT_MS / 1000} s at ${page.url()}`, { cause: error });
      }
      await page.reload();
    }
  }
}

/** Waits for `text` in the page or any of its frames (the UI renders summaries and details in frames). */
async function waitForTextInAnyFrame(page: Page, text: string, what: string): Promise<void> {
  const deadline = Date.now() + UI_TIMEOUT_MS;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const body = await frame.locator('body').innerText({ timeout: 1_000 }).catch(() => '');
      if (body.includes(text)) return;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`the Temporal UI did not show ${what} ("${text}") within ${UI_TIMEOUT_MS / 1000} s at ${page.url()}`);
}

/** Opens a tab of the workflow page; its URL ends in `slug` (so text checks after it see that tab, not the last). */
async function openTab(page: Page, name: string, slug: string): Promise<void> {
  const tab = page.getByRole('tab', { name, exact: true }).or(page.getByRole('link', { name, exact: true })).first();
  await tab.click({ timeout: UI_TIMEOUT_MS });
  await page.waitForURL((url) => url.pathname.endsWith(`/${slug}`), { timeout: UI_TIMEOUT_MS });
}

async function waitFor(predicate: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
