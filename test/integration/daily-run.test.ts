import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { dayResult, InvalidDayInput, startDay } from '../../src/operations/start-day';
import { todayInNewYork } from '../../src/cli/dates';
import type { Signal } from '../../src/domain/types';
import { temporalAccountStateStore } from '../../src/operations/account-state';
import { DAILY_TRADING_WORKFLOW, dailyWorkflowId } from '../../src/names';
import { emergencyStopUpdate, pauseSignal, resumeSignal, statusQuery } from '../../src/workflows/messages';
import {
  keyIdFor, simAdmin, simBroker, simOrderLog, startHarness, testConfig, uniqueAccount, withWorker, type Harness,
} from '../support/trading-harness';

const SIGNALS: Signal[] = [
  { symbol: 'AAPL', strength: 0.8 },
  { symbol: 'MSFT', strength: 0.5 },
  { symbol: 'JPM', strength: 0.3 },
  { symbol: 'PFE', strength: 0.05 },
];

describe('a trading day on a real Temporal server and the simulator', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness?.close();
  });

  function start(account: string, taskQueue: string, signals: Signal[] = SIGNALS) {
    return startDay(harness.client, {
      account, tradingDate: todayInNewYork(), signals, mode: 'paper', taskQueue, source: 'test',
    });
  }

  it('trades the signals end to end and reports the fills and the portfolio', async () => {
    const account = uniqueAccount();
    const config = testConfig(account);
    const report = await withWorker(harness, config, `q-${account}`, async () => dayResult(await start(account, `q-${account}`)));

    assert.equal(report.status, 'completed');
    const symbols = report.orders.map((order) => order.symbol).sort();
    assert.deepEqual(symbols, ['AAPL', 'JPM', 'MSFT'], 'PFE is below the signal threshold');
    for (const order of report.orders) {
      assert.equal(order.status, 'filled', `${order.symbol} filled`);
      assert.equal(order.filledQty, order.qty);
      assert.ok(order.brokerOrderId);
    }
    const pfe = report.decisions.find((decision) => decision.symbol === 'PFE');
    assert.ok(pfe && pfe.outcome !== 'order', 'PFE has an explained decision and no order');

    const positions = await simBroker(harness, account).getPositions();
    for (const order of report.orders) {
      const held = positions.find((position) => position.symbol === order.symbol);
      assert.equal(held?.qty, order.filledQty, `${order.symbol} position matches the fill`);
    }
    assert.equal(report.portfolio?.positions.length, 3);
    assert.deepEqual(report.reconciliation, [], 'no difference between expected and broker positions');
  });

  it('does not duplicate an order whose submit response was lost after the broker committed it', async () => {
    const account = uniqueAccount();
    await simAdmin(harness, 'POST', '/admin/faults', { route: 'POST /v2/orders', kind: 'lose-response', count: 1 });
    try {
      const report = await withWorker(harness, testConfig(account), `q-${account}`, async () => dayResult(await start(account, `q-${account}`)));
      assert.equal(report.status, 'completed');
      const log = await simOrderLog(harness, account);
      const ids = log.map((order) => order.client_order_id);
      assert.equal(new Set(ids).size, ids.length, 'each client order id reached the broker once');
      assert.equal(ids.length, report.orders.length, 'every intended order exists');
      assert.ok(report.orders.every((order) => order.status === 'filled'));
    } finally {
      await simAdmin(harness, 'DELETE', '/admin/faults');
    }
  });

  it('the kill switch (update) cancels open orders, answers what it did, and nothing reaches the broker after', async () => {
    const account = uniqueAccount();
    await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'hold', account: keyIdFor(account) });
    try {
      const config = testConfig(account, { timing: { max_fill_wait_minutes: 10 } });
      const { report, outcome, acknowledgedAt, elapsedMs } = await withWorker(harness, config, `q-${account}`, async () => {
        const handle = await start(account, `q-${account}`);
        await waitFor(async () => (await handle.query(statusQuery)).phase === 'awaiting_fills');
        const sent = Date.now();
        const answer = await handle.executeUpdate(emergencyStopUpdate, { args: [{ reason: 'test kill switch' }] });
        const acknowledged = Date.now();
        return { outcome: answer, acknowledgedAt: acknowledged, elapsedMs: acknowledged - sent, report: await dayResult(handle) };
      });
      console.log(`kill switch: all orders cancelled ${elapsedMs} ms after the command`);
      assert.equal(report.status, 'stopped');
      assert.equal(report.tradingState, 'HALTED');
      assert.match(report.reason ?? '', /test kill switch/);
      assert.equal(outcome.accountHalted, true);
      const log = await simOrderLog(harness, account);
      assert.ok(log.length > 0);
      assert.equal(outcome.canceledOrderIds.length, log.length, 'the answer lists every cancelled order');
      for (const order of log) {
        assert.equal(order.status, 'canceled', `${String(order.symbol)} canceled at the broker`);
        assert.ok(Date.parse(String(order.created_at)) <= acknowledgedAt, 'no order created after the stop was acknowledged');
      }
    } finally {
      await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'auto', account: keyIdFor(account) });
    }
  });

  it('pause holds new submissions and resume continues the day', async () => {
    const account = uniqueAccount();
    const taskQueue = `q-${account}`;
    const report = await withWorker(harness, testConfig(account), taskQueue, async () => {
      // Paused from its first moment, so the hold is observed before any order could go out.
      const handle = await harness.client.workflow.signalWithStart(DAILY_TRADING_WORKFLOW, {
        workflowId: dailyWorkflowId(account, todayInNewYork()), taskQueue, signal: pauseSignal, signalArgs: [],
        args: [{ account, tradingDate: todayInNewYork(), signals: SIGNALS }],
      });
      await waitFor(async () => {
        const status = await handle.query(statusQuery);
        return status.phase === 'submitting' && status.paused;
      });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal((await simOrderLog(harness, account)).length, 0, 'nothing is submitted while paused');
      await handle.signal(resumeSignal);
      return dayResult(handle);
    });
    assert.equal(report.status, 'completed');
    assert.equal((await simOrderLog(harness, account)).length, report.orders.length);
  });

  it('a halt holds for later days until the account is resumed', async () => {
    const account = uniqueAccount();
    const store = temporalAccountStateStore(harness.client, `q-${account}`);
    const report = await withWorker(harness, testConfig(account), `q-${account}`, async () => {
      await store.halt(account, 'risk desk says no', 'test');
      return dayResult(await start(account, `q-${account}`));
    });
    assert.equal(report.status, 'halted');
    assert.match(report.reason ?? '', /risk desk says no/);
    assert.equal((await simOrderLog(harness, account)).length, 0, 'a halted account sends nothing');
    const resumed = await withWorker(harness, testConfig(account), `q-${account}`, () => store.resume(account, 'test'));
    assert.equal(resumed.state, 'ACTIVE');
  });

  it('refuses a run whose signals are invalid before it starts, and the workflow fails one started anyway', async () => {
    const account = uniqueAccount();
    await assert.rejects(start(account, `q-${account}`, [{ symbol: 'AAPL', strength: 3 }]), (error: unknown) => {
      assert.ok(error instanceof InvalidDayInput);
      assert.match(error.message, /signals\.0\.strength: strength must be between -1 and 1/);
      return true;
    });
    const taskQueue = `q-${account}`;
    await assert.rejects(
      withWorker(harness, testConfig(account), taskQueue, async () => dayResult(await harness.client.workflow.start(DAILY_TRADING_WORKFLOW, {
        workflowId: dailyWorkflowId(account, todayInNewYork()), taskQueue,
        args: [{ account, tradingDate: todayInNewYork(), signals: [{ symbol: 'AAPL', strength: 3 }] }],
      }))),
      (error: unknown) => {
        assert.ok(error instanceof WorkflowFailedError);
        assert.match(String((error.cause as Error).message), /invalid input: signals\.0\.strength/);
        return true;
      },
    );
    assert.equal((await simOrderLog(harness, account)).length, 0);
  });
});

async function waitFor(predicate: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('timed out waiting for the condition');
}
