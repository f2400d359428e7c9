import { dailyLossBreach } from './daily-loss';
import type { ExecutionConfig } from '../config-schema';
import { APPROVE, approveWithNote, isResize, toVerdict, type CheckResult } from './check-result';
import { exceedsLimit, floorShares, roundTo, roundToCents, FRACTIONAL_SHARE_DECIMALS } from './money';
import { isOpenStatus } from './orders';
import { sectorFor, UNKNOWN_SECTOR } from './sectors';
import { shortingAllowed } from './sizing';
import type { Account, Asset, BrokerOrder, CheckVerdict, Quote, Side, TradingState } from './types';

/** Everything a pre-trade check may look at for one proposed order. */
export interface PreTradeContext {
  symbol: string;
  side: Side;
  /** Unsigned order quantity; later checks see earlier resizes. */
  qty: number;
  /** Reference price; null when there is no usable quote. */
  price: number | null;
  /** Signed position before this order: held + pending open orders + orders approved earlier in the plan. */
  positionQty: number;
  /** Whether resizes may leave fractions of a share. */
  fractional: boolean;
  account: Account;
  config: ExecutionConfig;
  tradingState: TradingState;
  asset: Asset | undefined;
  sector: string | undefined;
  /** Gross dollar exposure of the other symbols in this symbol's sector. */
  otherSectorGross: number;
  /** Signed (long − short) dollar exposure of the other symbols in this symbol's sector; 0 when absent. */
  otherSectorNet?: number;
  /** Annualized volatility, when known. */
  volatility: number | undefined;
  /** Orders submitted today plus those approved earlier in this plan. */
  ordersSoFar: number;
  /** Whether this symbol has enough return history to be grouped by correlation; absent means unknown. */
  correlationKnown?: boolean;
  /** The symbols (this one included) correlated with it above correlation_threshold, transitively; absent when none. */
  correlatedGroup?: readonly string[];
  /** Gross dollar exposure of the other members of the correlated group. */
  otherGroupGross?: number;
  /** Gross (long + short) dollar exposure of every other symbol of the portfolio; 0 when absent. */
  otherGross?: number;
  /** Signed (long − short) dollar exposure of every other symbol of the portfolio; 0 when absent. */
  otherNet?: number;
  /** The order's limit price (limit and stop_limit orders). */
  limitPrice?: number;
  /** The order's stop price (stop and stop_limit orders). */
  stopPrice?: number;
  /** The broker's open orders in this symbol (any side). */
  openOrders?: readonly BrokerOrder[];
  /** The quote the order is sized from; absent when the check runs without one. */
  quote?: Quote;
  /** When the plan is made (the broker's clock), for the quote's age; absent: age not checked. */
  asOf?: string;
}

/**
 * How far above the market Alpaca values a market buy when it checks buying power (documented as 2.5%–4%): the plan
 * reserves the top of that range, so a buy it fits is never refused as unaffordable.
 */
export const MARKET_BUY_RESERVE = 0.04;

/**
 * The highest price a market buy is assumed to fill at: the worse of the reference price and the ask, plus
 * MARKET_BUY_RESERVE. Buying power is reserved at it, and the position cap holds at it (checkPositionSize).
 */
export function marketBuyPrice(price: number, quote: Quote | undefined): number {
  return Math.max(price, quote && quote.ask > 0 ? quote.ask : price) * (1 + MARKET_BUY_RESERVE);
}

/** True for an order without a limit or stop price: it takes whatever the book offers. */
function isMarketOrder(ctx: PreTradeContext): boolean {
  return ctx.limitPrice === undefined && ctx.stopPrice === undefined;
}

/** A pure pre-trade check. */
export type PreTradeCheck = (ctx: PreTradeContext) => CheckResult;

/** Signed position after the order. */
export function resultingQty(ctx: PreTradeContext): number {
  return roundTo(ctx.positionQty + (ctx.side === 'buy' ? ctx.qty : -ctx.qty), FRACTIONAL_SHARE_DECIMALS);
}

/** True when the order only shrinks the position toward zero (never past it). */
export function isRiskReducing(ctx: PreTradeContext): boolean {
  const before = ctx.positionQty;
  const after = resultingQty(ctx);
  return before !== 0 && Math.abs(after) < Math.abs(before) && Math.sign(after) !== -Math.sign(before);
}

// Largest order quantity that keeps |position after| within maxAbsQty.
function qtyWithin(ctx: PreTradeContext, maxAbsQty: number): number {
  const direction = ctx.side === 'buy' ? 1 : -1;
  return Math.min(ctx.qty, floorShares(Math.max(0, maxAbsQty - direction * ctx.positionQty), ctx.fractional));
}

function resizeOrReject(ctx: PreTradeContext, allowed: number, code: string, detail: string): CheckResult {
  if (allowed <= 0) return { ok: false, code, detail };
  return { ok: true, qty: allowed, code, detail: `${detail}; resized to ${allowed}` };
}


/** True when today's loss reaches max_daily_loss of last equity (a flat day never counts as a loss). */
export function dailyLossBreached(account: Account, config: ExecutionConfig): boolean {
  return dailyLossBreach(account, config.risk_management.max_daily_loss) !== null;
}

const SEVERITY: Record<TradingState, number> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

/** The trading state after the daily-loss check: escalates to on_daily_loss_breach on a breach, never de-escalates. */
export function tradingStateAfterDailyLoss(account: Account, config: ExecutionConfig, current: TradingState): TradingState {
  if (!dailyLossBreached(account, config)) return current;
  const breachState = config.risk_management.on_daily_loss_breach;
  return SEVERITY[breachState] > SEVERITY[current] ? breachState : current;
}

/** TRADING_HALTED when halted or the account is blocked; REDUCING_ONLY for a risk-increasing order while reducing. */
export const checkTradingState: PreTradeCheck = (ctx) => {
  if (ctx.account.tradingBlocked) return { ok: false, code: 'TRADING_HALTED', detail: 'the broker has blocked trading on the account' };
  if (ctx.tradingState === 'HALTED') return { ok: false, code: 'TRADING_HALTED', detail: 'trading state is HALTED' };
  if (ctx.tradingState === 'REDUCING' && !isRiskReducing(ctx)) {
    return { ok: false, code: 'REDUCING_ONLY', detail: 'trading state is REDUCING: only orders that shrink a position pass' };
  }
  return APPROVE;
};

/** DAILY_LOSS_LIMIT: rejects risk-increasing orders once equity is down max_daily_loss from last equity. */
export const checkDailyLoss: PreTradeCheck = (ctx) => {
  const breach = dailyLossBreach(ctx.account, ctx.config.risk_management.max_daily_loss);
  if (!breach || isRiskReducing(ctx)) return APPROVE;
  return { ok: false, code: 'DAILY_LOSS_LIMIT', detail: breach.detail };
};

/** RESTRICTED_SYMBOL: the symbol is on risk_management.restricted_symbols (case-insensitive). */
export const checkRestrictedSymbol: PreTradeCheck = (ctx) => {
  const restricted = ctx.config.risk_management.restricted_symbols.some((symbol) => symbol.trim().toUpperCase() === ctx.symbol.toUpperCase());
  return restricted ? { ok: false, code: 'RESTRICTED_SYMBOL', detail: `${ctx.symbol} is on restricted_symbols` } : APPROVE;
};

/** ASSET_NOT_TRADABLE: unknown, inactive or non-tradable asset. */
export const checkAssetTradable: PreTradeCheck = (ctx) => {
  if (!ctx.asset) return { ok: false, code: 'ASSET_NOT_TRADABLE', detail: `no asset record for ${ctx.symbol}` };
  if (!ctx.asset.tradable || !ctx.asset.active) {
    return { ok: false, code: 'ASSET_NOT_TRADABLE', detail: `${ctx.symbol} is ${ctx.asset.active ? 'not tradable' : 'inactive'}` };
  }
  return APPROVE;
};

/** NO_PRICE: no positive, finite reference price. */
export const checkPrice: PreTradeCheck = (ctx) =>
  ctx.price !== null && Number.isFinite(ctx.price) && ctx.price > 0 ? APPROVE : { ok: false, code: 'NO_PRICE', detail: `no usable quote for ${ctx.symbol}` };

/** SHORTING_NOT_ALLOWED: an order that opens or grows a short when shorting is off; a long is cut to a close instead. */
export const checkShorting: PreTradeCheck = (ctx) => {
  const after = resultingQty(ctx);
  const growsShort = after < 0 && after < Math.min(0, ctx.positionQty);
  if (!growsShort) return APPROVE;
  const permission = shortingAllowed(ctx.config, ctx.account, ctx.asset);
  if (permission.allowed) return APPROVE;
  return resizeOrReject(ctx, floorShares(Math.max(0, ctx.positionQty), ctx.fractional), 'SHORTING_NOT_ALLOWED', `the order would leave a short of ${after}: ${permission.reason}`);
};

/** MAX_ORDERS_PER_DAY: today's orders already reach the limit. */
export const checkOrdersPerDay: PreTradeCheck = (ctx) => {
  const limit = ctx.config.risk_management.max_orders_per_day;
  return ctx.ordersSoFar < limit ? APPROVE : { ok: false, code: 'MAX_ORDERS_PER_DAY', detail: `${ctx.ordersSoFar} orders today reach max_orders_per_day ${limit}` };
};

/** ORDER_NOTIONAL_EXCEEDED: one order's notional above max_order_notional is shrunk to fit. */
export const checkOrderNotional: PreTradeCheck = (ctx) => {
  const price = ctx.price ?? 0;
  const limit = ctx.config.risk_management.max_order_notional;
  if (!exceedsLimit(ctx.qty * price, limit)) return APPROVE;
  return resizeOrReject(ctx, floorShares(limit / price, ctx.fractional), 'ORDER_NOTIONAL_EXCEEDED',
    `notional $${roundToCents(ctx.qty * price)} exceeds max_order_notional $${limit}`);
};

/**
 * POSITION_SIZE_EXCEEDED: a risk-increasing order may not take |position value| above max_position_size × equity.
 * A market buy checked with its quote is valued at marketBuyPrice, the worst fill the plan assumes (and reserves
 * buying power for), so a fill up to that price still leaves the position within the cap.
 */
export const checkPositionSize: PreTradeCheck = (ctx) => {
  const price = ctx.price ?? 0;
  const worstFill = ctx.side === 'buy' && isMarketOrder(ctx) && ctx.quote !== undefined && price > 0;
  const valuedAt = worstFill ? marketBuyPrice(price, ctx.quote) : price;
  const cap = ctx.config.position_sizing.max_position_size * ctx.account.equity;
  const afterValue = Math.abs(resultingQty(ctx)) * valuedAt;
  if (!exceedsLimit(afterValue, cap) || isRiskReducing(ctx)) return APPROVE;
  const at = worstFill
    ? ` at a market buy's worst fill $${roundTo(valuedAt, 4)} (max(last $${price}, ask $${ctx.quote!.ask}) × ${1 + MARKET_BUY_RESERVE})`
    : '';
  return resizeOrReject(ctx, qtyWithin(ctx, cap / valuedAt), 'POSITION_SIZE_EXCEEDED',
    `position value $${roundToCents(afterValue)}${at} would exceed max_position_size × equity $${roundToCents(cap)}`);
};

/**
 * POSITION_RISK_EXCEEDED: |weight| × annualized volatility above max_position_risk. Without a volatility the check
 * passes with VOLATILITY_UNKNOWN, so the verdict shows the limit was not applied.
 */
export const checkPositionRisk: PreTradeCheck = (ctx) => {
  const sigma = ctx.volatility;
  const price = ctx.price ?? 0;
  const equity = ctx.account.equity;
  if (isRiskReducing(ctx)) return APPROVE;
  if (sigma === undefined || !(sigma > 0) || !Number.isFinite(sigma)) {
    return approveWithNote('VOLATILITY_UNKNOWN', `no volatility for ${ctx.symbol} (too few daily bars): max_position_risk not applied`);
  }
  if (!(equity > 0)) return APPROVE;
  const budget = ctx.config.risk_management.max_position_risk;
  const risk = ((Math.abs(resultingQty(ctx)) * price) / equity) * sigma;
  if (!exceedsLimit(risk, budget)) return APPROVE;
  return resizeOrReject(ctx, qtyWithin(ctx, (budget / sigma) * equity / price), 'POSITION_RISK_EXCEEDED',
    `weight × volatility ${roundTo(risk, 4)} would exceed max_position_risk ${budget}`);
};

/**
 * The sector ctx's symbol counts in: ctx.sector (the plan resolves unmapped symbols with sectorFor), else what
 * unknown_sector makes of an unmapped symbol checked alone; undefined under `reject`.
 */
function sectorOf(ctx: PreTradeContext): string | undefined {
  return ctx.sector ?? sectorFor(ctx.symbol, {}, ctx.config.risk_management.unknown_sector);
}

/** True for a sector that unknown_sector assigned (UNKNOWN or UNKNOWN:<symbol>), not one from a sector map. */
export function isAssignedSector(sector: string): boolean {
  return sector === UNKNOWN_SECTOR || sector.startsWith(`${UNKNOWN_SECTOR}:`);
}

/** How an unmapped symbol is capped, for the verdicts: `UNKNOWN:SPY (SPY has no sector: unknown_sector own_sector)`. */
function sectorLabel(ctx: PreTradeContext, sector: string): string {
  return isAssignedSector(sector) ? `${sector} (${ctx.symbol} has no sector: unknown_sector ${ctx.config.risk_management.unknown_sector})` : sector;
}

/** The verdict of a sector check that passes: a note when the sector was assigned, so the trail shows the policy. */
function sectorPass(ctx: PreTradeContext, sector: string, what: string): CheckResult {
  return isAssignedSector(sector) ? approveWithNote('SECTOR_UNKNOWN', `${sectorLabel(ctx, sector)}: ${what}`) : APPROVE;
}

/**
 * SECTOR_EXPOSURE_EXCEEDED: gross sector exposure after a risk-increasing order above max_sector_exposure × equity.
 * A symbol without a sector is capped as risk_management.unknown_sector says; under `reject` it may take no new
 * exposure at all (UNKNOWN_SECTOR), while orders that only reduce it pass.
 */
export const checkSectorExposure: PreTradeCheck = (ctx) => {
  const sector = sectorOf(ctx);
  if (sector === undefined) {
    if (isRiskReducing(ctx)) return approveWithNote('SECTOR_UNKNOWN', `no sector for ${ctx.symbol}: a reducing order passes unknown_sector reject`);
    return {
      ok: false, code: 'UNKNOWN_SECTOR',
      detail: `no sector for ${ctx.symbol} (bundled S&P 500 map, sector_map_file, sector_map); unknown_sector is reject: no new exposure`,
    };
  }
  if (isRiskReducing(ctx)) return sectorPass(ctx, sector, 'a reducing order');
  const price = ctx.price ?? 0;
  const cap = ctx.config.risk_management.max_sector_exposure * ctx.account.equity;
  const gross = ctx.otherSectorGross + Math.abs(resultingQty(ctx)) * price;
  if (!exceedsLimit(gross, cap)) return sectorPass(ctx, sector, `gross exposure $${roundToCents(gross)} within max_sector_exposure × equity $${roundToCents(cap)}`);
  return resizeOrReject(ctx, qtyWithin(ctx, (cap - ctx.otherSectorGross) / price), 'SECTOR_EXPOSURE_EXCEEDED',
    `${sectorLabel(ctx, sector)} gross exposure $${roundToCents(gross)} would exceed max_sector_exposure × equity $${roundToCents(cap)}`);
};

/**
 * SECTOR_NET_EXPOSURE_EXCEEDED: |long − short| of the sector after the order above max_sector_net_exposure × equity.
 * The net limit is directional, so it applies to any order that raises |net| (covering a short in a net-long sector
 * too); an order that lowers |net| always passes, even above the cap.
 */
export const checkSectorNetExposure: PreTradeCheck = (ctx) => {
  const sector = sectorOf(ctx);
  // Under unknown_sector reject, checkSectorExposure has already refused any new exposure.
  if (sector === undefined) return approveWithNote('SECTOR_UNKNOWN', `no sector for ${ctx.symbol}: unknown_sector reject leaves only reducing orders`);
  const price = ctx.price ?? 0;
  const cap = ctx.config.risk_management.max_sector_net_exposure * ctx.account.equity;
  const other = ctx.otherSectorNet ?? 0;
  const before = other + ctx.positionQty * price;
  const after = other + resultingQty(ctx) * price;
  if (!exceedsLimit(Math.abs(after), cap) || Math.abs(after) <= Math.abs(before)) {
    return sectorPass(ctx, sector, `net exposure $${roundToCents(after)} within max_sector_net_exposure × equity $${roundToCents(cap)} or lowered`);
  }
  return resizeOrReject(ctx, netAllowedQty(ctx, before, cap, price), 'SECTOR_NET_EXPOSURE_EXCEEDED',
    `${sectorLabel(ctx, sector)} net exposure $${roundToCents(after)} would exceed max_sector_net_exposure × equity $${roundToCents(cap)}`);
};

/**
 * CORRELATED_EXPOSURE_EXCEEDED: gross exposure of the symbol's correlated group (symbols whose return correlation
 * exceeds correlation_threshold, joined transitively) after a risk-increasing order above max_correlated_exposure ×
 * equity. A symbol without return history passes with CORRELATION_UNKNOWN.
 */
export const checkCorrelatedExposure: PreTradeCheck = (ctx) => {
  const { correlation_threshold: threshold, max_correlated_exposure: share } = ctx.config.risk_management;
  if (ctx.correlationKnown !== true) {
    return approveWithNote('CORRELATION_UNKNOWN', `no return history for ${ctx.symbol} (too few daily bars): correlated exposure not checked`);
  }
  const group = ctx.correlatedGroup;
  if (!group || group.length < 2) return approveWithNote('OK', `${ctx.symbol} is not correlated above ${threshold} with any symbol in the universe`);
  if (isRiskReducing(ctx)) return APPROVE;
  const price = ctx.price ?? 0;
  const cap = share * ctx.account.equity;
  const other = ctx.otherGroupGross ?? 0;
  const gross = other + Math.abs(resultingQty(ctx)) * price;
  if (!exceedsLimit(gross, cap)) return APPROVE;
  return resizeOrReject(ctx, qtyWithin(ctx, (cap - other) / price), 'CORRELATED_EXPOSURE_EXCEEDED',
    `group ${group.join('+')} (ρ > ${threshold}) gross exposure $${roundToCents(gross)} would exceed max_correlated_exposure × equity $${roundToCents(cap)}`);
};

/**
 * PRICE_COLLAR: a limit or stop price further than price_collar_pct from the reference (last) price is refused, a
 * guard against a stale or fat-fingered price. PRICE_OUTSIDE_COLLAR: a market order, which carries no price, is
 * refused when the side of the quote it would take (the ask for a buy, the bid for a sell) lies further than
 * price_collar_pct from the reference price: the last trade it was sized at is not where it would fill. A market
 * order checked without a quote passes (checkMarketQuote and the plan's NO_PRICE cover a missing book).
 */
export const checkPriceCollar: PreTradeCheck = (ctx) => {
  const reference = ctx.price ?? 0;
  const collar = ctx.config.risk_management.price_collar_pct;
  const collarText = `price_collar_pct is ${roundTo(collar * 100, 4)}%`;
  for (const [field, value] of [['limit', ctx.limitPrice], ['stop', ctx.stopPrice]] as const) {
    if (value === undefined) continue;
    const deviation = Math.abs(value - reference) / reference;
    if (!(reference > 0) || exceedsLimit(deviation, collar)) {
      return { ok: false, code: 'PRICE_COLLAR', detail: `${field} price $${value} is ${roundTo(deviation * 100, 2)}% from the last price $${reference}; ${collarText}` };
    }
  }
  if (!isMarketOrder(ctx) || ctx.quote === undefined || !(reference > 0)) return APPROVE;
  const [touchName, touch] = ctx.side === 'buy' ? ['ask', ctx.quote.ask] as const : ['bid', ctx.quote.bid] as const;
  if (!(touch > 0)) return APPROVE;
  const deviation = Math.abs(touch - reference) / reference;
  if (!exceedsLimit(deviation, collar)) return APPROVE;
  return {
    ok: false, code: 'PRICE_OUTSIDE_COLLAR',
    detail: `market ${ctx.side}: the ${touchName} $${touch} is ${roundTo(deviation * 100, 2)}% from the reference price $${reference}; ${collarText}`,
  };
};

/**
 * A market order takes whatever price the book offers, so it is sized only from a quote that is sane: QUOTE_CROSSED
 * when the bid is above the ask, QUOTE_STALE when it is older than max_quote_age_seconds at the plan's time,
 * SPREAD_TOO_WIDE when (ask − bid) / mid exceeds max_spread_bps. Limit orders carry their own price protection.
 */
export const checkMarketQuote: PreTradeCheck = (ctx) => {
  const quote = ctx.quote;
  if (ctx.limitPrice !== undefined || quote === undefined || !(quote.bid > 0 && quote.ask > 0)) return APPROVE;
  const { max_quote_age_seconds: maxAge, max_spread_bps: maxSpread } = ctx.config.risk_management;
  if (quote.bid > quote.ask) {
    return { ok: false, code: 'QUOTE_CROSSED', detail: `bid $${quote.bid} is above ask $${quote.ask}: no market order on a crossed quote` };
  }
  const quotedAt = Date.parse(quote.timestamp);
  const asOf = ctx.asOf === undefined ? NaN : Date.parse(ctx.asOf);
  if (Number.isFinite(quotedAt) && Number.isFinite(asOf)) {
    const ageSeconds = (asOf - quotedAt) / 1000;
    if (exceedsLimit(ageSeconds, maxAge)) {
      return { ok: false, code: 'QUOTE_STALE', detail: `the quote is ${Math.round(ageSeconds)} s old; max_quote_age_seconds is ${maxAge}` };
    }
  }
  const spreadBps = ((quote.ask - quote.bid) / ((quote.ask + quote.bid) / 2)) * 10_000;
  if (exceedsLimit(spreadBps, maxSpread)) {
    return { ok: false, code: 'SPREAD_TOO_WIDE', detail: `spread ${roundTo(spreadBps, 1)} bps ($${quote.bid} × $${quote.ask}) exceeds max_spread_bps ${maxSpread}` };
  }
  return APPROVE;
};

/** DUPLICATE_INTENT: an open order for the same symbol and side already exists at the broker. */
export const checkDuplicateIntent: PreTradeCheck = (ctx) => {
  const open = (ctx.openOrders ?? []).find((order) => order.symbol === ctx.symbol && order.side === ctx.side && isOpenStatus(order.status));
  if (!open) return APPROVE;
  return {
    ok: false, code: 'DUPLICATE_INTENT',
    detail: `open ${open.side} order ${open.clientOrderId || open.id} (${open.status}, qty ${open.qty ?? `$${open.notional}`}, filled ${open.filledQty}) already exists for ${ctx.symbol}`,
  };
};

/**
 * The largest quantity of the order keeping |net| within max(cap, |net before|): moving one way, |net| grows
 * monotonically once past zero.
 */
function netAllowedQty(ctx: PreTradeContext, netBefore: number, cap: number, price: number): number {
  const direction = ctx.side === 'buy' ? 1 : -1;
  return Math.min(ctx.qty, floorShares(Math.max(0, (Math.max(cap, Math.abs(netBefore)) - direction * netBefore) / price), ctx.fractional));
}

/**
 * GROSS_EXPOSURE_EXCEEDED: the portfolio's long + short market value after a risk-increasing order above
 * max_gross_exposure × equity. The broker's buying power allows leverage (4× intraday); this is the strategy's own cap.
 */
export const checkGrossExposure: PreTradeCheck = (ctx) => {
  if (isRiskReducing(ctx)) return APPROVE;
  const price = ctx.price ?? 0;
  const cap = ctx.config.risk_management.max_gross_exposure * ctx.account.equity;
  const other = ctx.otherGross ?? 0;
  const gross = other + Math.abs(resultingQty(ctx)) * price;
  if (!exceedsLimit(gross, cap)) return APPROVE;
  return resizeOrReject(ctx, qtyWithin(ctx, (cap - other) / price), 'GROSS_EXPOSURE_EXCEEDED',
    `gross exposure $${roundToCents(gross)} would exceed max_gross_exposure × equity $${roundToCents(cap)}`);
};

/** NET_EXPOSURE_EXCEEDED: |long − short| of the portfolio after an order that raises it above max_net_exposure × equity. */
export const checkNetExposure: PreTradeCheck = (ctx) => {
  const price = ctx.price ?? 0;
  const cap = ctx.config.risk_management.max_net_exposure * ctx.account.equity;
  const other = ctx.otherNet ?? 0;
  const before = other + ctx.positionQty * price;
  const after = other + resultingQty(ctx) * price;
  if (!exceedsLimit(Math.abs(after), cap) || Math.abs(after) <= Math.abs(before)) return APPROVE;
  return resizeOrReject(ctx, netAllowedQty(ctx, before, cap, price), 'NET_EXPOSURE_EXCEEDED',
    `net exposure $${roundToCents(after)} would exceed max_net_exposure × equity $${roundToCents(cap)}`);
};

/** The checks in the order they run: cheap gates first, then the price, then the resizing limits. */
export const PRE_TRADE_CHECKS: ReadonlyArray<readonly [string, PreTradeCheck]> = [
  ['trading_state', checkTradingState],
  ['daily_loss', checkDailyLoss],
  ['restricted_symbol', checkRestrictedSymbol],
  ['asset_tradable', checkAssetTradable],
  ['price', checkPrice],
  ['duplicate_intent', checkDuplicateIntent],
  ['price_collar', checkPriceCollar],
  ['market_quote', checkMarketQuote],
  ['shorting', checkShorting],
  ['orders_per_day', checkOrdersPerDay],
  ['order_notional', checkOrderNotional],
  ['position_size', checkPositionSize],
  ['position_risk', checkPositionRisk],
  ['sector_exposure', checkSectorExposure],
  ['sector_net_exposure', checkSectorNetExposure],
  ['correlated_exposure', checkCorrelatedExposure],
  ['gross_exposure', checkGrossExposure],
  ['net_exposure', checkNetExposure],
];

/** Outcome of all pre-trade checks on one order. */
export interface PreTradeOutcome {
  /** Final unsigned quantity; 0 when rejected. */
  qty: number;
  verdicts: CheckVerdict[];
  /** The first rejection, which stops the remaining checks. */
  rejection: { code: string; detail: string } | null;
}

/** Runs every pre-trade check in order; each sees earlier resizes, and the first rejection ends the run. */
export function runPreTradeChecks(ctx: PreTradeContext, checks = PRE_TRADE_CHECKS): PreTradeOutcome {
  const verdicts: CheckVerdict[] = [];
  let current = ctx;
  for (const [name, check] of checks) {
    const result = check(current);
    verdicts.push(toVerdict(name, result));
    if (!result.ok) return { qty: 0, verdicts, rejection: { code: result.code, detail: result.detail } };
    if (isResize(result)) current = { ...current, qty: Math.min(current.qty, result.qty) };
  }
  return { qty: current.qty, verdicts, rejection: null };
}
