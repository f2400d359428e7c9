import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { todayInNewYork } from '../../src/cli/dates';
import { temporalAccountStateStore } from '../../src/operations/account-state';
import { dayResult, startDay } from '../../src/operations/start-day';
import { statusQuery } from '../../src/workflows/messages';
import {
  buyDollars, keyIdFor, simAdmin, simBroker, simOrderLog, startHarness, testConfig, uniqueAccount, waitUntil, withWorker,
  type Harness, type LoggedOrder,
} from '../support/trading-harness';



/**
 * Intraday risk, judged by the broker's records: the account holds a large AAPL position, the day sends two buys and
 * an AAPL trim that rest at the broker, then AAPL falls 20%. At its next fill check the day reads equity, sees the
 * daily loss limit breached, cancels the risk-increasing buys, keeps the trim (REDUCING), reports the figure, and
 * halts the account for later days.
 */
describe('intraday risk: a breach of max_daily_loss while the day waits for fills', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness?.close();
  });

  it('cancels the risk-increasing orders, keeps the reducing ones, reports the figure and halts the account', async () => {
    const account = uniqueAccount('loss');
    const taskQueue = `q-${account}`;
    const broker = simBroker(harness, account);
    const ask = await buyDollars(harness, account, 'AAPL', 50_000);

    const config = testConfig(account, {
      risk_management: { on_daily_loss_breach: 'REDUCING', halt_account_on_daily_loss: true },
      position_sizing: { max_position_size: 0.05, max_trade_size: 5_000 },
      timing: { max_fill_wait_minutes: 1 },
    });
    await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'hold', account: keyIdFor(account) });
    const crashed = Math.round(ask * 0.8 * 100) / 100;
    try {
      const { report, state } = await withWorker(harness, config, taskQueue, async () => {
        const handle = await startDay(harness.client, {
          account, tradingDate: todayInNewYork(), taskQueue, mode: 'paper', source: 'intraday-risk',
          signals: [{ symbol: 'XOM', strength: 1 }, { symbol: 'JNJ', strength: 1 }, { symbol: 'AAPL', strength: 0.2 }],
        });
        await waitUntil(async () => (await handle.query(statusQuery)).phase === 'awaiting_fills', 'awaiting_fills');
        await simAdmin(harness, 'POST', '/admin/prices', { symbol: 'AAPL', price: crashed });
        await waitUntil(async () => (await handle.query(statusQuery)).tradingState === 'REDUCING', 'the day to move to REDUCING');
        // The day cancels its buys right after it moves to REDUCING: let those cancels land before fills resume.
        await waitUntil(async () => ((await simOrderLog(harness, account)) as unknown as LoggedOrder[])
          .filter((o) => o.side === 'buy' && o.client_order_id.startsWith('trading-')).every((o) => o.status === 'canceled'), 'the buys to be cancelled');
        // The trim still works the book after the breach: let it fill.
        await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'auto', account: keyIdFor(account) });
        const result = await dayResult(handle);
        // The account's workflow answers queries through a worker: read its state while one runs.
        return { report: result, state: await temporalAccountStateStore(harness.client, taskQueue).read(account) };
      });

      assert.equal(report.status, 'completed');
      assert.equal(report.tradingState, 'REDUCING');
      assert.ok(report.dailyLoss, 'the report carries the breach');
      assert.equal(report.dailyLoss.startEquity, 100_000);
      assert.match(report.dailyLoss.detail, /^-\d+(\.\d+)?% of start equity \$100,000 \(equity \$[\d,.]+; max_daily_loss 2%\)$/);
      assert.ok(report.dailyLoss.plPct <= -0.02);
      const rejection = report.rejected.find((r) => r.code === 'DAILY_LOSS_LIMIT');
      assert.equal(rejection?.detail, report.dailyLoss.detail);
      assert.match(report.reason ?? '', /^DAILY_LOSS_LIMIT: -/);
      assert.equal(report.dailyLoss.accountHalted, true);

      // The broker's records: the buys were cancelled unfilled, the trim filled.
      const orders = (await simOrderLog(harness, account)) as unknown as LoggedOrder[];
      const dayOrders = orders.filter((o) => o.client_order_id.startsWith(report.workflowId));
      const buys = dayOrders.filter((o) => o.side === 'buy');
      assert.deepEqual(buys.map((o) => o.symbol).sort(), ['JNJ', 'XOM']);
      for (const buy of buys) {
        assert.equal(buy.status, 'canceled', `${buy.symbol} buy`);
        assert.equal(Number(buy.filled_qty), 0, `${buy.symbol} buy filled nothing`);
      }
      assert.deepEqual(report.dailyLoss.canceledClientOrderIds.sort(), buys.map((o) => o.client_order_id).sort());
      const trim = dayOrders.find((o) => o.symbol === 'AAPL');
      assert.equal(trim?.side, 'sell');
      assert.equal(trim?.status, 'filled');
      const positions = await broker.getPositions();
      assert.deepEqual(positions.map((p) => p.symbol), ['AAPL'], 'no position in the cancelled buys');

      assert.equal(state.state, 'HALTED', 'later days of the account are halted');
      assert.match(state.reason ?? '', /^DAILY_LOSS_LIMIT on \d{4}-\d{2}-\d{2}: -/);
    } finally {
      await simAdmin(harness, 'POST', '/admin/prices', { symbol: 'AAPL', price: null });
      await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'auto', account: keyIdFor(account) });
    }
  });
});
