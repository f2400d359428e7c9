/**
 * Validation of `POST /v2/orders` bodies into a normalized request, with Alpaca's 422 messages. Pure: the asset
 * lookup is a parameter.
 */
import type { OrderType, Side, TimeInForce } from './alpaca-enums';
import { invalid } from './sim-error';
import type { SimAsset } from './universe';

export const MAX_CLIENT_ORDER_ID = 128;
const SIDES: readonly Side[] = ['buy', 'sell'];
const TYPES: readonly OrderType[] = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'];
const TIFS: readonly TimeInForce[] = ['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'];
const CLASSES: readonly OrderClass[] = ['simple', 'bracket', 'oco', 'oto'];

/** Equity order classes; `''` in a request means simple. */
export type OrderClass = 'simple' | 'bracket' | 'oco' | 'oto';

/** The exit prices of an advanced order. */
export interface TakeProfit { limitPrice: number }
export interface StopLoss { stopPrice: number; limitPrice: number | null }

/** A validated order request; amounts are numbers. */
export interface OrderRequest {
  symbol: string;
  asset: SimAsset;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  qty: number | null;
  notional: number | null;
  limitPrice: number | null;
  stopPrice: number | null;
  trailPrice: number | null;
  trailPercent: number | null;
  extendedHours: boolean;
  clientOrderId: string | null;
  positionIntent: string | null;
  /** True when qty is not whole or the order is notional. */
  fractional: boolean;
  orderClass: OrderClass;
  takeProfit: TakeProfit | null;
  stopLoss: StopLoss | null;
}

/** The fields PATCH /v2/orders/{id} may change; null = keep. */
export interface ReplaceRequest {
  qty: number | null;
  timeInForce: TimeInForce | null;
  limitPrice: number | null;
  stopPrice: number | null;
  trail: number | null;
  clientOrderId: string | null;
}

/** Parses a decimal given as a string or number; undefined/null/'' mean absent. */
export function parseDecimal(value: unknown, field: string): { value: number; text: string } | null {
  if (value === undefined || value === null || value === '') return null;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : null;
  if (text === null || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) throw invalid(`invalid ${field}`);
  const n = Number(text);
  if (!Number.isFinite(n)) throw invalid(`invalid ${field}`);
  return { value: n, text };
}

function decimals(text: string, n: number): number {
  if (/e/i.test(text)) {
    const s = n.toFixed(12).replace(/0+$/, '');
    return s.includes('.') ? s.length - s.indexOf('.') - 1 : 0;
  }
  const i = text.indexOf('.');
  return i < 0 ? 0 : text.slice(i + 1).replace(/0+$/, '').length;
}

/** Sub-penny rule: prices of $1 or more allow 2 decimals, below $1 four. */
export function checkPriceIncrement(field: string, parsed: { value: number; text: string }): void {
  const allowed = parsed.value >= 1 ? 2 : 4;
  if (decimals(parsed.text, parsed.value) > allowed) {
    throw invalid(`invalid ${field} ${parsed.text}. sub-penny increment does not fulfill minimum pricing criteria`);
  }
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || value === '') throw invalid(`${field} is required`);
  if (!(allowed as readonly string[]).includes(value)) throw invalid(`invalid ${field}: ${value}`);
  return value as T;
}

function positivePrice(body: Record<string, unknown>, field: string): number | null {
  const parsed = parseDecimal(body[field], field);
  if (!parsed) return null;
  if (parsed.value <= 0) throw invalid(`${field} must be > 0`);
  checkPriceIncrement(field, parsed);
  return parsed.value;
}

/** Validates a request body; throws SimError(422) naming the offending field. */
export function parseOrderRequest(body: unknown, findAsset: (symbol: string) => SimAsset | undefined): OrderRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('request body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.symbol !== 'string' || b.symbol.trim() === '') throw invalid('symbol is required');
  const symbol = b.symbol.trim().toUpperCase();
  const side = oneOf(b.side, SIDES, 'side');
  const type = oneOf(b.type, TYPES, 'type');
  const timeInForce = oneOf(b.time_in_force, TIFS, 'time_in_force');

  const orderClass: OrderClass = b.order_class === undefined || b.order_class === null || b.order_class === ''
    ? 'simple' : oneOf(b.order_class, CLASSES, 'order_class');
  const clientOrderId = parseClientOrderId(b.client_order_id);

  const qtyParsed = parseDecimal(b.qty, 'qty');
  const notionalParsed = parseDecimal(b.notional, 'notional');
  if (qtyParsed && notionalParsed) throw invalid('qty and notional are mutually exclusive');
  if (!qtyParsed && !notionalParsed) throw invalid('qty or notional is required');
  if (qtyParsed) {
    if (qtyParsed.value <= 0) throw invalid('qty must be > 0');
    if (decimals(qtyParsed.text, qtyParsed.value) > 9) throw invalid('qty must have at most 9 decimal places');
  }
  if (notionalParsed) {
    if (notionalParsed.value <= 0) throw invalid('notional must be > 0');
    if (decimals(notionalParsed.text, notionalParsed.value) > 2) throw invalid('notional must have at most 2 decimal places');
    if (notionalParsed.value < 1) throw invalid('notional must be at least 1');
  }
  const qty = qtyParsed?.value ?? null;
  const notional = notionalParsed?.value ?? null;

  const takeProfit = parseTakeProfit(b.take_profit);
  const stopLoss = parseStopLoss(b.stop_loss);
  let limitPrice = positivePrice(b, 'limit_price');
  // An OCO's parent is the take-profit limit: its price may come from take_profit alone.
  if (orderClass === 'oco' && limitPrice === null && takeProfit) limitPrice = takeProfit.limitPrice;
  const stopPrice = positivePrice(b, 'stop_price');
  const trailPrice = positivePrice(b, 'trail_price');
  const trailPercentParsed = parseDecimal(b.trail_percent, 'trail_percent');
  const trailPercent = trailPercentParsed?.value ?? null;

  const needsLimit = type === 'limit' || type === 'stop_limit';
  const needsStop = type === 'stop' || type === 'stop_limit';
  if (needsLimit && limitPrice === null) throw invalid('limit_price is required');
  if (!needsLimit && limitPrice !== null) throw invalid(`limit_price is not allowed for ${type} orders`);
  if (needsStop && stopPrice === null) throw invalid('stop_price is required');
  if (!needsStop && stopPrice !== null) throw invalid(`stop_price is not allowed for ${type} orders`);
  if (type === 'trailing_stop') {
    if ((trailPrice === null) === (trailPercent === null)) throw invalid('exactly one of trail_price or trail_percent is required');
    if (trailPercent !== null && (trailPercent <= 0 || trailPercent >= 100)) throw invalid('trail_percent must be between 0 and 100');
    if (timeInForce !== 'day' && timeInForce !== 'gtc') throw invalid('trailing_stop orders require time_in_force day or gtc');
  } else if (trailPrice !== null || trailPercent !== null) {
    throw invalid(`trail_price and trail_percent are only allowed for trailing_stop orders`);
  }

  const extendedHours = b.extended_hours === true || b.extended_hours === 'true';
  if (extendedHours && !(type === 'limit' && (timeInForce === 'day' || timeInForce === 'gtc'))) {
    throw invalid('extended hours order must be DAY or GTC limit orders');
  }

  const asset = findAsset(symbol);
  if (!asset || asset.symbol !== symbol) throw invalid(`asset "${symbol}" not found`);
  if (!asset.tradable) throw invalid(`asset ${symbol} is not tradable`);

  const fractional = notional !== null || (qty !== null && !Number.isInteger(qty));
  if (fractional) {
    if (!asset.fractionable) throw invalid(`requested asset is not fractionable`);
    if (timeInForce !== 'day') throw invalid('fractional orders must be DAY orders');
    if (notional !== null && type !== 'market') throw invalid('notional orders must be market orders');
    if (type !== 'market' && type !== 'limit') throw invalid('fractional orders must be market or limit orders');
  }

  checkOrderClass(orderClass, { type, timeInForce, side, extendedHours, fractional, limitPrice, takeProfit, stopLoss });

  const positionIntent = b.position_intent === undefined || b.position_intent === null ? null
    : oneOf(b.position_intent, ['buy_to_open', 'buy_to_close', 'sell_to_open', 'sell_to_close'] as const, 'position_intent');
  return {
    symbol, asset, side, type, timeInForce, qty, notional, limitPrice, stopPrice, trailPrice, trailPercent,
    extendedHours, clientOrderId, positionIntent, fractional, orderClass,
    takeProfit: orderClass === 'simple' ? null : takeProfit, stopLoss: orderClass === 'simple' ? null : stopLoss,
  };
}

function parseClientOrderId(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw invalid('invalid client_order_id');
  if (value.length > MAX_CLIENT_ORDER_ID) throw invalid(`client_order_id must be no more than ${MAX_CLIENT_ORDER_ID} characters`);
  return value;
}

function objectField(value: unknown, field: string): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`invalid ${field}`);
  return value as Record<string, unknown>;
}

function parseTakeProfit(value: unknown): TakeProfit | null {
  const o = objectField(value, 'take_profit');
  if (!o) return null;
  const limitPrice = positivePrice(o, 'limit_price');
  if (limitPrice === null) throw invalid('take_profit.limit_price is required');
  return { limitPrice };
}

function parseStopLoss(value: unknown): StopLoss | null {
  const o = objectField(value, 'stop_loss');
  if (!o) return null;
  const stopPrice = positivePrice(o, 'stop_price');
  if (stopPrice === null) throw invalid('stop_loss.stop_price is required');
  return { stopPrice, limitPrice: positivePrice(o, 'limit_price') };
}

/** Alpaca's rules for bracket, OCO and OTO orders (NOTES.md §2.5). */
function checkOrderClass(orderClass: OrderClass, o: {
  type: OrderType; timeInForce: TimeInForce; side: Side; extendedHours: boolean; fractional: boolean;
  limitPrice: number | null; takeProfit: TakeProfit | null; stopLoss: StopLoss | null;
}): void {
  if (orderClass === 'simple') {
    if (o.takeProfit || o.stopLoss) throw invalid('take_profit and stop_loss need order_class bracket, oco or oto');
    return;
  }
  if (o.fractional) throw invalid('fractional orders must be simple orders');
  if (o.extendedHours) throw invalid(`extended hours is not supported for ${orderClass} orders`);
  if (o.timeInForce !== 'day' && o.timeInForce !== 'gtc') throw invalid(`${orderClass} orders must be DAY or GTC orders`);
  if (o.type === 'trailing_stop') throw invalid(`trailing_stop is not allowed for ${orderClass} orders`);
  if (orderClass === 'bracket' || orderClass === 'oco') {
    if (!o.takeProfit) throw invalid('take_profit.limit_price is required');
    if (!o.stopLoss) throw invalid('stop_loss.stop_price is required');
  }
  if (orderClass === 'oto' && (o.takeProfit === null) === (o.stopLoss === null)) {
    throw invalid('oto orders need exactly one of take_profit or stop_loss');
  }
  if (orderClass === 'oco' && o.type !== 'limit') throw invalid('oco orders must be limit orders');
  const { takeProfit, stopLoss } = o;
  // The exits sit on the far side of the entry: for a buy, take-profit above the stop-loss (a sell the reverse).
  const exitSide: Side = orderClass === 'oco' ? o.side : o.side === 'buy' ? 'sell' : 'buy';
  if (takeProfit && stopLoss) {
    const ok = exitSide === 'sell' ? takeProfit.limitPrice > stopLoss.stopPrice : takeProfit.limitPrice < stopLoss.stopPrice;
    if (!ok) {
      throw invalid(`take_profit.limit_price must be ${exitSide === 'sell' ? '>' : '<'} stop_loss.stop_price`);
    }
  }
  if (orderClass !== 'oco' && o.limitPrice !== null) {
    const base = o.limitPrice;
    if (takeProfit && (exitSide === 'sell' ? takeProfit.limitPrice <= base : takeProfit.limitPrice >= base)) {
      throw invalid(`take_profit.limit_price must be ${exitSide === 'sell' ? '>' : '<'} limit_price`);
    }
    if (stopLoss && (exitSide === 'sell' ? stopLoss.stopPrice > base - 0.01 + 1e-9 : stopLoss.stopPrice < base + 0.01 - 1e-9)) {
      throw invalid(`stop_loss.stop_price must be ${exitSide === 'sell' ? '<=' : '>='} limit_price ${exitSide === 'sell' ? '-' : '+'} 0.01`);
    }
  }
}

/** Validates a PATCH body; which fields apply depends on the order, so the engine checks those. */
export function parseReplaceRequest(body: unknown): ReplaceRequest {
  if (body === null || body === undefined || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid('request body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  const qtyParsed = parseDecimal(b.qty, 'qty');
  if (qtyParsed && qtyParsed.value <= 0) throw invalid('qty must be > 0');
  if (qtyParsed && decimals(qtyParsed.text, qtyParsed.value) > 9) throw invalid('qty must have at most 9 decimal places');
  if (b.notional !== undefined && b.notional !== null) throw invalid('notional can only be replaced on IPO orders');
  const trail = parseDecimal(b.trail, 'trail');
  if (trail && trail.value <= 0) throw invalid('trail must be > 0');
  return {
    qty: qtyParsed?.value ?? null,
    timeInForce: b.time_in_force === undefined || b.time_in_force === null ? null : oneOf(b.time_in_force, TIFS, 'time_in_force'),
    limitPrice: positivePrice(b, 'limit_price'),
    stopPrice: positivePrice(b, 'stop_price'),
    trail: trail?.value ?? null,
    clientOrderId: parseClientOrderId(b.client_order_id),
  };
}
