/** Alpaca JSON shapes for the simulator's objects: decimal strings on the trading API, numbers in market data. */
import { formatEt, type MarketClockState } from './calendar';
import type { AccountConfig, AccountValues, PositionValues, SimAccount, SimFill, SimOrder } from './records';
import type { SimBar, SimQuote, SimTrade } from './market';
import type { SimAsset } from './universe';

/** A decimal string with at most `dp` places and no trailing zeros, as Alpaca writes amounts. */
export function dec(n: number, dp: number): string {
  if (!Number.isFinite(n)) return '0';
  const s = n.toFixed(dp);
  const trimmed = s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
  return trimmed === '-0' ? '0' : trimmed;
}

const decOrNull = (n: number | null, dp: number) => (n === null ? null : dec(n, dp));
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Every field of Alpaca's Order, null where it does not apply (`legs` too: see `nestedOrderJson`). */
export function orderJson(o: SimOrder): Record<string, unknown> {
  return nestedOrderJson(o, []);
}

/** An Order with its group's exits inside `legs`, as `nested=true` shows a bracket, OCO or OTO parent. */
export function nestedOrderJson(o: SimOrder, legs: readonly SimOrder[]): Record<string, unknown> {
  return {
    id: o.id,
    client_order_id: o.clientOrderId,
    created_at: iso(o.createdAt),
    updated_at: iso(o.updatedAt),
    submitted_at: iso(o.submittedAt),
    filled_at: iso(o.filledAt),
    expired_at: iso(o.expiredAt),
    expires_at: iso(o.expiresAt),
    canceled_at: iso(o.canceledAt),
    failed_at: iso(o.failedAt),
    replaced_at: iso(o.replacedAt ?? null),
    replaced_by: o.replacedBy ?? null,
    replaces: o.replaces ?? null,
    asset_id: o.assetId,
    symbol: o.symbol,
    asset_class: 'us_equity',
    notional: decOrNull(o.notional, 2),
    qty: decOrNull(o.qty, 9),
    filled_qty: dec(o.filledQty, 9),
    filled_avg_price: decOrNull(o.filledAvgPrice, 4),
    order_class: o.orderClass === undefined || o.orderClass === 'simple' ? '' : o.orderClass,
    order_type: o.type,
    type: o.type,
    side: o.side,
    position_intent: o.positionIntent ?? (o.side === 'buy' ? 'buy_to_open' : 'sell_to_close'),
    time_in_force: o.timeInForce,
    limit_price: decOrNull(o.limitPrice, 4),
    stop_price: decOrNull(o.stopPrice, 4),
    status: o.status,
    extended_hours: o.extendedHours,
    legs: legs.length > 0 ? legs.map(orderJson) : null,
    trail_percent: decOrNull(o.trailPercent, 4),
    trail_price: decOrNull(o.trailPrice, 4),
    hwm: decOrNull(o.hwm, 4),
    subtag: null,
    source: null,
    expires_at_source: null,
    ratio_qty: null,
  };
}

/** A FILL activity (`TradingActivities`). */
export function fillActivityJson(f: SimFill): Record<string, unknown> {
  return {
    activity_type: 'FILL',
    id: f.id,
    transaction_time: new Date(f.transactionTime).toISOString(),
    type: f.type,
    price: dec(f.price, 4),
    qty: dec(f.qty, 9),
    side: f.side,
    symbol: f.symbol,
    leaves_qty: dec(f.leavesQty, 9),
    order_id: f.orderId,
    cum_qty: dec(f.cumQty, 9),
    order_status: f.orderStatus,
  };
}

/** `AccountConfigurations`: the stored wire form, copied. */
export function accountConfigJson(c: AccountConfig): Record<string, unknown> {
  return { ...c };
}

export function accountJson(a: SimAccount, v: AccountValues, now: number): Record<string, unknown> {
  const money = (n: number) => dec(n, 2);
  return {
    id: a.id,
    admin_configurations: {},
    user_configurations: null,
    account_number: a.accountNumber,
    status: 'ACTIVE',
    crypto_status: 'ACTIVE',
    options_approved_level: 0,
    options_trading_level: 0,
    currency: 'USD',
    buying_power: money(v.buyingPower),
    regt_buying_power: money(v.buyingPower),
    daytrading_buying_power: money(v.multiplier > 1 ? Math.max(0, 4 * v.equity - (v.longMarketValue - v.shortMarketValue)) : 0),
    effective_buying_power: money(v.buyingPower),
    non_marginable_buying_power: money(Math.max(0, v.cash)),
    options_buying_power: money(Math.max(0, v.cash)),
    bod_dtbp: '0',
    cash: money(v.cash),
    accrued_fees: '0',
    pending_transfer_in: '0',
    pending_transfer_out: '0',
    portfolio_value: money(v.equity),
    pattern_day_trader: false,
    trading_blocked: false,
    transfers_blocked: false,
    account_blocked: false,
    created_at: new Date(a.createdAt).toISOString(),
    trade_suspended_by_user: a.config?.suspend_trade ?? false,
    multiplier: String(v.multiplier),
    shorting_enabled: v.multiplier > 1 && !(a.config?.no_shorting ?? false),
    equity: money(v.equity),
    last_equity: money(v.lastEquity),
    long_market_value: money(v.longMarketValue),
    short_market_value: money(v.shortMarketValue),
    position_market_value: money(v.longMarketValue - v.shortMarketValue),
    initial_margin: money(v.initialMargin),
    maintenance_margin: money(v.maintenanceMargin),
    last_maintenance_margin: money(v.maintenanceMargin),
    sma: money(v.equity),
    daytrade_count: 0,
    balance_asof: formatEt(now).slice(0, 10),
    crypto_tier: 0,
    intraday_adjustments: '0',
    pending_reg_taf_fees: '0',
  };
}

export function positionJson(p: PositionValues): Record<string, unknown> {
  const { position, asset, currentPrice, lastdayPrice, marketValue } = p;
  const qty = position.qty;
  const costBasis = position.costBasis;
  const avg = qty === 0 ? 0 : costBasis / qty;
  const unrealized = marketValue - costBasis;
  const intradayBase = qty * lastdayPrice;
  const intraday = marketValue - intradayBase;
  return {
    asset_id: asset.id,
    symbol: asset.symbol,
    exchange: asset.exchange,
    asset_class: 'us_equity',
    asset_marginable: asset.marginable,
    qty: dec(qty, 9),
    qty_available: dec(p.qtyAvailable, 9),
    avg_entry_price: dec(avg, 4),
    side: qty >= 0 ? 'long' : 'short',
    market_value: dec(marketValue, 2),
    cost_basis: dec(costBasis, 2),
    unrealized_pl: dec(unrealized, 2),
    unrealized_plpc: dec(costBasis === 0 ? 0 : unrealized / Math.abs(costBasis), 6),
    unrealized_intraday_pl: dec(intraday, 2),
    unrealized_intraday_plpc: dec(intradayBase === 0 ? 0 : intraday / Math.abs(intradayBase), 6),
    current_price: dec(currentPrice, 2),
    lastday_price: dec(lastdayPrice, 2),
    change_today: dec(lastdayPrice === 0 ? 0 : (currentPrice - lastdayPrice) / lastdayPrice, 6),
  };
}

export function assetJson(a: SimAsset): Record<string, unknown> {
  return {
    id: a.id,
    class: 'us_equity',
    exchange: a.exchange,
    symbol: a.symbol,
    name: a.name,
    status: 'active',
    tradable: a.tradable,
    marginable: a.marginable,
    maintenance_margin_requirement: 30,
    margin_requirement_long: '30',
    margin_requirement_short: '30',
    shortable: a.shortable,
    easy_to_borrow: a.easyToBorrow,
    borrow_status: a.easyToBorrow ? 'easy_to_borrow' : 'hard_to_borrow',
    fractionable: a.fractionable,
    attributes: assetAttributes(a),
  };
}

/** The attributes the simulator gives an asset: only `fractional_eh_enabled`, for fractionable ones. */
export function assetAttributes(a: SimAsset): string[] {
  return a.fractionable ? ['fractional_eh_enabled'] : [];
}

export function clockJson(clock: MarketClockState, now: number): Record<string, unknown> {
  return {
    timestamp: formatEt(now),
    is_open: clock.isOpen,
    next_open: formatEt(clock.nextOpen),
    next_close: formatEt(clock.nextClose),
  };
}

/** RFC-3339 in UTC with nanosecond-style digits, as the data API writes `t`. */
const dataTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');

export function quoteJson(q: SimQuote, exchange: string): Record<string, unknown> {
  const x = exchange === 'NASDAQ' ? 'Q' : 'N';
  return { t: dataTime(q.timestamp), bx: x, bp: q.bid, bs: q.bidSize, ax: x, ap: q.ask, as: q.askSize, c: ['R'], z: x === 'Q' ? 'C' : 'A' };
}

export function tradeJson(t: SimTrade, exchange: string): Record<string, unknown> {
  const x = exchange === 'NASDAQ' ? 'Q' : 'N';
  return { t: dataTime(t.timestamp), x, p: t.price, s: t.size, c: ['@'], i: t.id, z: x === 'Q' ? 'C' : 'A' };
}

export function barJson(b: SimBar): Record<string, unknown> {
  return { t: dataTime(b.t), o: b.o, h: b.h, l: b.l, c: b.c, v: b.v, n: b.n, vw: b.vw };
}
