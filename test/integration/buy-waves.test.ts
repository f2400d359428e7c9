import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { todayInNewYork } from '../../src/cli/dates';
import { dayResult, startDay } from '../../src/operations/start-day';
import {
  buyDollars, keyIdFor, setMarginMultiplier, simBroker, simOrderLog, startHarness, testConfig, uniqueAccount, withWorker,
  type Harness, type LoggedOrder,
} from '../support/trading-harness';



const BUYS = ['AAPL', 'JPM', 'KO', 'MSFT', 'PEP', 'UNH'];

/**
 * A rebalance that sells to fund its buys, on a cash account (buying power = cash): Alpaca frees buying power only
 * when a sell executes, so the buys the XOM sale funds go in a second wave once it filled. Judged by the broker's
 * records: every buy filled, none refused for buying power.
 */
describe('buy waves: buys funded by the day\'s sales wait for those sales to fill', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness?.close();
  });

  it('sends the funded buys after the sale fills, with zero buying-power refusals at the broker', async () => {
    const account = uniqueAccount('wave');
    const taskQueue = `q-${account}`;
    const broker = simBroker(harness, account);
    await setMarginMultiplier(harness.sim.url, keyIdFor(account), '1');
    await buyDollars(harness, account, 'XOM', 65_000);
    const before = await broker.getAccount();
    assert.ok(before.buyingPower < 40_000, `a cash account with $65k in XOM has about $35k to spend, not $${before.buyingPower}`);

    const config = testConfig(account, {
      position_sizing: { max_position_size: 0.1, max_trade_size: 100_000 },
      risk_management: { max_order_notional: 100_000 },
      timing: { max_fill_wait_minutes: 1 },
    });
    const report = await withWorker(harness, config, taskQueue, async () => dayResult(await startDay(harness.client, {
      account, tradingDate: todayInNewYork(), taskQueue, mode: 'paper', source: 'buy-waves',
      signals: [...BUYS.map((symbol) => ({ symbol, strength: 1 })), { symbol: 'XOM', strength: 0.2 }],
    })));

    assert.equal(report.status, 'completed');
    assert.deepEqual(report.rejected.filter((r) => ['BUYING_POWER', 'BROKER_REJECTED', 'DUPLICATE_INTENT'].includes(r.code)), []);
    const orders = (await simOrderLog(harness, account)) as unknown as LoggedOrder[];
    const dayOrders = orders.filter((o) => o.client_order_id.startsWith(report.workflowId));
    const secondWave = dayOrders.filter((o) => o.client_order_id.startsWith(`${report.workflowId}.w2.`));
    assert.ok(secondWave.length > 0, 'some buys waited for the sale');
    assert.ok(secondWave.every((o) => o.side === 'buy'));
    assert.equal(dayOrders.filter((o) => o.status === 'rejected').length, 0, 'the broker refused nothing');
    assert.ok(dayOrders.every((o) => o.status === 'filled'), `every order filled: ${dayOrders.map((o) => `${o.symbol} ${o.status}`).join(', ')}`);
    const positions = await broker.getPositions();
    assert.deepEqual(positions.map((p) => p.symbol).sort(), [...BUYS, 'XOM'].sort(), 'every buy built its position');
    const equity = (await broker.getAccount()).equity;
    for (const position of positions.filter((p) => p.symbol !== 'XOM')) {
      // Each buy reaches its 10% target (less the market-buy reserve), whichever wave sent it.
      const why = report.decisions.filter((d) => d.symbol === position.symbol).map((d) => `${d.outcome}: ${d.reason}`).join(' | ');
      assert.ok(position.marketValue > 0.08 * equity && position.marketValue <= 0.101 * equity, `${position.symbol} $${position.marketValue}: ${why}`);
    }
  });
});
