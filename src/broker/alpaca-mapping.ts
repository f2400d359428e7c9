/**
 * Pure mapping between the SDK's models (camelCase, decimal strings, Dates) and tradeflow's domain types, plus
 * the SDK-error → BrokerError classification. No I/O, so it is unit-testable with plain objects.
 */
import type { marketData, streaming, trading } from '@alpacahq/alpaca-trade-api';
import type { DailyBar } from '../domain/stats';
import { ORDER_STATUSES } from '../domain/types';
import type {
  Account, Asset, BrokerOrder, EquityPoint, MarketClock, OrderIntent, OrderStatus, OrderType, PortfolioHistory, Position, Quote, Side,
  TimeInForce,
} from '../domain/types';
import {
  BrokerError, BrokerRejected, BrokerUnauthorized, BrokerUnavailable, DuplicateClientOrderId, NotFound,
  OrderNotCancelable, RateLimited,
} from './errors';
import { newYorkDate } from '../domain/market-time';
import type { OrderUpdate } from './port';

/** A decimal string (up to 9 places, no exponent, no float noise) as Alpaca expects amounts. */
export function decimalString(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite amount: ${n}`);
  const s = n.toFixed(9).replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

/** Number from a wire decimal; null for absent or unparsable values. */
export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

const num0 = (value: unknown): number => toNumber(value) ?? 0;

/** RFC-3339 from a Date or a string; null when absent. */
export function toIso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'string' && value !== '') return value;
  return null;
}

export function orderRequestFromIntent(intent: OrderIntent): trading.PostOrderRequest {
  const req: trading.PostOrderRequest = {
    symbol: intent.symbol,
    side: intent.side,
    type: intent.type,
    timeInForce: intent.timeInForce,
    clientOrderId: intent.clientOrderId,
  };
  if (intent.qty !== undefined) req.qty = decimalString(intent.qty);
  if (intent.notional !== undefined) req.notional = decimalString(intent.notional);
  if (intent.limitPrice !== undefined) req.limitPrice = decimalString(intent.limitPrice);
  if (intent.stopPrice !== undefined) req.stopPrice = decimalString(intent.stopPrice);
  if (intent.trailPrice !== undefined) req.trailPrice = decimalString(intent.trailPrice);
  if (intent.trailPercent !== undefined) req.trailPercent = decimalString(intent.trailPercent);
  if (intent.orderClass !== undefined) req.orderClass = intent.orderClass;
  if (intent.takeProfit) req.takeProfit = { limitPrice: decimalString(intent.takeProfit.limitPrice) };
  if (intent.stopLoss) {
    req.stopLoss = {
      stopPrice: decimalString(intent.stopLoss.stopPrice),
      ...(intent.stopLoss.limitPrice !== undefined ? { limitPrice: decimalString(intent.stopLoss.limitPrice) } : {}),
    };
  }
  return req;
}

export function orderFromWire(o: trading.Order): BrokerOrder {
  return {
    id: String(o.id ?? ''),
    clientOrderId: String(o.clientOrderId ?? ''),
    symbol: String(o.symbol ?? ''),
    side: String(o.side ?? '') as Side,
    type: String(o.type ?? o.orderType ?? '') as OrderType,
    timeInForce: String(o.timeInForce ?? '') as TimeInForce,
    qty: toNumber(o.qty),
    notional: toNumber(o.notional),
    filledQty: num0(o.filledQty),
    filledAvgPrice: toNumber(o.filledAvgPrice),
    limitPrice: toNumber(o.limitPrice),
    stopPrice: toNumber(o.stopPrice),
    status: String(o.status ?? '') as OrderStatus,
    submittedAt: toIso(o.submittedAt),
    filledAt: toIso(o.filledAt),
    canceledAt: toIso(o.canceledAt),
    expiredAt: toIso(o.expiredAt),
    updatedAt: toIso(o.updatedAt),
  };
}

/**
 * A `trade_updates` event as the SDK's TradingStream hands it over (`mapTradeUpdate`: `order` deserialized like a REST
 * order, camelCase; the top-level snake_case keys kept beside `executionId`, `price`, `qty`, `positionQty`).
 */
export function orderUpdateFromWire(u: streaming.TradeUpdate): OrderUpdate {
  const raw = u as Record<string, unknown>;
  const executionId = u.executionId ?? raw.execution_id;
  return {
    event: String(u.event ?? ''),
    order: orderFromWire(u.order ?? {}),
    executionId: typeof executionId === 'string' && executionId !== '' ? executionId : null,
    timestamp: toIso(u.timestamp),
    price: toNumber(u.price),
    qty: toNumber(u.qty),
    positionQty: toNumber(u.positionQty ?? raw.position_qty),
  };
}

const KNOWN_STATUSES: ReadonlySet<string> = new Set(ORDER_STATUSES);

/**
 * Why a trade update cannot be taken as its order's state, or null when it can: no client order id, a status Alpaca
 * does not have, or a fill without its quantity or price. Such an update is skipped and the order read over REST.
 */
export function unreadableOrderUpdate(update: OrderUpdate): string | null {
  const { order } = update;
  if (order.clientOrderId === '') return 'no client_order_id';
  if (!KNOWN_STATUSES.has(order.status)) return `an unknown order status ${JSON.stringify(order.status.slice(0, 40))}`;
  if (order.status === 'filled' || order.status === 'partially_filled') {
    if (!(order.filledQty > 0)) return `${order.status} with no filled_qty`;
    if (order.filledAvgPrice === null) return `${order.status} with no filled_avg_price`;
  }
  if (order.qty !== null && order.filledQty > order.qty) return 'a filled_qty above the qty';
  return null;
}

/** `{ [key]: n }` for a reported number, `{}` for an absent or unparsable one. */
function optionalNumber<K extends string>(key: K, value: unknown): { [P in K]?: number } {
  const n = toNumber(value);
  return (n === null ? {} : { [key]: n }) as { [P in K]?: number };
}

export function accountFromWire(a: trading.Account): Account {
  return {
    id: String(a.id),
    accountNumber: String(a.accountNumber ?? ''),
    status: String(a.status ?? ''),
    currency: String(a.currency ?? 'USD'),
    cash: num0(a.cash),
    equity: num0(a.equity),
    lastEquity: num0(a.lastEquity),
    buyingPower: num0(a.buyingPower),
    // Left out when the broker does not send them: the plan then falls back to buying_power and says so.
    ...optionalNumber('regtBuyingPower', a.regtBuyingPower),
    ...optionalNumber('nonMarginableBuyingPower', a.nonMarginableBuyingPower),
    longMarketValue: num0(a.longMarketValue),
    shortMarketValue: num0(a.shortMarketValue),
    tradingBlocked: a.tradingBlocked === true || a.accountBlocked === true,
    shortingEnabled: a.shortingEnabled === true,
  };
}

export function positionFromWire(p: trading.Position): Position {
  let qty = num0(p.qty);
  // Alpaca signs short quantities; tolerate a broker that reports them unsigned with side=short.
  if (String(p.side) === 'short' && qty > 0) qty = -qty;
  return {
    symbol: String(p.symbol),
    qty,
    avgEntryPrice: num0(p.avgEntryPrice),
    currentPrice: num0(p.currentPrice),
    marketValue: num0(p.marketValue),
    costBasis: num0(p.costBasis),
    unrealizedPl: num0(p.unrealizedPl),
    lastdayPrice: toNumber(p.lastdayPrice),
  };
}

export function assetFromWire(a: trading.Assets): Asset {
  return {
    symbol: String(a.symbol),
    name: String(a.name ?? a.symbol),
    tradable: a.tradable === true,
    active: String(a.status) === 'active',
    shortable: a.shortable === true,
    easyToBorrow: a.easyToBorrow === true,
    fractionable: a.fractionable === true,
  };
}

export function clockFromWire(c: trading.LegacyClock): MarketClock {
  return {
    timestamp: toIso(c.timestamp) ?? '',
    isOpen: c.isOpen === true,
    nextOpen: toIso(c.nextOpen) ?? '',
    nextClose: toIso(c.nextClose) ?? '',
  };
}

/** A quote from a snapshot; null when it carries neither a usable quote nor a trade. */
export function quoteFromSnapshot(symbol: string, s: marketData.StockSnapshot | undefined): Quote | null {
  if (!s) return null;
  const bid = toNumber(s.latestQuote?.bp) ?? 0;
  const ask = toNumber(s.latestQuote?.ap) ?? 0;
  const last = toNumber(s.latestTrade?.p);
  const haveBook = bid > 0 && ask > 0;
  if (!haveBook && (last === null || last <= 0)) return null;
  const timestamp = toIso(s.latestQuote?.t) ?? toIso(s.latestTrade?.t) ?? '';
  return {
    symbol,
    bid: haveBook ? bid : (last ?? 0),
    ask: haveBook ? ask : (last ?? 0),
    last: last ?? (bid + ask) / 2,
    timestamp,
  };
}

/**
 * A daily bar from the wire (the SDK passes bars through unparsed, so `t` may be a string or a Date). Alpaca stamps
 * a daily bar at midnight New York time, so its New York date is the session date. Null for an unusable bar.
 */
export function dailyBarFromWire(bar: marketData.StockBar | Record<string, unknown>): DailyBar | null {
  const raw = bar as Record<string, unknown>;
  const iso = toIso(raw.t);
  const close = toNumber(raw.c);
  if (iso === null || close === null || Number.isNaN(Date.parse(iso))) return null;
  return {
    date: newYorkDate(iso),
    open: toNumber(raw.o) ?? close,
    high: toNumber(raw.h) ?? close,
    low: toNumber(raw.l) ?? close,
    close,
    volume: toNumber(raw.v) ?? 0,
  };
}

/** Portfolio history from the wire: parallel arrays zipped into points; a point without equity (null) is left out. */
export function portfolioHistoryFromWire(h: trading.PortfolioHistory): PortfolioHistory {
  const timestamps = Array.isArray(h.timestamp) ? h.timestamp : [];
  const equity = Array.isArray(h.equity) ? h.equity : [];
  const profitLoss = Array.isArray(h.profitLoss) ? h.profitLoss : [];
  const points: EquityPoint[] = [];
  timestamps.forEach((seconds, i) => {
    const value = toNumber(equity[i]);
    const at = toNumber(seconds);
    if (value === null || at === null) return;
    points.push({ timestamp: new Date(at * 1000).toISOString(), equity: value, profitLoss: toNumber(profitLoss[i]) ?? 0 });
  });
  return { timeframe: String(h.timeframe ?? ''), baseValue: num0(h.baseValue), points };
}

/** What the broker call was, for the one case where the same status means different things. */
export type BrokerOperation =
  | 'getAccount' | 'getPositions' | 'listOrders' | 'getOrder' | 'getOrderByClientOrderId' | 'submitOrder'
  | 'cancelOrder' | 'cancelAllOrders' | 'closePosition' | 'getClock' | 'getAssets' | 'getLatestQuotes'
  | 'getDailyBars' | 'getPortfolioHistory';

interface ApiErrorLike {
  name?: string;
  status: number;
  code?: unknown;
  message?: string;
  retryAfterMs?: number;
}

function isApiError(e: unknown): e is ApiErrorLike {
  return typeof e === 'object' && e !== null && typeof (e as { status?: unknown }).status === 'number'
    && 'response' in e;
}

/** Removes the credentials from a message, should a transport ever echo them. */
export function scrub(message: string, secrets: string[]): string {
  let out = message;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

/**
 * Classifies any error the SDK throws (ApiError subclasses, FetchError, aborts, bad bodies) into the
 * BrokerError classes. `secrets` are scrubbed from every message.
 */
export function toBrokerError(error: unknown, op: BrokerOperation, secrets: string[] = []): BrokerError {
  if (error instanceof BrokerError) return error;
  if (isApiError(error)) {
    const status = error.status;
    const codeNum = toNumber(error.code);
    const code = codeNum === null ? undefined : codeNum;
    const message = scrub(String(error.message || `HTTP ${status}`), secrets);
    if (status === 401) return new BrokerUnauthorized(message, status, code);
    if (status === 403) {
      const authLike = code === undefined && /forbidden|unauthori[sz]ed|not authorized|authenticat/i.test(message);
      return authLike ? new BrokerUnauthorized(message, status, code) : new BrokerRejected(message, status, code);
    }
    if (status === 404) return new NotFound(message, status, code);
    if (status === 429) return new RateLimited(message, error.retryAfterMs);
    if ((status === 422 || status === 400) && (code === 40010001 && /client.?order.?id/i.test(message))) {
      return new DuplicateClientOrderId(message, status, code);
    }
    if (status === 422 && op === 'cancelOrder') return new OrderNotCancelable(message, status, code);
    if (status === 408 || status >= 500) return new BrokerUnavailable(`${op}: ${message}`, status, code);
    if (status >= 400) return new BrokerRejected(message, status, code);
    return new BrokerUnavailable(`${op}: unexpected HTTP ${status}`, status, code);
  }
  const e = error as { name?: string; message?: string; cause?: { name?: string; message?: string; code?: string } };
  const name = e?.name ?? 'Error';
  const cause = e?.cause ? `: ${e.cause.name ?? ''} ${e.cause.code ?? ''} ${e.cause.message ?? ''}`.replace(/\s+/g, ' ') : '';
  if (name === 'RequiredError') return new BrokerRejected(scrub(String(e.message), secrets));
  // FetchError (network, abort, timeout) and anything else: the request may or may not have taken effect.
  return new BrokerUnavailable(scrub(`${op}: ${name}: ${e?.message ?? String(error)}${cause}`.trim(), secrets));
}
