import { fromOrderTable } from '../../src/domain/order-table';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { MockActivityEnvironment } from '@temporalio/testing';
import { startSimulator, type RunningSimulator } from 'alpaca-sim';
import { createPlanningActivities } from '../../src/activities/planning';
import { createAlpacaBroker } from '../../src/broker/alpaca';
import { parseExecutionConfig } from '../../src/config';
import type { BrokerPort } from '../../src/broker/port';
import type { CompactDayPlan } from '../../src/contracts/plan';
import { accountDeps } from '../../src/worker';
import { memoryAccountStore } from '../support/memory-account-store';
import { setMarginMultiplier } from '../support/trading-harness';

const POOL = ['AAPL', 'MSFT', 'JPM', 'XOM', 'JNJ', 'KO', 'PEP', 'UNH', 'WMT', 'CVX', 'BAC', 'AMD', 'HD', 'PG'];

interface Case {
  multiplier: '1' | '2' | '4';
  book: Array<{ symbol: string; dollars: number }>;
  signals: Array<{ symbol: string; strength: number }>;
  maxPositionSize: number;
  allowShorts: boolean;
  orderType: 'market' | 'limit';
}

const cases: fc.Arbitrary<Case> = fc.record({
  multiplier: fc.constantFrom('1' as const, '2' as const, '4' as const),
  book: fc.uniqueArray(fc.record({ symbol: fc.constantFrom(...POOL), dollars: fc.integer({ min: 2_000, max: 12_000 }) }), { selector: (p) => p.symbol, maxLength: 5 }),
  signals: fc.uniqueArray(fc.record({ symbol: fc.constantFrom(...POOL), strength: fc.integer({ min: -100, max: 100 }).map((n) => n / 100) }), { selector: (s) => s.symbol, minLength: 1, maxLength: POOL.length }),
  maxPositionSize: fc.constantFrom(0.05, 0.1, 0.2, 0.3),
  allowShorts: fc.boolean(),
  orderType: fc.constantFrom('market' as const, 'limit' as const),
});

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * The plan is feasible at the broker by construction: books and signals drawn at random, the plan made by the
 * planning activity from the simulator's own account, every order sent back to back, as the day sends a wave.
 * The simulator (which values buys and short sales as Alpaca does) must refuse none for buying power.
 */
describe('plans are feasible at the broker (property, on the simulator)', () => {
  let sim: RunningSimulator;
  let trailDir: string;
  let counter = 0;
  before(async () => {
    sim = await startSimulator({ port: 0, seed: 5 });
    trailDir = mkdtempSync(path.join(tmpdir(), 'tradeflow-trails-'));
  });
  after(async () => {
    await sim?.close();
    rmSync(trailDir, { recursive: true, force: true });
  });

  it('draws books and signals: refusals for buying power = 0', async () => {
    let orders = 0;
    let refusedOtherwise = 0;
    await fc.assert(fc.asyncProperty(cases, async (draw) => {
      counter += 1;
      const account = `feasible${Date.now().toString(36)}${counter}`;
      const keyId = `KEY-${account.toUpperCase()}`;
      const broker: BrokerPort = createAlpacaBroker({ keyId, secretKey: 'test-secret', tradingUrl: sim.url, dataUrl: sim.url });
      await setMarginMultiplier(sim.url, keyId, draw.multiplier);
      const quotes = await broker.getLatestQuotes(draw.book.map((p) => p.symbol));
      for (const [index, position] of draw.book.entries()) {
        const qty = Math.max(1, Math.floor(position.dollars / quotes[position.symbol]!.ask));
        await broker.submitOrder({ clientOrderId: `${account}-book-${index}`, symbol: position.symbol, side: 'buy', type: 'market', timeInForce: 'day', qty });
      }
      await until(async () => (await broker.listOrders({ status: 'open', limit: 500 })).length === 0, 'the book to fill');

      const config = parseExecutionConfig({
        execution: { account, order_type: draw.orderType },
        position_sizing: { max_position_size: draw.maxPositionSize, allow_shorts: draw.allowShorts, max_trade_size: 100_000 },
        risk_management: { max_gross_exposure: 4, max_net_exposure: 4, max_order_notional: 100_000, max_sector_exposure: 1, max_sector_net_exposure: 1, max_correlated_exposure: 1 },
        reports: { trail_dir: trailDir },
      });
      const planning = createPlanningActivities(accountDeps(config, { [account]: broker }, memoryAccountStore()));
      const plan: CompactDayPlan = await new MockActivityEnvironment().run(planning.planTheDay, account, {
        runId: `plan-${account}`, signals: draw.signals, tradingState: 'ACTIVE' as const, ordersSubmittedToday: 0,
      });
      for (const intent of plan.orderTable ? fromOrderTable(plan.orderTable) : plan.orders) {
        orders += 1;
        try {
          await broker.submitOrder(intent);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          assert.doesNotMatch(message, /buying power/i, `${intent.side} ${intent.qty} ${intent.symbol} refused: ${message}`);
          refusedOtherwise += 1;
        }
      }
    }), { numRuns: Number(process.env.FEASIBILITY_RUNS ?? 25), seed: Number(process.env.FEASIBILITY_SEED ?? 20261201), endOnFailure: true, verbose: true });
    console.log(`plan feasibility: ${orders} orders sent over the draws, 0 refused for buying power, ${refusedOtherwise} refused for other reasons`);
  });
});
