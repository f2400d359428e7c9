import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { trading } from '@alpacahq/alpaca-trade-api';
import { accountFromWire } from '../../src/broker/alpaca-mapping';
import { executionConfigSchema, type ExecutionConfig } from '../../src/config-schema';
import { buyingPowerFor, planDay, type PlanInput } from '../../src/domain/plan';
import { mergeSectorMaps, sectorFor } from '../../src/domain/sectors';
import type { Account, Asset, Position, Quote } from '../../src/domain/types';
import { sectorsFor, SectorMapError } from '../../src/worker';
import { position } from '../support/plan-scenarios';
import { tempDir } from '../support/temp-dir';

/**
 * Issue 11, "Trade as the real broker counts": the signal → target mapping, ROUNDS_TO_ZERO, the sector policy for
 * unmapped symbols, exits exempt from max_trade_size, the buying power a plan spends, and the market-order collar.
 * Every expected figure is worked out by hand in the comment beside it. Equity is $100,000 throughout, so 1% of
 * equity is $1,000; prices are $100 with no spread unless a test says otherwise.
 */
type ConfigOverrides = { [K in keyof ExecutionConfig]?: Partial<ExecutionConfig[K]> };

const config = (overrides: ConfigOverrides = {}): ExecutionConfig => executionConfigSchema.parse(overrides);

const account: Account = {
  id: 'a', accountNumber: 'PA1', status: 'ACTIVE', currency: 'USD', cash: 100_000, equity: 100_000, lastEquity: 100_000,
  buyingPower: 100_000, longMarketValue: 0, shortMarketValue: 0, tradingBlocked: false, shortingEnabled: true,
};

const quote = (symbol: string, last: number, bid = last, ask = last): Quote => ({ symbol, bid, ask, last, timestamp: '2024-01-02T15:00:00Z' });

const asset = (symbol: string, overrides: Partial<Asset> = {}): Asset =>
  ({ symbol, name: symbol, tradable: true, active: true, shortable: true, easyToBorrow: true, fractionable: true, ...overrides });

const SYMBOLS = ['AAPL', 'MSFT', 'XOM', 'SPY', 'QQQ', 'GLD'];

function input(overrides: Partial<Omit<PlanInput, 'config'>> & { config?: ConfigOverrides } = {}): PlanInput {
  const { config: configOverrides, ...rest } = overrides;
  return {
    runId: 'daily-main-2024-01-02', signals: [], account, positions: [], openOrders: [],
    quotes: Object.fromEntries(SYMBOLS.map((symbol) => [symbol, quote(symbol, 100)])),
    assets: Object.fromEntries(SYMBOLS.map((symbol) => [symbol, asset(symbol)])),
    // SPY, QQQ and GLD are outside the map, as ETFs are outside the bundled S&P 500 constituents.
    sectors: { AAPL: 'Tech', MSFT: 'Tech', XOM: 'Energy' },
    config: config(configOverrides), tradingState: 'ACTIVE', ordersSubmittedToday: 0,
    ...rest,
  };
}

const decisionOf = (plan: ReturnType<typeof planDay>, symbol: string) => {
  const found = plan.decisions.find((d) => d.symbol === symbol);
  assert.ok(found, `no decision for ${symbol}`);
  return found;
};

/** Signed quantity of the plan's order in `symbol` (buys positive), 0 without one. */
const orderQty = (plan: ReturnType<typeof planDay>, symbol: string): number => {
  const order = plan.orders.find((o) => o.symbol === symbol);
  return order ? (order.side === 'buy' ? order.qty! : -order.qty!) : 0;
};

const orders = (plan: ReturnType<typeof planDay>) => plan.orders.map((o) => [o.symbol, o.side, o.qty]);

describe('the signal → target mapping (README "How signals become orders")', () => {
  // signal_proportional, max_position_size 0.10, signal_threshold 0.1. Weight = strength × 0.10 at |strength| ≥ 0.1.
  // A 1% target is $1,000 = 10 shares at $100, 5% is 50 shares. A full 10% target is 100 shares, but the position
  // cap values a market buy at its worst fill, $100 × 1.04 = $104: $10,000 / $104 = 96.15, so 96 shares.
  // A held 50 shares is 5% of equity.
  const rows: Array<{ strength: number; weight: number; shortWeight: number; fresh: number; freshShorts: number; hold: number; close: number }> = [
    // Strength: new name target weight (shorts off / on), order for a new name (off / on), order for 50 held (hold / close).
    { strength: -1, weight: 0, shortWeight: -0.1, fresh: 0, freshShorts: -100, hold: -50, close: -50 },
    { strength: -0.5, weight: 0, shortWeight: -0.05, fresh: 0, freshShorts: -50, hold: -50, close: -50 },
    { strength: -0.1, weight: 0, shortWeight: -0.01, fresh: 0, freshShorts: -10, hold: -50, close: -50 },
    { strength: -0.05, weight: 0, shortWeight: 0, fresh: 0, freshShorts: 0, hold: 0, close: -50 },
    { strength: 0, weight: 0, shortWeight: 0, fresh: 0, freshShorts: 0, hold: 0, close: -50 },
    { strength: 0.05, weight: 0, shortWeight: 0, fresh: 0, freshShorts: 0, hold: 0, close: -50 },
    // 0.1 × 10% = 1% = 10 shares: a held 50 is sold down by 40.
    { strength: 0.1, weight: 0.01, shortWeight: 0.01, fresh: 10, freshShorts: 10, hold: -40, close: -40 },
    // 5% = 50 shares: a held 50 is at its target.
    { strength: 0.5, weight: 0.05, shortWeight: 0.05, fresh: 50, freshShorts: 50, hold: 0, close: 0 },
    // 10% = 100 shares, cut to 96 at the worst fill: a held 50 buys 96 − 50 = 46.
    { strength: 1, weight: 0.1, shortWeight: 0.1, fresh: 96, freshShorts: 96, hold: 46, close: 46 },
  ];

  const plan = (strength: number, held: number, overrides: ConfigOverrides) => planDay(input({
    config: overrides, signals: [{ symbol: 'AAPL', strength }], positions: held === 0 ? [] : [position('AAPL', held, 100)],
  }));

  for (const row of rows) {
    it(`strength ${row.strength}`, () => {
      const fresh = plan(row.strength, 0, {});
      assert.equal(decisionOf(fresh, 'AAPL').targetWeight, row.weight, 'target weight, shorts off');
      assert.equal(orderQty(fresh, 'AAPL'), row.fresh, 'order for a new name, shorts off');
      const shorts = plan(row.strength, 0, { position_sizing: { allow_shorts: true } });
      assert.equal(decisionOf(shorts, 'AAPL').targetWeight, row.shortWeight, 'target weight, shorts on');
      assert.equal(orderQty(shorts, 'AAPL'), row.freshShorts, 'order for a new name, shorts on');
      assert.equal(orderQty(plan(row.strength, 50, {}), 'AAPL'), row.hold, 'order for 50 held, below_threshold hold');
      assert.equal(orderQty(plan(row.strength, 50, { execution: { below_threshold: 'close' } }), 'AAPL'), row.close, 'order for 50 held, close');
      // With shorts on, a held long meeting a negative signal is closed today; the short opens on a later run.
      assert.equal(orderQty(plan(row.strength, 50, { position_sizing: { allow_shorts: true } }), 'AAPL'), row.hold, 'held, shorts on');
    });
  }

  it('is monotone: the position a plan leads to never falls as the strength rises (new names; held names under close)', () => {
    // −1 to 1 in steps of 0.05, as exact decimals.
    const strengths = Array.from({ length: 41 }, (_, k) => (k - 20) * 5 / 100);
    const cases: Array<[string, number, ConfigOverrides]> = [
      ['new name, shorts off', 0, {}],
      ['new name, shorts on', 0, { position_sizing: { allow_shorts: true } }],
      ['50 held, close', 50, { execution: { below_threshold: 'close' } }],
      ['50 held, close, shorts on', 50, { execution: { below_threshold: 'close' }, position_sizing: { allow_shorts: true } }],
    ];
    for (const [name, held, overrides] of cases) {
      const after = strengths.map((strength) => held + orderQty(plan(strength, held, overrides), 'AAPL'));
      const weights = strengths.map((strength) => decisionOf(plan(strength, held, overrides), 'AAPL').targetWeight);
      for (let i = 1; i < strengths.length; i++) {
        assert.ok(after[i]! >= after[i - 1]!, `${name}: ${strengths[i - 1]} → ${after[i - 1]} shares but ${strengths[i]} → ${after[i]}`);
        assert.ok(weights[i]! >= weights[i - 1]!, `${name}: target weight falls from ${strengths[i - 1]} to ${strengths[i]}`);
      }
    }
  });

  it('under hold, a held position is traded only once the signal passes the threshold, monotone beyond it', () => {
    const strengths = Array.from({ length: 41 }, (_, k) => (k - 20) * 5 / 100);
    const after = strengths.map((strength) => 50 + orderQty(plan(strength, 50, {}), 'AAPL'));
    strengths.forEach((strength, i) => {
      if (Math.abs(strength) < 0.1) assert.equal(after[i], 50, `${strength} keeps the 50 held`);
    });
    const viewed = strengths.map((strength, i) => [strength, after[i]!] as const).filter(([strength]) => Math.abs(strength) >= 0.1);
    for (let i = 1; i < viewed.length; i++) assert.ok(viewed[i]![1] >= viewed[i - 1]![1], `${viewed[i - 1]![0]} → ${viewed[i]![0]}`);
  });

  it('explains each case: kept (hold), closed (close), never opened, and a missing signal still holds', () => {
    const kept = planDay(input({ signals: [{ symbol: 'AAPL', strength: 0.05 }], positions: [position('AAPL', 50, 100)] }));
    assert.deepEqual(kept.orders, []);
    assert.equal(decisionOf(kept, 'AAPL').reason, 'BELOW_THRESHOLD: |0.05| is below signal_threshold 0.1; the held position is kept (below_threshold hold)');
    assert.equal(decisionOf(kept, 'AAPL').targetQty, 50);

    const closed = planDay(input({
      config: { execution: { below_threshold: 'close' } },
      signals: [{ symbol: 'AAPL', strength: 0.05 }, { symbol: 'XOM', strength: 0.05 }],
      positions: [position('AAPL', 50, 100), position('MSFT', 30, 100)],
    }));
    assert.deepEqual(orders(closed), [['AAPL', 'sell', 50]], 'MSFT has no signal: held; XOM is not held: nothing opens');
    const aapl = decisionOf(closed, 'AAPL');
    assert.deepEqual([aapl.targetWeight, aapl.targetQty, aapl.outcome], [0, 0, 'order']);
    assert.deepEqual(aapl.checks[0], {
      check: 'sizing', outcome: 'approve', code: 'BELOW_THRESHOLD_CLOSE',
      detail: '|0.05| is below signal_threshold 0.1; below_threshold is close: the held 50 (+ pending 0) goes to a target of 0',
    });
    assert.match(decisionOf(closed, 'MSFT').reason, /^NO_SIGNAL/);
    assert.deepEqual([decisionOf(closed, 'XOM').outcome, decisionOf(closed, 'XOM').reason], ['skipped', 'BELOW_THRESHOLD: |0.05| is below signal_threshold 0.1']);

    // close covers a held short too: −40 held, strength 0 → buy 40.
    const covered = planDay(input({
      config: { execution: { below_threshold: 'close' }, position_sizing: { allow_shorts: true } },
      signals: [{ symbol: 'AAPL', strength: 0 }], positions: [position('AAPL', -40, 100)],
    }));
    assert.deepEqual(orders(covered), [['AAPL', 'buy', 40]]);
  });
});

describe('ROUNDS_TO_ZERO in a plan', () => {
  it('says why a signal bought nothing when one share costs more than its target', () => {
    // 0.1 × 10% = 1% of $100,000 = $1,000; one share is $1,500: 0.67 of a share, floored to 0 whole shares.
    const plan = planDay(input({ signals: [{ symbol: 'AAPL', strength: 0.1 }], quotes: { AAPL: quote('AAPL', 1_500) } }));
    assert.deepEqual(plan.orders, []);
    const aapl = decisionOf(plan, 'AAPL');
    assert.deepEqual([aapl.outcome, aapl.targetWeight, aapl.targetQty], ['skipped', 0.01, 0]);
    assert.equal(aapl.reason, 'ROUNDS_TO_ZERO: target weight 0.01 × equity $100000 = $1000 against $0 held and pending (0 × $1500): '
      + 'the change $1000 is less than one whole share at $1500 (fractional off for this symbol)');
    // With fractions on, $1,000 / $1,500 = 0.666666666 shares (nine decimals, floored) is bought.
    const fractional = planDay(input({
      config: { position_sizing: { fractional: true } }, signals: [{ symbol: 'AAPL', strength: 0.1 }], quotes: { AAPL: quote('AAPL', 1_500) },
    }));
    assert.deepEqual(orders(fractional), [['AAPL', 'buy', 0.666666666]]);
  });
});

describe('exits and max_trade_size in a plan', () => {
  it('sells a whole $20,000 long in one order; max_trade_size_applies_to_exits brings back the $10,000 clip', () => {
    // 200 held × $100 = $20,000, above max_trade_size $10,000 and within max_order_notional $25,000. Strength −1 with
    // shorts off: target 0.
    const signals = [{ symbol: 'AAPL', strength: -1 }];
    const positions: Position[] = [position('AAPL', 200, 100)];
    assert.deepEqual(orders(planDay(input({ signals, positions }))), [['AAPL', 'sell', 200]]);
    const clipped = planDay(input({ signals, positions, config: { position_sizing: { max_trade_size_applies_to_exits: true } } }));
    assert.deepEqual(orders(clipped), [['AAPL', 'sell', 100]], '$10,000 / $100');
    // A buy adding exposure is still clipped: 0 → 10% with max_trade_size $5,000 is 5,000 / 100 = 50 shares.
    assert.deepEqual(orders(planDay(input({ signals: [{ symbol: 'AAPL', strength: 1 }], config: { position_sizing: { max_trade_size: 5_000 } } }))),
      [['AAPL', 'buy', 50]]);
  });
});

describe('sectors of symbols outside the map', () => {
  const etfs = [{ symbol: 'SPY', strength: 1 }, { symbol: 'QQQ', strength: 1 }, { symbol: 'GLD', strength: 1 }];

  it('own_sector (default): each unmapped symbol is capped alone at max_sector_exposure', () => {
    // max_sector_exposure 0.15 is above the position cap: each gets its 96 shares ($9,600).
    const wide = planDay(input({ signals: etfs, config: { risk_management: { max_sector_exposure: 0.15 } } }));
    assert.deepEqual(orders(wide), [['GLD', 'buy', 96], ['QQQ', 'buy', 96], ['SPY', 'buy', 96]]);
    assert.deepEqual(decisionOf(wide, 'SPY').checks.find((c) => c.check === 'sector_exposure'), {
      check: 'sector_exposure', outcome: 'approve', code: 'SECTOR_UNKNOWN',
      detail: 'UNKNOWN:SPY (SPY has no sector: unknown_sector own_sector): gross exposure $9600 within max_sector_exposure × equity $15000',
    });
    // max_sector_exposure 0.05: each alone is cut to $5,000 = 50 shares.
    const tight = planDay(input({ signals: etfs, config: { risk_management: { max_sector_exposure: 0.05, max_sector_net_exposure: 0.05 } } }));
    assert.deepEqual(orders(tight), [['GLD', 'buy', 50], ['QQQ', 'buy', 50], ['SPY', 'buy', 50]]);
  });

  it('group: the unmapped symbols share one UNKNOWN sector and its cap', () => {
    // Cap 0.15 × $100,000 = $15,000. GLD (first by symbol at equal conviction) 96 → $9,600; QQQ the remaining
    // $5,400 = 54 shares; SPY nothing: $15,000 + 96 × $100 = $24,600 would exceed the cap.
    const plan = planDay(input({ signals: etfs, config: { risk_management: { max_sector_exposure: 0.15, unknown_sector: 'group' } } }));
    assert.deepEqual(orders(plan), [['GLD', 'buy', 96], ['QQQ', 'buy', 54]]);
    assert.deepEqual(plan.rejected, [{
      symbol: 'SPY', code: 'SECTOR_EXPOSURE_EXCEEDED',
      detail: 'UNKNOWN (SPY has no sector: unknown_sector group) gross exposure $24600 would exceed max_sector_exposure × equity $15000; '
        + 'capacity went first to stronger signals: GLD (0.1), QQQ (0.1)',
    }]);
  });

  it('sector_map in the config names sectors, over the map the plan is given', () => {
    // SPY and QQQ in ETF: QQQ 96 ($9,600), SPY the remaining $5,400 = 54; GLD alone in UNKNOWN: 96.
    const plan = planDay(input({
      signals: etfs, config: { risk_management: { max_sector_exposure: 0.15, unknown_sector: 'group', sector_map: { SPY: 'ETF', QQQ: 'ETF' } } },
    }));
    assert.deepEqual(orders(plan), [['GLD', 'buy', 96], ['QQQ', 'buy', 96], ['SPY', 'buy', 54]]);
    // SPY's 96 shares (after the position cap) on top of QQQ's $9,600: $9,600 + 96 × $100 = $19,200 > $15,000.
    assert.equal(decisionOf(plan, 'SPY').checks.find((c) => c.check === 'sector_exposure')!.detail,
      'ETF gross exposure $19200 would exceed max_sector_exposure × equity $15000; resized to 54');
    // XOM moved into Tech by the config: AAPL takes $9,600 of Tech's $15,000, XOM the other $5,400 = 54 shares.
    const moved = planDay(input({
      signals: [{ symbol: 'AAPL', strength: 1 }, { symbol: 'XOM', strength: 1 }],
      config: { risk_management: { max_sector_exposure: 0.15, sector_map: { XOM: 'Tech' } } },
    }));
    assert.deepEqual(orders(moved), [['AAPL', 'buy', 96], ['XOM', 'buy', 54]]);
  });

  it('reject: no new exposure without a sector (UNKNOWN_SECTOR); a held one may still be sold', () => {
    const plan = planDay(input({
      signals: [...etfs, { symbol: 'XOM', strength: -1 }], positions: [position('GLD', 50, 100)],
      config: { risk_management: { unknown_sector: 'reject', sector_map: { SPY: 'ETF' } } },
    }));
    // Only SPY, mapped to ETF, buys (96 at the worst fill). GLD, held but unmapped, may not grow from 50 toward 96;
    // QQQ may not open; XOM at −1 is neither held nor allowed short, so it plans nothing.
    assert.deepEqual(orders(plan), [['SPY', 'buy', 96]]);
    assert.deepEqual(plan.rejected.map((r) => [r.symbol, r.code]), [['GLD', 'UNKNOWN_SECTOR'], ['QQQ', 'UNKNOWN_SECTOR']]);
    assert.equal(plan.rejected[1]!.detail, 'no sector for QQQ (bundled S&P 500 map, sector_map_file, sector_map); unknown_sector is reject: no new exposure');
    const exit = planDay(input({
      signals: [{ symbol: 'GLD', strength: -1 }], positions: [position('GLD', 50, 100)], config: { risk_management: { unknown_sector: 'reject' } },
    }));
    assert.deepEqual(orders(exit), [['GLD', 'sell', 50]]);
  });

  it('merges maps bundled → file → inline, upper-casing symbols, and resolves unmapped symbols by policy', () => {
    assert.deepEqual(mergeSectorMaps({ AAPL: 'IT', MSFT: 'IT' }, { aapl: 'Hardware', spy: 'Index' }, { SPY: 'ETF' }),
      { AAPL: 'Hardware', MSFT: 'IT', SPY: 'ETF' });
    assert.equal(sectorFor('SPY', {}, 'own_sector'), 'UNKNOWN:SPY');
    assert.equal(sectorFor('SPY', {}, 'group'), 'UNKNOWN');
    assert.equal(sectorFor('SPY', {}, 'reject'), undefined);
    assert.equal(sectorFor('AAPL', { AAPL: 'IT' }, 'reject'), 'IT');
  });

  it('the worker reads sector_map_file at start and lays sector_map over it, over the bundled S&P 500 map', () => {
    const dir = tempDir('tradeflow-sectors-');
    const file = path.join(dir, 'sectors.csv');
    writeFileSync(file, 'Symbol,Security,GICS Sector\nSPY,SPDR S&P 500,Index Fund\naapl,Apple,Hardware\nGLD,SPDR Gold,Commodity\n');
    const sectors = sectorsFor(config({ risk_management: { sector_map_file: file, sector_map: { SPY: 'ETF' } } }));
    assert.equal(sectors.SPY, 'ETF', 'inline over file');
    assert.equal(sectors.AAPL, 'Hardware', 'file over bundled');
    assert.equal(sectors.GLD, 'Commodity', 'file only');
    assert.equal(sectors.MSFT, 'Information Technology', 'bundled');
    assert.deepEqual(sectorsFor(config({ risk_management: { sector_map: { SPY: 'ETF' } } }), { MSFT: 'IT' }), { MSFT: 'IT', SPY: 'ETF' });
    assert.throws(() => sectorsFor(config({ risk_management: { sector_map_file: path.join(dir, 'missing.csv') } }), {}),
      (error: unknown) => error instanceof SectorMapError && /^risk_management\.sector_map_file .*missing\.csv: ENOENT/.test(error.message));
    writeFileSync(file, 'Ticker,Sector\nSPY,ETF\n');
    assert.throws(() => sectorsFor(config({ risk_management: { sector_map_file: file } }), {}),
      /risk_management\.sector_map_file .*: sector CSV header must contain "Symbol" and "GICS Sector"/);
  });
});

describe('buying power: the overnight (Reg T) figure by default', () => {
  // AAPL at 0.5: 5% = 50 shares, a market buy reserved at $100 × 1.04 = $104: $5,200.
  const margin: Account = { ...account, buyingPower: 400_000, regtBuyingPower: 2_000, nonMarginableBuyingPower: 1_040 };
  const buy = (acct: Account, basis?: ExecutionConfig['risk_management']['buying_power_basis']) =>
    planDay(input({ account: acct, signals: [{ symbol: 'AAPL', strength: 0.5 }], config: basis ? { risk_management: { buying_power_basis: basis } } : {} }));
  const verdict = (plan: ReturnType<typeof planDay>) => decisionOf(plan, 'AAPL').checks.find((c) => c.check === 'buying_power');

  it('sizes buys against regt_buying_power, non_marginable_buying_power or buying_power as configured', () => {
    // regt $2,000 / $104 = 19.2 → 19 shares.
    const regt = buy(margin);
    assert.deepEqual(orders(regt), [['AAPL', 'buy', 19]]);
    assert.deepEqual(verdict(regt), {
      check: 'buying_power', outcome: 'resize', code: 'BUYING_POWER',
      detail: 'cost $5200 exceeds available buying power $2000 (of regt_buying_power $2000); resized to 19',
    });
    // non-marginable $1,040 / $104 = 10 shares.
    assert.deepEqual(orders(buy(margin, 'non_marginable')), [['AAPL', 'buy', 10]]);
    // intraday $400,000: all 50.
    const intraday = buy(margin, 'intraday');
    assert.deepEqual(orders(intraday), [['AAPL', 'buy', 50]]);
    assert.deepEqual(verdict(intraday), { check: 'buying_power', outcome: 'approve', code: 'OK', detail: 'cost $5200 within the $400000 left of buying_power $400000' });
  });

  it('falls back to buying_power when the broker does not report the figure, and says so', () => {
    const plan = buy({ ...account, buyingPower: 400_000 });
    assert.deepEqual(orders(plan), [['AAPL', 'buy', 50]]);
    assert.equal(verdict(plan)?.detail, 'cost $5200 within the $400000 left of buying_power $400000 '
      + '(the broker did not report regt_buying_power, which buying_power_basis regt asks for)');
    assert.deepEqual(buyingPowerFor({ ...account, buyingPower: 7_000 }, config({ risk_management: { buying_power_basis: 'non_marginable' } })), {
      amount: 7_000, source: 'buying_power $7000 (the broker did not report non_marginable_buying_power, which buying_power_basis non_marginable asks for)',
    });
    // Never above buying_power, which the broker checks orders against.
    assert.deepEqual(buyingPowerFor({ ...account, buyingPower: 150_000, regtBuyingPower: 200_000 }, config()),
      { amount: 150_000, source: 'buying_power $150000 (below regt_buying_power $200000)' });
    assert.deepEqual(buyingPowerFor(margin, config()), { amount: 2_000, source: 'regt_buying_power $2000' });
  });

  it('spends one budget across the buys, and a sale never funds the buys sent with it', () => {
    // regt $6,000: AAPL 50 × $104 = $5,200 leaves $800; XOM $800 / $104 = 7.7 → 7 shares ($700 ≥ min_trade_size $100).
    const two = planDay(input({
      account: { ...margin, regtBuyingPower: 6_000 }, signals: [{ symbol: 'AAPL', strength: 0.5 }, { symbol: 'XOM', strength: 0.5 }],
    }));
    assert.deepEqual(orders(two), [['AAPL', 'buy', 50], ['XOM', 'buy', 7]]);
    // regt $1,000 while selling MSFT 20 × $100: AAPL 0.8 wants 80 shares, gets $1,000 / $104 = 9.6 → 9, not 28.
    const sale = planDay(input({
      account: { ...margin, regtBuyingPower: 1_000 }, positions: [position('MSFT', 20, 100)],
      signals: [{ symbol: 'AAPL', strength: 0.8 }, { symbol: 'MSFT', strength: -0.5 }],
    }));
    assert.deepEqual(orders(sale), [['MSFT', 'sell', 20], ['AAPL', 'buy', 9]]);
  });

  it('maps Alpaca’s regt_buying_power and non_marginable_buying_power, leaving them out when absent', () => {
    const wire = { id: 'x', equity: '100000', buyingPower: '400000', regtBuyingPower: '200000', nonMarginableBuyingPower: '100000.5' };
    const mapped = accountFromWire(wire as unknown as trading.Account);
    assert.deepEqual([mapped.buyingPower, mapped.regtBuyingPower, mapped.nonMarginableBuyingPower], [400_000, 200_000, 100_000.5]);
    const bare = accountFromWire({ id: 'x', buyingPower: '400000', regtBuyingPower: '' } as unknown as trading.Account);
    assert.equal('regtBuyingPower' in bare, false);
    assert.equal('nonMarginableBuyingPower' in bare, false);
  });
});

describe('market orders: the collar and the worst fill', () => {
  it('rejects a market buy whose ask is beyond price_collar_pct of the last trade (PRICE_OUTSIDE_COLLAR)', () => {
    // Last $100, ask $112: |112 − 100| / 100 = 12% > 10%. (Spread (112 − 111.9) / 111.95 = 8.9 bps: the book is sane.)
    const plan = planDay(input({ signals: [{ symbol: 'AAPL', strength: 0.5 }], quotes: { AAPL: quote('AAPL', 100, 111.9, 112) } }));
    assert.deepEqual(plan.orders, []);
    assert.deepEqual(plan.rejected, [{
      symbol: 'AAPL', code: 'PRICE_OUTSIDE_COLLAR', detail: 'market buy: the ask $112 is 12% from the reference price $100; price_collar_pct is 10%',
    }]);
    // A market sell of a held long against a bid of $88: 12% from $100.
    const sell = planDay(input({
      signals: [{ symbol: 'AAPL', strength: -1 }], positions: [position('AAPL', 50, 100)], quotes: { AAPL: quote('AAPL', 100, 88, 88.1) },
    }));
    assert.deepEqual(sell.rejected.map((r) => [r.code, r.detail]),
      [['PRICE_OUTSIDE_COLLAR', 'market sell: the bid $88 is 12% from the reference price $100; price_collar_pct is 10%']]);
    // A 15% collar lets the buy through: 50 shares, cost 50 × $112 × 1.04 = $5,824.
    assert.deepEqual(orders(planDay(input({
      signals: [{ symbol: 'AAPL', strength: 0.5 }], quotes: { AAPL: quote('AAPL', 100, 111.9, 112) }, config: { risk_management: { price_collar_pct: 0.15 } },
    }))), [['AAPL', 'buy', 50]]);
  });

  it('sizes a full-strength market buy so a fill at its worst price stays within max_position_size', () => {
    // Ask $100.05: worst fill $100.05 × 1.04 = $104.052. 10,000 / 104.052 = 96.1 → 96 shares; at that fill they are
    // worth 96 × $104.052 = $9,988.99 ≤ $10,000, while 97 would be $10,093.04.
    const plan = planDay(input({ signals: [{ symbol: 'AAPL', strength: 1 }], quotes: { AAPL: quote('AAPL', 100, 99.95, 100.05) } }));
    assert.deepEqual(orders(plan), [['AAPL', 'buy', 96]]);
    const check = decisionOf(plan, 'AAPL').checks.find((c) => c.check === 'position_size');
    assert.equal(check?.detail, "position value $10405.2 at a market buy's worst fill $104.052 (max(last $100, ask $100.05) × 1.04) "
      + 'would exceed max_position_size × equity $10000; resized to 96');
  });
});
