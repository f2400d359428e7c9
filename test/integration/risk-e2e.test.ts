import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dayResult, startDay } from '../../src/operations/start-day';
import { todayInNewYork } from '../../src/cli/dates';
import { loadSectors } from '../../src/worker';
import { correlatedGroups, marketStats } from '../../src/domain/stats';
import type { Signal } from '../../src/domain/types';
import { calendarDaysFor } from '../../src/activities/planning';
import {
  simBroker, simOrderLog, startHarness, testConfig, uniqueAccount, withWorker, type Harness,
} from '../support/trading-harness';

/**
 * Aggressive signals: every symbol at full strength. Buys are checked in symbol order, so the day goes: AAPL 5%,
 * ADBE cut to the IT sector's 8%, AMD refused by the sector, BAC cut to the correlated group's 12%, then the order
 * limit refuses the rest.
 */
const SIGNALS: Signal[] = [
  'AAPL', 'ADBE', 'AMD', 'BAC', 'CVX', 'JNJ', 'JPM', 'KO', 'PEP', 'UNH', 'WMT', 'XOM',
].map((symbol) => ({ symbol, strength: 1 }));

/** Tight limits: each binds in this day. */
const LIMITS = {
  position_sizing: { max_position_size: 0.05, max_trade_size: 50_000 },
  risk_management: {
    max_orders_per_day: 3,
    max_sector_exposure: 0.08,
    max_sector_net_exposure: 0.08,
    // The simulator's price paths are independent; at ρ > 0, half the pairs link and union-find joins them all.
    correlation_threshold: 0,
    max_correlated_exposure: 0.12,
  },
};

/** Fills land at a slightly different price than planned: allow 1% drift on top of each limit. */
const DRIFT = 1.01;

describe('risk limits end to end: an aggressive day on the simulator', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness?.close();
  });

  it('leaves the broker’s book within every limit after the day', async () => {
    const account = uniqueAccount('risk');
    const config = testConfig(account, LIMITS);
    const taskQueue = `q-${account}`;
    const report = await withWorker(harness, config, taskQueue, async () => dayResult(await startDay(harness.client, {
      account, tradingDate: todayInNewYork(), signals: SIGNALS, mode: 'paper', taskQueue, source: 'risk-e2e',
    })));
    assert.equal(report.status, 'completed');

    const broker = simBroker(harness, account);
    const [acct, positions, clock] = await Promise.all([broker.getAccount(), broker.getPositions(), broker.getClock()]);
    const equity = acct.equity;
    assert.ok(positions.length > 0, 'the day bought something');

    // Orders per day, at the broker: every order it ever took for this account.
    const log = await simOrderLog(harness, account);
    assert.ok(log.length <= LIMITS.risk_management.max_orders_per_day, `${log.length} orders at the broker`);
    assert.ok(report.rejected.some((r) => r.code === 'MAX_ORDERS_PER_DAY'), 'the order limit bound');

    // Position size.
    for (const position of positions) {
      assert.ok(Math.abs(position.marketValue) <= LIMITS.position_sizing.max_position_size * equity * DRIFT,
        `${position.symbol} $${position.marketValue} above ${LIMITS.position_sizing.max_position_size} × $${equity}`);
    }

    // Sector exposure, gross and net, on GICS sectors.
    const sectors = loadSectors();
    const gross: Record<string, number> = {};
    const net: Record<string, number> = {};
    for (const position of positions) {
      const sector = sectors[position.symbol] ?? 'unknown';
      gross[sector] = (gross[sector] ?? 0) + Math.abs(position.marketValue);
      net[sector] = (net[sector] ?? 0) + position.marketValue;
    }
    for (const [sector, value] of Object.entries(gross)) {
      assert.ok(value <= LIMITS.risk_management.max_sector_exposure * equity * DRIFT, `${sector} gross $${value}`);
      assert.ok(Math.abs(net[sector]!) <= LIMITS.risk_management.max_sector_net_exposure * equity * DRIFT, `${sector} net $${net[sector]}`);
    }
    assert.ok(report.decisions.some((d) => d.checks.some((c) => c.code === 'SECTOR_EXPOSURE_EXCEEDED')), 'the sector limit bound');
    assert.ok(report.decisions.some((d) => d.checks.some((c) => c.code === 'CORRELATED_EXPOSURE_EXCEEDED')), 'the correlation limit bound');

    // Correlated exposure: the same bars and grouping the planner used, recomputed from the broker.
    const end = clock.timestamp;
    const start = new Date(Date.parse(end) - calendarDaysFor(config.risk_management.volatility_window_days) * 86_400_000).toISOString();
    const symbols = SIGNALS.map((s) => s.symbol);
    const stats = marketStats(await broker.getDailyBars(symbols, start, end), symbols,
      { volatility: config.risk_management.volatility_window_days, correlation: config.risk_management.correlation_window_days });
    assert.deepEqual(stats.missing, [], 'the simulator serves a year of bars for every symbol');
    const groups = new Set(Object.values(correlatedGroups(stats.correlation, config.risk_management.correlation_threshold)));
    for (const members of groups) {
      const groupGross = positions.filter((p) => members.includes(p.symbol)).reduce((sum, p) => sum + Math.abs(p.marketValue), 0);
      assert.ok(groupGross <= LIMITS.risk_management.max_correlated_exposure * equity * DRIFT, `group ${members.join('+')} gross $${groupGross}`);
    }

    // Every order's decision shows every check, with the bars-based ones informed by data.
    const ordered = report.decisions.filter((d) => d.outcome === 'order');
    assert.ok(ordered.length > 0);
    for (const decision of ordered) {
      const names = decision.checks.map((c) => c.check);
      for (const check of ['duplicate_intent', 'price_collar', 'position_size', 'position_risk', 'sector_exposure', 'sector_net_exposure', 'correlated_exposure', 'buying_power']) {
        assert.ok(names.includes(check), `${decision.symbol} decision lacks ${check}`);
      }
      const unknown = decision.checks.filter((c) => c.code === 'VOLATILITY_UNKNOWN' || c.code === 'CORRELATION_UNKNOWN');
      assert.deepEqual(unknown, [], `${decision.symbol}: the planner had bars`);
    }
    console.log(`risk e2e: ${log.length} orders, ${positions.length} positions, ${groups.size} correlated groups, equity $${equity}; `
      + `rejections ${JSON.stringify(report.rejected.map((r) => `${r.symbol}:${r.code}`))}`);
  });
  it('keeps an 80-signal full-strength day within the book\'s gross and net limits on the broker\'s books', async () => {
    // Before max_gross_exposure, a 500-signal day ended at 1.96x equity with negative cash: the only cap was the
    // broker's intraday buying power. Now the plan caps gross at 1x equity and sizes on the overnight figure.
    const account = uniqueAccount('book');
    const config = testConfig(account, { risk_management: { max_orders_per_day: 200 }, timing: { max_fill_wait_minutes: 1 } });
    const taskQueue = `q-${account}`;
    const symbols = Object.keys(loadSectors()).sort().slice(0, 80);
    const report = await withWorker(harness, config, taskQueue, async () => dayResult(await startDay(harness.client, {
      account, tradingDate: todayInNewYork(), signals: symbols.map((symbol) => ({ symbol, strength: 1 })), mode: 'paper', taskQueue, source: 'risk-e2e',
    })));
    assert.equal(report.status, 'completed');
    const broker = simBroker(harness, account);
    const [acct, positions] = await Promise.all([broker.getAccount(), broker.getPositions()]);
    const gross = positions.reduce((sum, p) => sum + Math.abs(p.marketValue), 0);
    const net = positions.reduce((sum, p) => sum + p.marketValue, 0);
    assert.ok(positions.length >= 9, `the day bought ${positions.length} names`);
    assert.ok(gross <= config.risk_management.max_gross_exposure * acct.equity * DRIFT, `gross $${gross} over ${config.risk_management.max_gross_exposure} × $${acct.equity}`);
    assert.ok(Math.abs(net) <= config.risk_management.max_net_exposure * acct.equity * DRIFT, `net $${net}`);
    assert.ok(acct.cash >= -0.01 * acct.equity, `cash $${acct.cash}: the book is not levered overnight`);
    assert.deepEqual(report.rejected.filter((r) => r.code === 'BROKER_REJECTED'), [], 'the broker refused nothing');
    assert.ok(report.rejected.some((r) => r.code === 'GROSS_EXPOSURE_EXCEEDED' || r.code === 'NET_EXPOSURE_EXCEEDED'), 'the book limit bound');
    console.log(`book e2e: ${positions.length} positions, gross $${Math.round(gross)} = ${(gross / acct.equity).toFixed(3)}x equity, cash $${Math.round(acct.cash)}`);
  });
});
