import fc from 'fast-check';
import { executionConfigSchema, type ExecutionConfig } from '../../src/config-schema';
import type { PlanInput } from '../../src/domain/plan';
import type { Account, BrokerOrder, Position, TradingState } from '../../src/domain/types';

/**
 * fast-check generators shared by the planDay property tests (test/unit/plan.test.ts and
 * test/unit/risk-property.test.ts): random books, quotes, signals and limits, and the PlanInput built from them.
 * Each test passes its own {@link ScenarioShape} and spreads the record models below into its own `fc.record`,
 * adding the fields only it draws (risk-property: quote skew, correlation factors, shorting flag, more limits).
 */

/** Where the tests draw the shared fields differently. */
export interface ScenarioShape {
  universe: readonly string[];
  /** Weight of a flat 0 for `held`, against one whole and one fractional non-zero draw. */
  zeroHeldWeight: number;
  /** Weight of a flat 0 for `pending`, against one non-zero draw. */
  zeroPendingWeight: number;
  /** `freq` of fc.option for `signal`: one in `signalFreq` symbols has no signal. */
  signalFreq: number;
  /** `freq` of fc.option for `volatility` (fast-check's default is 6). */
  volatilityFreq: number;
  /** Sector draws; repeat one to weight it, `undefined` for no sector. */
  sectors: readonly (string | undefined)[];
  maxOrders: number;
}

/** What a record model draws: `{ a: Arbitrary<A> }` → `{ a: A }`. */
type Drawn<M> = { [K in keyof M]: M[K] extends fc.Arbitrary<infer T> ? T : never };

// Integer-based draws: fc.double piles up at its bounds and near zero, which would leave most signals below threshold.
export const ratio = (min: number, max: number) => fc.integer({ min: Math.round(min * 10_000), max: Math.round(max * 10_000) }).map((x) => x / 10_000);
export const price = fc.oneof(fc.integer({ min: 100, max: 200_000 }).map((cents) => cents / 100), fc.integer({ min: 1000, max: 9999 }).map((x) => x / 10_000));

/** One symbol's holding, open order, quote, signal, sector, volatility and asset flags. */
export function symbolStateModel(shape: ScenarioShape) {
  return {
    held: fc.oneof(
      { arbitrary: fc.constant(0), weight: shape.zeroHeldWeight },
      fc.integer({ min: -300, max: 1_000 }),
      fc.double({ min: -50, max: 500, noNaN: true }).map((q) => Math.round(q * 1000) / 1000),
    ),
    pending: fc.oneof({ arbitrary: fc.constant(0), weight: shape.zeroPendingWeight }, fc.integer({ min: -100, max: 100 })),
    price,
    spreadBps: fc.integer({ min: 0, max: 200 }),
    hasQuote: fc.constantFrom(true, true, true, true, true, true, true, false),
    signal: fc.option(ratio(-1, 1), { nil: undefined, freq: shape.signalFreq }),
    sector: fc.constantFrom(...shape.sectors),
    volatility: fc.option(ratio(0.05, 1.5), { nil: undefined, freq: shape.volatilityFreq }),
    tradable: fc.constantFrom(true, true, true, true, true, true, true, false),
    shortable: fc.boolean(),
    fractionable: fc.boolean(),
  };
}

/** The sizing and risk limits every scenario draws. */
export function configModel(shape: ScenarioShape) {
  return {
    method: fc.constantFrom('signal_proportional' as const, 'equal_weight' as const, 'inverse_volatility' as const, 'volatility_target' as const),
    maxPosition: ratio(0.01, 0.5),
    minTrade: ratio(1, 500),
    maxTrade: ratio(500, 100_000),
    maxOrderNotional: ratio(100, 100_000),
    maxOrders: fc.integer({ min: 1, max: shape.maxOrders }),
    maxSector: ratio(0.05, 1),
    maxRisk: ratio(0.005, 0.2),
    threshold: ratio(0, 0.3),
    band: ratio(0, 0.02),
    allowShorts: fc.boolean(),
    fractional: fc.boolean(),
    orderType: fc.constantFrom('market' as const, 'limit' as const),
    offsetBps: fc.integer({ min: 0, max: 100 }),
  };
}

/** The account, trading state and restrictions around the per-symbol `states` (one per universe symbol) and `config`. */
export function scenarioModel<S, C>(shape: ScenarioShape, symbolState: fc.Arbitrary<S>, config: fc.Arbitrary<C>) {
  return {
    states: fc.tuple(...shape.universe.map(() => symbolState)),
    equity: fc.integer({ min: 5_000, max: 2_000_000 }),
    dailyReturn: ratio(-0.025, 0.05),
    buyingPowerRatio: ratio(0, 4),
    ordersSubmittedToday: fc.integer({ min: 0, max: 4 }),
    tradingState: fc.constantFrom<TradingState>('ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'REDUCING', 'HALTED'),
    restricted: fc.subarray([...shape.universe], { maxLength: 2 }),
    config,
  };
}

/** What {@link buildPlanInput} reads: the shared draws, plus the optional quote skew and account shorting flag. */
export type SymbolState = Drawn<ReturnType<typeof symbolStateModel>> & { skewBps?: number };
export type BaseScenario = Omit<Drawn<ReturnType<typeof scenarioModel>>, 'states' | 'config'> & {
  states: readonly SymbolState[];
  config: Drawn<ReturnType<typeof configModel>>;
  /** The account's shorting flag; true when the scenario does not draw it. */
  shortingEnabled?: boolean;
};

/** Limits a test draws beyond {@link configModel}, as config sections merged over the shared ones. */
export interface ExtraConfig {
  position_sizing?: Partial<ExecutionConfig['position_sizing']>;
  risk_management?: Partial<ExecutionConfig['risk_management']>;
}

export function position(symbol: string, qty: number, price: number): Position {
  return { symbol, qty, avgEntryPrice: price, currentPrice: price, marketValue: qty * price, costBasis: qty * price, unrealizedPl: 0, lastdayPrice: null };
}

export function openOrder(symbol: string, side: 'buy' | 'sell', qty: number): BrokerOrder {
  return {
    id: `o-${symbol}`, clientOrderId: `old.${symbol}`, symbol, side, type: 'market', timeInForce: 'day', qty, notional: null, filledQty: 0,
    filledAvgPrice: null, limitPrice: null, stopPrice: null, status: 'new', submittedAt: null, filledAt: null, canceledAt: null,
    expiredAt: null, updatedAt: null,
  };
}

/** The PlanInput for a scenario: `universe[i]` gets `s.states[i]`; limits a scenario does not draw keep their defaults. */
export function buildPlanInput(universe: readonly string[], s: BaseScenario, extra: ExtraConfig = {}): PlanInput {
  const c = s.config;
  const config = executionConfigSchema.parse({
    execution: { signal_threshold: c.threshold, order_type: c.orderType, limit_offset_bps: c.offsetBps },
    position_sizing: {
      method: c.method, max_position_size: c.maxPosition, min_trade_size: c.minTrade, max_trade_size: c.maxTrade,
      allow_shorts: c.allowShorts, fractional: c.fractional, rebalance_band: c.band, ...extra.position_sizing,
    },
    risk_management: {
      max_orders_per_day: c.maxOrders, max_sector_exposure: c.maxSector, max_order_notional: c.maxOrderNotional,
      max_position_risk: c.maxRisk, restricted_symbols: s.restricted, ...extra.risk_management,
    },
  });
  const account: Account = {
    id: 'a', accountNumber: 'PA1', status: 'ACTIVE', currency: 'USD', cash: s.equity, equity: s.equity,
    lastEquity: s.equity / (1 + s.dailyReturn), buyingPower: s.equity * s.buyingPowerRatio, longMarketValue: 0, shortMarketValue: 0,
    tradingBlocked: false, shortingEnabled: s.shortingEnabled ?? true,
  };
  const input: PlanInput = {
    runId: 'prop-run', signals: [], account, positions: [], openOrders: [], quotes: {}, assets: {}, sectors: {}, volatility: {},
    config, tradingState: s.tradingState, ordersSubmittedToday: s.ordersSubmittedToday,
  };
  universe.forEach((symbol, i) => {
    const st = s.states[i]!;
    if (st.held !== 0) input.positions.push(position(symbol, st.held, st.price));
    if (st.pending !== 0) input.openOrders.push(openOrder(symbol, st.pending > 0 ? 'buy' : 'sell', Math.abs(st.pending)));
    const half = (st.price * st.spreadBps) / 20_000;
    const mid = st.price * (1 + (st.skewBps ?? 0) / 10_000);
    if (st.hasQuote) input.quotes[symbol] = { symbol, bid: Math.max(0.0001, mid - half), ask: mid + half, last: st.price, timestamp: 't' };
    if (st.signal !== undefined) input.signals.push({ symbol, strength: st.signal });
    if (st.sector !== undefined) input.sectors[symbol] = st.sector;
    if (st.volatility !== undefined) input.volatility![symbol] = st.volatility;
    input.assets[symbol] = { symbol, name: symbol, tradable: st.tradable, active: true, shortable: st.shortable, easyToBorrow: true, fractionable: st.fractionable };
  });
  return input;
}
