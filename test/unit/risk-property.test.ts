import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ExecutionConfig } from '../../src/config-schema';
import { validateOrderIntent } from '../../src/domain/orders';
import { costPriceFor, planDay, proceedsPriceFor, referencePrice, type PlanInput } from '../../src/domain/plan';
import type { SymbolMatrix } from '../../src/domain/stats';
import { buildPlanInput, configModel, ratio, scenarioModel, symbolStateModel, type ScenarioShape } from '../support/plan-scenarios';

/**
 * The proof of issue 4: for random holdings, open orders, quotes, signals, sectors, correlations and limits, fill
 * every approved order at the reference price and check every limit on the resulting book. A limit that was already
 * broken before the plan (prices moved) may stay broken, but no approved order may make it worse.
 */
const UNIVERSE = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF', 'GGG', 'HHH', 'III', 'BRK.B'];
const CASES = 5_000;

const shape: ScenarioShape = {
  universe: UNIVERSE, zeroHeldWeight: 2, zeroPendingWeight: 3, signalFreq: 5, volatilityFreq: 5, sectors: ['Tech', 'Tech', 'Energy', 'Health', undefined], maxOrders: 14,
};

const symbolState = fc.record({
  ...symbolStateModel(shape),
  // A stale or crossed book: the ask or bid far from the last trade, which the price collar must catch.
  skewBps: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: -2_500, max: 2_500 })),
  /** Correlation factor: symbols sharing one are correlated at `within`; null means no return history. */
  factor: fc.constantFrom<number | null>(0, 0, 1, 1, 2, 3, 4, 5, null),
});

const scenario = fc.record({
  ...scenarioModel(shape, symbolState, fc.record({
    ...configModel(shape),
    targetVolatility: ratio(0.02, 0.5),
    maxSectorNet: ratio(0.02, 1),
    correlationThreshold: ratio(0.2, 0.95),
    maxCorrelated: ratio(0.05, 1),
    collar: ratio(0.005, 0.2),
  })),
  shortingEnabled: fc.boolean(),
  withCorrelation: fc.constantFrom(true, true, true, false),
  within: ratio(0.3, 0.99),
  across: ratio(-0.5, 0.5),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function buildInput(s: Scenario): { input: PlanInput; config: ExecutionConfig } {
  const c = s.config;
  const input = buildPlanInput(UNIVERSE, s, {
    position_sizing: { target_volatility: c.targetVolatility },
    risk_management: {
      max_sector_net_exposure: c.maxSectorNet, correlation_threshold: c.correlationThreshold, max_correlated_exposure: c.maxCorrelated,
      price_collar_pct: c.collar,
    },
  });
  if (s.withCorrelation) {
    const known = UNIVERSE.filter((_, i) => s.states[i]!.factor !== null);
    const rho = (a: string, b: string) => (a === b ? 1 : s.states[UNIVERSE.indexOf(a)]!.factor === s.states[UNIVERSE.indexOf(b)]!.factor ? s.within : s.across);
    input.correlation = { symbols: known, values: known.map((a) => Float64Array.from(known.map((b) => rho(a, b)))) };
    const sigma = (symbol: string) => input.volatility![symbol] ?? Number.NaN;
    input.covariance = { symbols: known, values: known.map((a) => Float64Array.from(known.map((b) => rho(a, b) * sigma(a) * sigma(b)))) };
  }
  return { input, config: input.config };
}

/** Connected components of "ρ > threshold", by breadth-first search: an independent check of the plan's union-find. */
function groupsOf(correlation: SymbolMatrix | undefined, threshold: number): string[][] {
  if (!correlation) return [];
  const { symbols, values } = correlation;
  const seen = new Set<number>();
  const groups: string[][] = [];
  for (let start = 0; start < symbols.length; start++) {
    if (seen.has(start)) continue;
    const queue = [start];
    seen.add(start);
    const members: string[] = [];
    while (queue.length > 0) {
      const i = queue.shift()!;
      members.push(symbols[i]!);
      for (let j = 0; j < symbols.length; j++) {
        if (!seen.has(j) && j !== i && values[i]![j]! > threshold) {
          seen.add(j);
          queue.push(j);
        }
      }
    }
    if (members.length > 1) groups.push(members);
  }
  return groups;
}

const within = (value: number, limit: number) => value <= limit * (1 + 1e-9) + 1e-6;

/** Every limit broken by the plan's orders once filled at the reference price; empty when none. */
function breaches(s: Scenario, input: PlanInput, config: ExecutionConfig, plan: ReturnType<typeof planDay>): string[] {
  const out: string[] = [];
  const rm = config.risk_management;
  const ps = config.position_sizing;
  const equity = input.account.equity;
  const before: Record<string, number> = {};
  const value: Record<string, number> = {};
  UNIVERSE.forEach((symbol, i) => {
    const st = s.states[i]!;
    before[symbol] = st.held + st.pending;
    const quoted = input.quotes[symbol] ? referencePrice(input.quotes[symbol]) : null;
    value[symbol] = quoted ?? (st.held !== 0 ? st.price : 0);
  });
  const after = { ...before };

  if (plan.orders.length > Math.max(0, rm.max_orders_per_day - input.ordersSubmittedToday)) out.push('max_orders_per_day');
  if (plan.tradingState === 'HALTED' && plan.orders.length > 0) out.push('HALTED traded');
  if (new Set(plan.orders.map((o) => o.clientOrderId)).size !== plan.orders.length) out.push('duplicate client order id');
  if (new Set(plan.orders.map((o) => o.symbol)).size !== plan.orders.length) out.push('two orders in one symbol');

  let spend = 0;
  for (const order of plan.orders) {
    const { symbol } = order;
    const quote = input.quotes[symbol];
    const ref = quote ? referencePrice(quote) : null;
    const asset = input.assets[symbol]!;
    if (ref === null) {
      out.push(`${symbol}: traded without a price`);
      continue;
    }
    if (!validateOrderIntent(order).ok) out.push(`${symbol}: invalid intent`);
    if (s.restricted.includes(symbol)) out.push(`${symbol}: restricted`);
    if (!asset.tradable || !asset.active) out.push(`${symbol}: not tradable`);
    if (input.openOrders.some((o) => o.symbol === symbol && o.side === order.side)) out.push(`${symbol}: duplicate intent`);
    const qty = order.qty!;
    if (!within(qty * ref, rm.max_order_notional)) out.push(`${symbol}: order notional ${qty * ref} > ${rm.max_order_notional}`);
    const b = before[symbol]!;
    const a = b + (order.side === 'buy' ? qty : -qty);
    const reducing = b !== 0 && Math.abs(a) < Math.abs(b) + 1e-9 && Math.sign(a) !== -Math.sign(b);
    // An exit (flips are deferred, so a reducing order is all exit) is exempt unless max_trade_size_applies_to_exits.
    const throttled = !reducing || ps.max_trade_size_applies_to_exits;
    if (throttled && !within(qty * ref, ps.max_trade_size)) out.push(`${symbol}: trade ${qty * ref} > max_trade_size`);
    if (qty * ref < ps.min_trade_size - 1e-9) out.push(`${symbol}: trade ${qty * ref} < min_trade_size`);
    if (order.limitPrice !== undefined && !within(Math.abs(order.limitPrice - ref) / ref, rm.price_collar_pct)) {
      out.push(`${symbol}: limit ${order.limitPrice} outside the ${rm.price_collar_pct} collar of ${ref}`);
    }
    after[symbol] = a;
    if (plan.tradingState === 'REDUCING' && !reducing) out.push(`${symbol}: REDUCING allowed an increasing order`);
    if (!reducing) {
      if (!within(Math.abs(a) * ref, ps.max_position_size * equity)) out.push(`${symbol}: position ${Math.abs(a) * ref} > max_position_size`);
      const sigma = input.volatility?.[symbol];
      if (sigma !== undefined && !within((Math.abs(a) * ref / equity) * sigma, rm.max_position_risk)) out.push(`${symbol}: position risk > max_position_risk`);
      const shortsAllowed = ps.allow_shorts && input.account.shortingEnabled && asset.shortable;
      if (a < -1e-9 && a < Math.min(0, b) && !shortsAllowed) out.push(`${symbol}: new short without permission`);
    }
    const spends = !reducing || order.side === 'buy';
    spend += spends ? qty * costPriceFor(order.side, ref, quote, order.limitPrice) : -qty * proceedsPriceFor(ref, quote, order.limitPrice);
  }
  if (!within(spend, input.account.buyingPower)) out.push(`spent ${spend} > buying power ${input.account.buyingPower}`);

  // Book-level limits: an approved order set may not take any of them above max(limit, where it already was).
  const exposure = (book: Record<string, number>, members: string[], signed: boolean) =>
    members.reduce((sum, m) => sum + (signed ? book[m]! : Math.abs(book[m]!)) * value[m]!, 0);
  for (const sector of new Set(Object.values(input.sectors))) {
    const members = UNIVERSE.filter((symbol) => input.sectors[symbol] === sector);
    const grossCap = rm.max_sector_exposure * equity;
    if (!within(exposure(after, members, false), Math.max(grossCap, exposure(before, members, false)))) out.push(`${sector}: gross sector exposure`);
    const netCap = rm.max_sector_net_exposure * equity;
    if (!within(Math.abs(exposure(after, members, true)), Math.max(netCap, Math.abs(exposure(before, members, true))))) out.push(`${sector}: net sector exposure`);
  }
  for (const members of groupsOf(input.correlation, rm.correlation_threshold)) {
    const cap = rm.max_correlated_exposure * equity;
    if (!within(exposure(after, members, false), Math.max(cap, exposure(before, members, false)))) out.push(`${members.join('+')}: correlated exposure`);
  }
  return out;
}

describe('property: no approved order set, once filled, breaks a limit', () => {
  it(`holds over ${CASES} random books, signals and limits (sectors, correlation groups, collars included)`, () => {
    let cases = 0;
    let breached = 0;
    let orders = 0;
    let resized = 0;
    const rejections: Record<string, number> = {};
    const seen: string[] = [];
    try {
      fc.assert(fc.property(scenario, (s) => {
        cases += 1;
        const { input, config } = buildInput(s);
        const plan = planDay(input);
        assert.deepEqual(planDay(input), plan, 'deterministic');
        orders += plan.orders.length;
        resized += plan.decisions.filter((d) => d.outcome === 'order' && d.checks.some((v) => v.outcome === 'resize')).length;
        for (const r of plan.rejected) rejections[r.code] = (rejections[r.code] ?? 0) + 1;
        const found = breaches(s, input, config, plan);
        if (found.length > 0) {
          breached += 1;
          seen.push(...found);
        }
        return found.length === 0;
      }), { numRuns: CASES, seed: 20240104, endOnFailure: true });
    } finally {
      console.log(`property: ${cases} cases, ${breached} breaches (${orders} orders, ${resized} resized; rejections ${JSON.stringify(rejections)})${seen.length ? `; first: ${seen.slice(0, 3).join('; ')}` : ''}`);
    }
    assert.equal(breached, 0);
    for (const code of ['DUPLICATE_INTENT', 'PRICE_COLLAR', 'CORRELATED_EXPOSURE_EXCEEDED', 'SECTOR_NET_EXPOSURE_EXCEEDED', 'SECTOR_EXPOSURE_EXCEEDED']) {
      assert.ok((rejections[code] ?? 0) > 0, `the generator exercises ${code}`);
    }
  });
});
