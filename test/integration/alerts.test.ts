import { RUN_STATE } from '../../src/names';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { todayInNewYork } from '../../src/cli/dates';
import { REDACTED_WEBHOOK, type JsonAlertBody, type SlackAlertBody, type SummaryAlert } from '../../src/domain/alerts';
import type { Signal } from '../../src/domain/types';
import { dayResult, startDay } from '../../src/operations/start-day';
import { emergencyStopUpdate, statusQuery } from '../../src/workflows/messages';
import {
  buyDollars, harnessLogs, keyIdFor, simAdmin, startHarness, testConfig, uniqueAccount, waitUntil, withWorker, type Harness,
} from '../support/trading-harness';

const SIGNALS: Signal[] = [{ symbol: 'AAPL', strength: 0.8 }, { symbol: 'MSFT', strength: 0.5 }];

/** A webhook on 127.0.0.1: records every POST by path, answers each path's scripted statuses, then 200. */
class Receiver {
  readonly posts: Array<{ path: string; status: number; body: unknown; contentType: string | undefined }> = [];
  private readonly scripts = new Map<string, number[]>();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '';
        const status = this.scripts.get(path)?.shift() ?? 200;
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = Buffer.concat(chunks).toString('utf8');
        }
        this.posts.push({ path, status, body, contentType: request.headers['content-type'] });
        response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'try again');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next answers to POSTs on `path` (then 200). */
  script(path: string, statuses: number[]): void {
    this.scripts.set(path, [...statuses]);
  }

  /** JSON bodies posted to `path` that the receiver accepted. */
  accepted(path: string): JsonAlertBody[] {
    return this.posts.filter((post) => post.path === path && post.status === 200).map((post) => post.body as JsonAlertBody);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A path with a token in it, as a Slack or Teams webhook has: it must never reach a workflow's history. */
const hookPath = (account: string) => `/hooks/${account}/tok-${account}-sEcReT`;

describe('alerts to a webhook', () => {
  let harness: Harness;
  const receiver = new Receiver();
  before(async () => {
    harness = await startHarness();
    await receiver.start();
  });
  after(async () => {
    await receiver.close();
    await harness?.close();
  });

  function start(account: string, taskQueue: string) {
    return startDay(harness.client, { account, tradingDate: todayInNewYork(), signals: SIGNALS, mode: 'paper', taskQueue, source: 'alerts-test' });
  }

  it('a completed day posts its summary; the webhook URL stays out of the history', async () => {
    const account = uniqueAccount('alert');
    const path = hookPath(account);
    const config = testConfig(account, { alerts: { webhook_url: `${receiver.url}${path}` } });
    const { report, history } = await withWorker(harness, config, `q-${account}`, async () => {
      const handle = await start(account, `q-${account}`);
      const result = await dayResult(handle);
      return { report: result, history: await handle.fetchHistory() };
    });
    assert.equal(report.status, 'completed');
    const posted = receiver.accepted(path);
    assert.equal(posted.length, 1, 'one alert: the summary');
    const [summary] = posted;
    assert.equal(summary!.source, 'tradeflow');
    assert.equal(summary!.kind, 'summary');
    assert.equal(receiver.posts.find((post) => post.path === path)?.contentType, 'application/json');
    assert.match(summary!.text, new RegExp(`^tradeflow: ${account} \\d{4}-\\d{2}-\\d{2} completed: ${report.orders.length} orders, `));
    const event = summary!.event as SummaryAlert;
    assert.deepEqual(
      { workflowId: event.workflowId, status: event.status, orders: event.orders, filled: event.filled },
      { workflowId: report.workflowId, status: 'completed', orders: report.orders.length, filled: report.orders.filter((o) => o.status === 'filled').length },
    );
    // A payload's bytes come out of the history's JSON as base64: read them as text.
    const text = JSON.stringify(history, (key, value: unknown) => (key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value));
    assert.ok(text.includes('max_position_size'), 'the payloads are read');
    assert.ok(!text.includes('sEcReT'), 'the webhook URL is not in the workflow history');
    assert.ok(text.includes(REDACTED_WEBHOOK), 'the workflow sees that a webhook is set');
  });

  it('a stopped day posts the stop (Slack format): the day, the account\'s kill switch and the summary', async () => {
    const account = uniqueAccount('alertstop');
    const path = hookPath(account);
    await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'hold', account: keyIdFor(account) });
    try {
      const config = testConfig(account, { timing: { max_fill_wait_minutes: 10 }, alerts: { webhook_url: `${receiver.url}${path}`, format: 'slack' } });
      const report = await withWorker(harness, config, `q-${account}`, async () => {
        const handle = await start(account, `q-${account}`);
        await waitUntil(async () => (await handle.query(statusQuery)).phase === 'awaiting_fills', 'awaiting_fills');
        await handle.executeUpdate(emergencyStopUpdate, { args: [{ reason: 'alerts test stop' }] });
        const result = await dayResult(handle);
        // The account's workflow sends its alert in the background, after the kill switch's answer: wait for it here,
        // while the worker runs.
        await waitUntil(async () => receiver.accepted(path).length >= 3, 'three alerts', 20_000);
        return result;
      });
      assert.equal(report.status, 'stopped');
      const titles = (receiver.accepted(path) as unknown as SlackAlertBody[]).map((body) => body.text).sort();
      assert.deepEqual(titles, [
        `tradeflow: ${account} ${report.tradingDate} STOPPED: alerts test stop`,
        `tradeflow: ${account} ${report.tradingDate} stopped: ${report.orders.length} orders, `
          + `${report.orders.filter((o) => o.status === 'filled').length} filled, ${report.rejected.length} rejected`,
        `tradeflow: account ${account} HALTED by the kill switch: alerts test stop`,
      ].sort());
      const summary = (receiver.accepted(path) as unknown as SlackAlertBody[]).find((body) => body.text.includes(' stopped: '))!;
      assert.equal(summary.blocks.length, 2);
      assert.match(JSON.stringify(summary.blocks), new RegExp(`stop: alerts test stop: ${report.stopOutcome!.canceledOrderIds.length} cancelled`));
    } finally {
      await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'auto', account: keyIdFor(account) });
    }
  });

  it('a webhook that answers 500 twice still gets the alert (retried), and the day is not failed by it', async () => {
    const account = uniqueAccount('alertretry');
    const path = hookPath(account);
    receiver.script(path, [500, 500]);
    const config = testConfig(account, { alerts: { webhook_url: `${receiver.url}${path}`, events: ['summary'] } });
    const report = await withWorker(harness, config, `q-${account}`, async () => dayResult(await start(account, `q-${account}`)));
    assert.equal(report.status, 'completed');
    assert.deepEqual(receiver.posts.filter((post) => post.path === path).map((post) => post.status), [500, 500, 200]);
    assert.equal(receiver.accepted(path)[0]!.kind, 'summary');
  });

  it('a webhook that refuses the alert (404) is asked once and the day completes', async () => {
    const account = uniqueAccount('alert404');
    const path = hookPath(account);
    receiver.script(path, [404, 404, 404]);
    const config = testConfig(account, { alerts: { webhook_url: `${receiver.url}${path}` } });
    const report = await withWorker(harness, config, `q-${account}`, async () => dayResult(await start(account, `q-${account}`)));
    assert.equal(report.status, 'completed');
    assert.deepEqual(receiver.posts.filter((post) => post.path === path).map((post) => post.status), [404]);
    const logs = harnessLogs();
    assert.ok(logs.some((line) => line.includes('the alert webhook answered HTTP 500')), 'the failed attempts are logged');
    assert.ok(!logs.some((line) => line.includes('sEcReT')), 'never with the webhook URL');
  });

  it('a day that fails posts its failure', async () => {
    const account = uniqueAccount('alertfail');
    const path = hookPath(account);
    const config = testConfig(account, { alerts: { webhook_url: `${receiver.url}${path}`, events: ['failure'] } });
    // A day for an account this worker does not trade: its first broker call fails for good (UnknownAccount).
    const stranger = uniqueAccount('stranger');
    await withWorker(harness, config, `q-${account}`, async () => {
      const handle = await start(stranger, `q-${account}`);
      await assert.rejects(dayResult(handle));
      // The UI tells the truth about it: RunState is `failed`, not the phase it failed in.
      assert.equal((await handle.describe()).typedSearchAttributes.get(RUN_STATE), 'failed');
    });
    const [failure] = receiver.accepted(path);
    assert.equal(failure?.kind, 'failure');
    assert.match(failure!.text, new RegExp(`^tradeflow: ${stranger} \\d{4}-\\d{2}-\\d{2} FAILED in waiting_for_open: .*does not trade account`));
  });

  it('a daily loss breach posts the figure at once, then the account\'s halt and the summary', async () => {
    const account = uniqueAccount('alertloss');
    const path = hookPath(account);
    const ask = await buyDollars(harness, account, 'AAPL', 50_000);
    const config = testConfig(account, {
      risk_management: { on_daily_loss_breach: 'HALTED', halt_account_on_daily_loss: true },
      position_sizing: { max_position_size: 0.05, max_trade_size: 5_000 },
      timing: { max_fill_wait_minutes: 1 },
      alerts: { webhook_url: `${receiver.url}${path}` },
    });
    await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'hold', account: keyIdFor(account) });
    try {
      const report = await withWorker(harness, config, `q-${account}`, async () => {
        const handle = await startDay(harness.client, {
          account, tradingDate: todayInNewYork(), taskQueue: `q-${account}`, mode: 'paper', source: 'alerts-test',
          signals: [{ symbol: 'XOM', strength: 1 }, { symbol: 'JNJ', strength: 1 }],
        });
        await waitUntil(async () => (await handle.query(statusQuery)).phase === 'awaiting_fills', 'awaiting_fills');
        await simAdmin(harness, 'POST', '/admin/prices', { symbol: 'AAPL', price: Math.round(ask * 0.8 * 100) / 100 });
        await waitUntil(async () => receiver.accepted(path).some((body) => body.kind === 'daily_loss'), 'the daily loss alert', 30_000);
        await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'auto', account: keyIdFor(account) });
        const result = await dayResult(handle);
        await waitUntil(async () => receiver.accepted(path).length >= 3, 'three alerts', 20_000);
        return result;
      });
      assert.ok(report.dailyLoss);
      const posted = receiver.accepted(path);
      assert.deepEqual(posted.map((body) => body.kind), ['daily_loss', 'halt', 'summary']);
      assert.equal(posted[0]!.text.split('\n')[0], `tradeflow: ${account} ${report.tradingDate} DAILY_LOSS_LIMIT: ${report.dailyLoss.detail}`);
      assert.match(posted[1]!.text, new RegExp(`^tradeflow: account ${account} HALTED: DAILY_LOSS_LIMIT on `));
      assert.ok(posted[2]!.text.includes(`daily loss: ${report.dailyLoss.detail}`));
    } finally {
      await simAdmin(harness, 'POST', '/admin/prices', { symbol: 'AAPL', price: null });
      await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'auto', account: keyIdFor(account) });
    }
  });
});
