/**
 * The safety promises, tried the way an adversary (or an unlucky operator) would: a slow broker, a stop in the
 * middle of a submission, a second start with another client's default options, an id that lies about its date,
 * a halt while the day waits for the open, a clock past the close, malformed stop payloads, lost answers with
 * failing lookups. The judge is the broker's own order log, never the workflow's report.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { calendar, startSimulator, type RunningSimulator } from 'alpaca-sim';
import { createAlpacaBroker } from '../../src/broker/alpaca';
import type { BrokerPort } from '../../src/broker/port';
import { temporalAccountStateStore } from '../../src/operations/account-state';
import { createTradingSchedule, describeTradingSchedule, deleteTradingSchedule } from '../../src/operations/schedule';
import { dayResult, startDay } from '../../src/operations/start-day';
import { todayInNewYork } from '../../src/cli/dates';
import type { Signal } from '../../src/domain/types';
import { accountWorkflowId, DAILY_TRADING_WORKFLOW, dailyWorkflowId, RUN_STATE, TRADING_ACCOUNT, TRADING_DATE } from '../../src/names';
import { resolveTemporalBinary } from '../../src/temporal/binary';
import { accountStateQuery, resumeAccountUpdate } from '../../src/workflows/account-messages';
import { emergencyStopUpdate, pauseSignal, resumeSignal, statusQuery } from '../../src/workflows/messages';
import {
  keyIdFor, simAdmin, simBroker, simOrderLog, startHarness, testConfig, uniqueAccount, withWorker, type Harness,
} from '../support/trading-harness';
import type { dailyTrading } from '../../src/workflows';
import { slowWebhook } from '../support/slow-webhook';

const { addDays, etInstant, isTradingDay } = calendar;
const SIGNALS: Signal[] = ['AAPL', 'MSFT', 'JPM', 'XOM', 'KO', 'PG'].map((symbol, i) => ({ symbol, strength: 0.3 + 0.1 * i }));

type LoggedOrder = Record<string, unknown> & { client_order_id: string; created_at: string; status: string };

describe('safety promises against an adversary, judged by the broker\'s records', () => {
  let harness: Harness;
  /** A second simulator on NYSE hours, its clock on the next trading date: a day there waits, or is past its session. */
  let market: RunningSimulator;
  let nextSession: string;
  before(async () => {
    harness = await startHarness();
    nextSession = nextTradingDate(todayInNewYork());
    market = await startSimulator({ port: 0, seed: 11, market: 'real', start: new Date(etInstant(nextSession, 8, 0)).toISOString() });
  });
  after(async () => {
    await market?.close();
    await harness?.close();
  });

  const marketBroker = (account: string): BrokerPort => createAlpacaBroker({
    keyId: keyIdFor(account), secretKey: 'test-secret', tradingUrl: market.url, dataUrl: market.url,
  });
  const start = (account: string, taskQueue: string, signals = SIGNALS, tradingDate = todayInNewYork()) => startDay(harness.client, {
    account, tradingDate, signals, mode: 'paper', taskQueue, source: 'adversary',
  });

  it('a stop in the middle of slow submissions: no order reaches the broker after the answer, every one is swept and flattened', async () => {
    const account = uniqueAccount('adv');
    const taskQueue = `q-${account}`;
    await simAdmin(harness, 'POST', '/admin/faults', { route: 'POST /v2/orders', kind: 'latency', latencyMs: 1500, count: 0 });
    let answeredAt = 0;
    try {
      // Two lanes: the 6 orders take three rounds of 1.5 s, so the stop comes while submits are still to be sent (with
      // all 6 in flight at once the day could end, its fills instant, before the stop reached it).
      const config = testConfig(account, { timing: { max_fill_wait_minutes: 10, submit_concurrency: 2 } });
      const { report, answer, halted } = await withWorker(harness, config, taskQueue, async () => {
        const handle = await start(account, taskQueue);
        // The first order is at the broker: the next POST is on the wire, held by the broker's latency.
        await waitFor(async () => (await simOrderLog(harness, account)).length >= 1);
        const stopAnswer = await handle.executeUpdate(emergencyStopUpdate, { args: [{ reason: 'adversary: stop mid-submission', flatten: true }] });
        answeredAt = Date.now();
        await sleep(4000);
        const accountState = await harness.client.workflow.getHandle(accountWorkflowId(account)).query(accountStateQuery);
        return { answer: stopAnswer, report: await dayResult(handle), halted: accountState.state === 'HALTED' };
      });
      const log = (await simOrderLog(harness, account)) as LoggedOrder[];
      const late = log.filter((order) => Date.parse(order.created_at) > answeredAt);
      console.log(`stop mid-submission: ${log.length} orders at the broker, ${late.length} created after the answer`);
      assert.deepEqual(late.map((order) => order.client_order_id), [], 'orders created after the stop answered');
      assert.equal(report.status, 'stopped');
      const dayOrders = log.filter((order) => order.client_order_id.startsWith(`${report.workflowId}.`));
      assert.ok(dayOrders.length >= 1);
      for (const order of dayOrders) {
        const record = report.orders.find((candidate) => candidate.clientOrderId === order.client_order_id);
        assert.ok(record, `${order.client_order_id} is in the report`);
        assert.notEqual(record.status, 'unsubmitted', `${order.client_order_id} is at the broker, so not reported unsubmitted`);
        assert.ok(['filled', 'canceled'].includes(order.status), `${order.client_order_id} is ${order.status}`);
      }
      assert.ok(answer.account, 'the answer says what the account\'s kill switch did');
      // Every position the day's orders built (a cancelled order may have filled in part) is closed once.
      const built = new Set(dayOrders.filter((o) => Number(o.filled_qty) > 0).map((o) => o.symbol));
      assert.equal(answer.account.closingOrders.length, built.size);
      await waitFor(async () => (await simBroker(harness, account).getPositions()).length === 0, 20_000);
      assert.ok(halted, 'the account is HALTED');
    } finally {
      await simAdmin(harness, 'DELETE', '/admin/faults');
    }
  });

  it('a stop reaches a batch of submits in flight: it sends nothing more within a fraction of a second, and nothing after the answer', async () => {
    const account = uniqueAccount('adv');
    const taskQueue = `q-${account}`;
    // 40 orders in one batch through 2 lanes, each POST held 300 ms: the batch alone would take 6 s.
    const signals = ['AAPL', 'MSFT', 'JPM', 'XOM', 'KO', 'PG', 'PEP', 'WMT', 'HD', 'UNH', 'JNJ', 'V', 'MA', 'CVX', 'MRK', 'ABBV', 'COST', 'MCD',
      'NKE', 'ORCL', 'CSCO', 'INTC', 'AMD', 'QCOM', 'TXN', 'IBM', 'GE', 'CAT', 'DE', 'BA', 'HON', 'LMT', 'RTX', 'UPS', 'LOW', 'SBUX', 'TGT', 'CVS', 'PFE', 'ABT']
      .map((symbol) => ({ symbol, strength: 0.5 }));
    await simAdmin(harness, 'POST', '/admin/faults', { route: 'POST /v2/orders', kind: 'latency', latencyMs: 300, count: 0 });
    try {
      const config = testConfig(account, {
        timing: { max_fill_wait_minutes: 10, submit_concurrency: 2, submit_batch_size: 50 },
        position_sizing: { max_position_size: 0.02 }, risk_management: { max_orders_per_day: 100 },
      });
      const { stoppedAt, answeredAt, report } = await withWorker(harness, config, taskQueue, async () => {
        const handle = await start(account, taskQueue, signals);
        await waitFor(async () => (await simOrderLog(harness, account)).length >= 2);
        const at = Date.now();
        await handle.executeUpdate(emergencyStopUpdate, { args: [{ reason: 'adversary: stop a batch in flight' }] });
        return { stoppedAt: at, answeredAt: Date.now(), report: await dayResult(handle) };
      });
      const log = (await simOrderLog(harness, account)) as LoggedOrder[];
      const dayOrders = log.filter((order) => order.client_order_id.startsWith(`${report.workflowId}.`));
      const afterStop = dayOrders.filter((order) => Date.parse(order.created_at) > stoppedAt);
      console.log(`stop a batch in flight: ${dayOrders.length} of ${signals.length} orders sent, ${afterStop.length} created after the stop was asked, `
        + `answered in ${answeredAt - stoppedAt} ms`);
      assert.equal(report.status, 'stopped');
      assert.ok(dayOrders.length < 14, `${dayOrders.length} orders reached the broker: the stop did not halt the batch`);
      // Each lane may finish the POST it has on the wire and start one more before the next heartbeat brings the
      // cancel (the worker beats every 100 ms at most, a POST takes 300 ms): 2 lanes x 2, with one round of margin.
      assert.ok(afterStop.length <= 6, `${afterStop.length} orders created after the stop was asked`);
      assert.ok(answeredAt - stoppedAt < 5_000, `the stop answered in ${answeredAt - stoppedAt} ms`);
      assert.deepEqual(dayOrders.filter((order) => Date.parse(order.created_at) > answeredAt).map((order) => order.client_order_id), []);
      for (const order of dayOrders) {
        const record = report.orders.find((candidate) => candidate.clientOrderId === order.client_order_id);
        assert.ok(record && record.status !== 'unsubmitted', `${order.client_order_id} is in the report as sent`);
      }
      const sent = new Set(dayOrders.map((order) => order.client_order_id));
      assert.ok(report.orders.filter((order) => !sent.has(order.clientOrderId)).every((order) => order.status === 'unsubmitted'),
        'the orders never sent are reported unsubmitted');
      assert.ok(!(report.stopOutcome?.sweptOrders ?? []).some((order) => !sent.has(order.clientOrderId)), 'the sweep lists only orders that were sent');
    } finally {
      await simAdmin(harness, 'DELETE', '/admin/faults');
    }
  });

  it('a day started again with the temporal CLI\'s defaults after it completed ends as a duplicate, with no broker call', async () => {
    const account = uniqueAccount('adv');
    const taskQueue = `q-${account}`;
    const workflowId = dailyWorkflowId(account, todayInNewYork());
    const config = testConfig(account);
    const first = await withWorker(harness, config, taskQueue, async () => dayResult(await start(account, taskQueue)));
    assert.equal(first.status, 'completed');
    const firstRunId = (await harness.client.workflow.getHandle(workflowId).describe()).runId;
    const before = (await simOrderLog(harness, account)).length;
    await simAdmin(harness, 'POST', '/admin/prices', { symbol: 'AAPL', price: 400 });
    try {
      const again = await withWorker(harness, config, taskQueue, async () => {
        // The temporal CLI with its defaults: id reuse AllowDuplicate, no conflict policy.
        await temporalCli(harness, ['workflow', 'start', '--task-queue', taskQueue, '--type', DAILY_TRADING_WORKFLOW, '--workflow-id', workflowId,
          '--input', JSON.stringify({ account, tradingDate: todayInNewYork(), signals: SIGNALS })]);
        return harness.client.workflow.getHandle<typeof dailyTrading>(workflowId).result();
      });
      assert.equal(again.status, 'duplicate');
      // Started with no search attributes or memo, the run set them itself: the UI finds and describes it alike.
      const described = await harness.client.workflow.getHandle(workflowId).describe();
      assert.equal(described.typedSearchAttributes.get(TRADING_DATE), todayInNewYork());
      assert.equal(described.typedSearchAttributes.get(TRADING_ACCOUNT), account);
      assert.equal(described.typedSearchAttributes.get(RUN_STATE), 'duplicate');
      assert.equal(described.memo?.signals, SIGNALS.length);
      assert.equal(again.firstRun?.runId, firstRunId);
      assert.match(again.reason ?? '', new RegExp(firstRunId));
      assert.deepEqual(again.orders, [], 'the report never lists another run\'s orders');
      assert.equal((await simOrderLog(harness, account)).length, before, 'days traded twice: 0');
    } finally {
      await simAdmin(harness, 'POST', '/admin/prices', { symbol: 'AAPL', price: null });
    }
  });

  it('a stop that arrives after the day traded, while it records its end and alerts, still answers: cancel, flatten, halt', async () => {
    const account = uniqueAccount('adv');
    // A webhook that takes its time: the day has traded (phase completed) but is still running while it alerts.
    const webhook = await slowWebhook(6_000);
    try {
      const config = testConfig(account, { alerts: { webhook_url: webhook.url } });
      await withWorker(harness, config, `q-${account}`, async () => {
        const handle = await start(account, `q-${account}`);
        await waitFor(async () => (await handle.query(statusQuery)).phase === 'completed', 30_000);
        const before = (await simOrderLog(harness, account)).length;
        const asked = Date.now();
        const outcome = await Promise.race([
          handle.executeUpdate(emergencyStopUpdate, { args: [{ reason: 'adversary: stop as the day ends', flatten: true }] }),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the stop did not answer within 60 s')), 60_000)),
        ]);
        const answeredIn = Date.now() - asked;
        assert.equal(webhook.answeredAt(), undefined, 'the stop answered while the summary alert still waited on the webhook');
        assert.equal(outcome.accountHalted, true);
        assert.ok(outcome.closingOrders.length > 0, `the day's positions are flattened (${JSON.stringify(outcome)})`);
        const report = await dayResult(handle);
        assert.equal(report.status, 'stopped', 'the day ends stopped');
        const orders = (await simOrderLog(harness, account)) as LoggedOrder[];
        assert.equal(orders.length, before + outcome.closingOrders.length, 'the day\'s orders and the closing ones, nothing else');
        console.log(`[adversary] late stop answered in ${answeredIn} ms: ${outcome.closingOrders.length} closing orders`);
      });
    } finally {
      webhook.close();
    }
  });

  it('a stop that arrives while a failed day cleans up is carried out and answered; the day still fails, as failed', async () => {
    const account = uniqueAccount('adv');
    const taskQueue = `q-${account}`;
    // A webhook that holds the failure alert: the stop comes while the failed day waits on it.
    const webhook = await slowWebhook(5_000);
    // The broker keeps failing the account read: planning gives up after its attempts and the day fails.
    await simAdmin(harness, 'POST', '/admin/faults', { route: 'GET /v2/account', kind: 'error-500', count: 0 });
    try {
      const config = testConfig(account, { alerts: { webhook_url: webhook.url } });
      await withWorker(harness, config, taskQueue, async () => {
        const handle = await start(account, taskQueue);
        await waitFor(async () => webhook.received.some((body) => body.includes('"failure"')), 90_000);
        await simAdmin(harness, 'DELETE', '/admin/faults');
        const asked = Date.now();
        const outcome = await Promise.race([
          handle.executeUpdate(emergencyStopUpdate, { args: [{ reason: 'adversary: stop the failing day', flatten: true }] }),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the stop did not answer within 60 s')), 60_000)),
        ]);
        console.log(`[adversary] stop during a failed day's cleanup answered in ${Date.now() - asked} ms`);
        assert.equal(webhook.answeredAt(), undefined, 'answered while the failure alert still waited on the webhook');
        assert.equal(outcome.accountHalted, true);
        assert.ok(outcome.account, 'the account\'s kill switch ran');
        await assert.rejects(handle.result(), (error: unknown) => error instanceof WorkflowFailedError);
        const described = await handle.describe();
        assert.equal(described.typedSearchAttributes.get(RUN_STATE), 'failed', 'the day stays failed');
        const accountState = await harness.client.workflow.getHandle(accountWorkflowId(account)).query(accountStateQuery);
        assert.equal(accountState.state, 'HALTED');
      });
      assert.equal((await simOrderLog(harness, account)).length, 0, 'the failed day sent nothing');
    } finally {
      await simAdmin(harness, 'DELETE', '/admin/faults');
      webhook.close();
    }
  });

  it('a day whose run was terminated mid-day is resumed from the broker\'s records, never doubled', async () => {
    const account = uniqueAccount('adv');
    const taskQueue = `q-${account}`;
    // Orders per day count what the account sent today from any run: the dead run's 6 leave the resume 2 of 8.
    const config = testConfig(account, { timing: { max_fill_wait_minutes: 10 }, risk_management: { max_orders_per_day: 8 } });
    await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'hold', account: keyIdFor(account) });
    const resumed = await withWorker(harness, config, taskQueue, async () => {
      const first = await start(account, taskQueue);
      await waitFor(async () => (await first.query(statusQuery)).phase === 'awaiting_fills');
      await first.terminate('adversary: the run dies with orders resting');
      // tradeflow run's policy lets a terminated day start again; the ledger makes the new run a resume.
      const second = await start(account, taskQueue);
      await waitFor(async () => (await second.query(statusQuery)).phase === 'awaiting_fills');
      const leftOpen = ((await simOrderLog(harness, account)) as LoggedOrder[]).filter((order) => !order.client_order_id.includes('.g2.'));
      assert.ok(leftOpen.length > 0 && leftOpen.every((order) => order.status === 'canceled'), 'what the dead run left open was cancelled before the resume traded');
      await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'auto', account: keyIdFor(account) });
      return dayResult(second);
    });
    assert.equal(resumed.status, 'completed');
    assert.equal(resumed.generation, 2);
    assert.equal(resumed.orders.length, 2, 'max_orders_per_day counts the dead run\'s orders');
    assert.equal(resumed.rejected.filter((rejection) => rejection.code === 'MAX_ORDERS_PER_DAY').length, SIGNALS.length - 2);
    assert.ok(resumed.orders.every((order) => order.clientOrderId.startsWith(`${resumed.workflowId}.g2.`)), 'the report lists its own orders only');
    const positions = await simBroker(harness, account).getPositions();
    for (const order of resumed.orders.filter((o) => o.status === 'filled')) {
      assert.equal(positions.find((position) => position.symbol === order.symbol)?.qty, order.filledQty, `${order.symbol} bought once`);
    }
  });

  it('a workflow id that does not name its input, or input that is not a day, fails before any broker call', async () => {
    const account = uniqueAccount('adv');
    const taskQueue = `q-${account}`;
    const today = todayInNewYork();
    const cases: Array<{ workflowId: string; input: unknown; expect: RegExp }> = [
      { workflowId: dailyWorkflowId(account, '2026-01-05'), input: { account, tradingDate: today, signals: SIGNALS }, expect: /does not name its input/ },
      { workflowId: `adversary-${account}`, input: { account, tradingDate: today, signals: SIGNALS }, expect: /does not name its input/ },
      { workflowId: dailyWorkflowId(account, today), input: { account, tradingDate: `${today}T14:30:00Z`, signals: SIGNALS }, expect: /tradingDate/ },
      { workflowId: `trading-undefined-${today}`, input: { tradingDate: today, signals: SIGNALS }, expect: /account: required/ },
    ];
    await withWorker(harness, testConfig(account), taskQueue, async () => {
      for (const { workflowId, input, expect } of cases) {
        const handle = await harness.client.workflow.start(DAILY_TRADING_WORKFLOW, { workflowId, taskQueue, args: [input] });
        await assert.rejects(handle.result(), (error: unknown) => {
          assert.ok(error instanceof WorkflowFailedError, String(error));
          assert.match(String((error.cause as Error).message), expect);
          return true;
        });
      }
    });
    assert.equal((await simOrderLog(harness, account)).length, 0);
  });

  it('a halt reaches a day waiting for the open, and a day started after it ends halted', async () => {
    const account = uniqueAccount('adv');
    const taskQueue = `q-${account}`;
    const store = temporalAccountStateStore(harness.client, taskQueue);
    const { outcome, report, later } = await withWorker(harness, testConfig(account), taskQueue, async () => {
      const handle = await start(account, taskQueue, SIGNALS, nextSession);
      await waitFor(async () => (await handle.query(statusQuery)).phase === 'waiting_for_open');
      const stopOutcome = await store.stop(account, { reason: 'adversary: halt before the open', by: 'test' });
      const laterDay = await start(account, taskQueue, SIGNALS, addDays(nextSession, 1));
      return { outcome: stopOutcome, report: await dayResult(handle), later: await dayResult(laterDay) };
    }, marketBroker(account));
    assert.deepEqual(outcome.days.map((day) => [day.workflowId, day.confirmation]), [[dailyWorkflowId(account, nextSession), 'stopped']]);
    assert.equal(report.status, 'stopped');
    assert.equal(later.status, 'halted');
    assert.equal((await marketBroker(account).listOrders({ status: 'all' })).length, 0);
  });

  it('no order after the session: a day paused across the last submit time sends nothing more, reported SESSION_OVER', async () => {
    const account = uniqueAccount('adv');
    const taskQueue = `q-${account}`;
    await postJson(`${market.url}/admin/clock`, { time: new Date(etInstant(nextSession, 10, 0)).toISOString() });
    try {
      const report = await withWorker(harness, testConfig(account), taskQueue, async () => {
        const handle = await harness.client.workflow.signalWithStart(DAILY_TRADING_WORKFLOW, {
          workflowId: dailyWorkflowId(account, nextSession), taskQueue, signal: pauseSignal, signalArgs: [],
          args: [{ account, tradingDate: nextSession, signals: SIGNALS }],
        });
        // Paused in submitting, and idle: no activity or workflow task pending, so the day is waiting on its pause (not
        // still reading the account's state, after which a resume that came meanwhile would never be waited for).
        await waitFor(async () => {
          const status = await handle.query(statusQuery);
          if (status.phase !== 'submitting' || !status.paused) return false;
          const { raw } = await handle.describe();
          return (raw.pendingActivities ?? []).length === 0 && !raw.pendingWorkflowTask;
        });
        // The broker's clock jumps past the close less the day's 10-minute margin (as after a long worker outage).
        await postJson(`${market.url}/admin/clock`, { time: new Date(etInstant(nextSession, 15, 55)).toISOString() });
        await handle.signal(resumeSignal);
        return dayResult(handle);
      }, marketBroker(account));
      assert.equal((await marketBroker(account).listOrders({ status: 'all' })).length, 0, 'submits after the session: 0');
      assert.ok(report.orders.length > 0);
      assert.ok(report.orders.every((order) => order.status === 'unsubmitted'));
      assert.equal(report.rejected.filter((rejection) => rejection.code === 'SESSION_OVER').length, report.orders.length);
    } finally {
      await postJson(`${market.url}/admin/clock`, { time: new Date(etInstant(nextSession, 8, 0)).toISOString() });
    }
  });

  it('without wait_for_open, a run for another date does not trade today', async () => {
    const account = uniqueAccount('adv');
    const taskQueue = `q-${account}`;
    const report = await withWorker(harness, testConfig(account, { timing: { wait_for_open: false } }), taskQueue,
      async () => dayResult(await start(account, taskQueue, SIGNALS, nextSession)));
    assert.equal(report.status, 'market_closed');
    assert.equal((await simOrderLog(harness, account)).length, 0);
  });

  it('a stop signal with no payload or a bare string stops the day and halts the account; queries keep answering', async () => {
    for (const payload of [undefined, 'adversary: a bare string']) {
      const account = uniqueAccount('adv');
      const taskQueue = `q-${account}`;
      await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'hold', account: keyIdFor(account) });
      const report = await withWorker(harness, testConfig(account, { timing: { max_fill_wait_minutes: 10 } }), taskQueue, async () => {
        const handle = await start(account, taskQueue);
        await waitFor(async () => (await handle.query(statusQuery)).phase === 'awaiting_fills');
        if (payload === undefined) await harness.client.workflow.getHandle(handle.workflowId).signal('emergencyStop');
        else await harness.client.workflow.getHandle(handle.workflowId).signal('emergencyStop', payload);
        await waitFor(async () => (await handle.query(statusQuery)).phase === 'stopped');
        const result = await dayResult(handle);
        await waitFor(async () => (await harness.client.workflow.getHandle(accountWorkflowId(account)).query(accountStateQuery)).state === 'HALTED');
        return result;
      });
      assert.equal(report.status, 'stopped');
      assert.match(report.reason ?? '', payload === undefined ? /no reason given/ : /a bare string/);
      const log = (await simOrderLog(harness, account)) as LoggedOrder[];
      assert.ok(log.length > 0 && log.every((order) => order.status === 'canceled'), 'every resting order was cancelled');
    }
  });

  it('an order whose answer was lost while lookups kept failing is tracked to its fill, not reported rejected', async () => {
    const account = uniqueAccount('adv');
    const taskQueue = `q-${account}`;
    await simAdmin(harness, 'POST', '/admin/faults', { route: 'POST /v2/orders', kind: 'lose-response', count: 1 });
    await simAdmin(harness, 'POST', '/admin/faults', { route: 'GET /v2/orders:by_client_order_id', kind: 'error-503', count: 6 });
    try {
      const report = await withWorker(harness, testConfig(account, { timing: { submit_retry_minutes: 0.1 } }), taskQueue,
        async () => dayResult(await start(account, taskQueue, [{ symbol: 'AAPL', strength: 0.6 }])));
      const log = (await simOrderLog(harness, account)) as LoggedOrder[];
      assert.equal(log.length, 1, 'the order reached the broker once');
      assert.equal(report.orders.length, 1);
      assert.equal(report.orders[0]!.status, 'filled', JSON.stringify(report.orders[0]));
      assert.equal(report.rejected.filter((rejection) => rejection.code === 'BROKER_REJECTED').length, 0);
    } finally {
      await simAdmin(harness, 'DELETE', '/admin/faults');
    }
  });

  it('a stop with no day running cancels and flattens through the account; a resume by update from any client unpauses the schedule', async () => {
    const account = uniqueAccount('adv');
    const taskQueue = `q-${account}`;
    const store = temporalAccountStateStore(harness.client, taskQueue);
    const config = testConfig(account);
    await withWorker(harness, config, taskQueue, async () => {
      assert.equal((await dayResult(await start(account, taskQueue))).status, 'completed');
      const held = await simBroker(harness, account).getPositions();
      assert.ok(held.length > 0);
      await createTradingSchedule(harness.client, {
        account, mode: 'paper', cron: '0 3 * * *', timezone: 'America/New_York', source: 'nonexistent', taskQueue,
      });
      try {
        const outcome = await store.stop(account, { reason: 'adversary: flatten after the day', flatten: true, by: 'test' });
        assert.deepEqual(outcome.days, []);
        assert.equal(outcome.closingOrders.length, held.length);
        assert.equal(outcome.schedulePaused, true);
        await waitFor(async () => (await simBroker(harness, account).getPositions()).length === 0, 20_000);
        assert.equal((await describeTradingSchedule(harness.client, account)).state.paused, true);
        // Resumed the way a Python or Go client would: the raw update, no tradeflow code on the caller's side.
        await harness.client.workflow.getHandle(accountWorkflowId(account)).executeUpdate(resumeAccountUpdate, { args: [{ by: 'another client' }] });
        assert.equal((await describeTradingSchedule(harness.client, account)).state.paused, false);
      } finally {
        await deleteTradingSchedule(harness.client, account);
      }
    });
  });
});

function nextTradingDate(after: string): string {
  let date = addDays(after, 1);
  while (!isTradingDay(date)) date = addDays(date, 1);
  return date;
}

async function temporalCli(harness: Harness, args: string[]): Promise<string> {
  const binary = await resolveTemporalBinary(process.env, undefined, { install: false });
  assert.ok(binary.path, 'a temporal CLI binary (TEMPORAL_CLI_PATH, PATH or tools/)');
  return new Promise((resolve, reject) => {
    execFile(binary.path, [...args, '--address', harness.temporal.address, '--namespace', harness.temporal.namespace], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`temporal ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

async function postJson(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(predicate: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await sleep(200);
  }
  throw new Error('timed out waiting for the condition');
}
