import { z } from 'zod';
import { MAX_CLIENT_ORDER_ID_LENGTH } from './client-order-id';
import { FRACTIONAL_SHARE_DECIMALS, hasAtMostDecimals, isValidPriceIncrement } from './money';
import { symbolSchema } from './signals';
import type { OrderIntent, OrderStatus } from './types';

const price = z.number({ error: 'must be a finite number' }).positive('must be positive')
  .refine(isValidPriceIncrement, 'sub-penny increment: at most 2 decimals at or above $1, 4 below');

/** Schema for an {@link OrderIntent}: per-type prices, exactly one of qty/notional, bracket legs ordered for the side. */
export const orderIntentSchema = z.strictObject({
  clientOrderId: z.string().min(1, 'must not be empty').max(MAX_CLIENT_ORDER_ID_LENGTH, `must be at most ${MAX_CLIENT_ORDER_ID_LENGTH} characters`),
  symbol: symbolSchema,
  side: z.enum(['buy', 'sell']),
  type: z.enum(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop']),
  timeInForce: z.enum(['day', 'gtc', 'ioc', 'fok', 'opg', 'cls']),
  qty: z.number({ error: 'must be a finite number' }).positive('must be positive')
    .refine((qty) => hasAtMostDecimals(qty, FRACTIONAL_SHARE_DECIMALS), `at most ${FRACTIONAL_SHARE_DECIMALS} decimals`).optional(),
  notional: z.number({ error: 'must be a finite number' }).positive('must be positive')
    .refine((notional) => hasAtMostDecimals(notional, 2), 'at most 2 decimals (cents)').optional(),
  limitPrice: price.optional(),
  stopPrice: price.optional(),
  trailPrice: price.optional(),
  trailPercent: z.number({ error: 'must be a finite number' }).positive('must be positive').max(100, 'must be at most 100').optional(),
  orderClass: z.enum(['simple', 'bracket', 'oco', 'oto']).optional(),
  takeProfit: z.strictObject({ limitPrice: price }).optional(),
  stopLoss: z.strictObject({ stopPrice: price, limitPrice: price.optional() }).optional(),
}).superRefine((order, ctx) => {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

  if ((order.qty === undefined) === (order.notional === undefined)) issue(['qty'], 'exactly one of qty and notional must be set');

  const needsLimit = order.type === 'limit' || order.type === 'stop_limit';
  const needsStop = order.type === 'stop' || order.type === 'stop_limit';
  if (needsLimit && order.limitPrice === undefined) issue(['limitPrice'], `required for a ${order.type} order`);
  if (!needsLimit && order.limitPrice !== undefined) issue(['limitPrice'], `not allowed for a ${order.type} order`);
  if (needsStop && order.stopPrice === undefined) issue(['stopPrice'], `required for a ${order.type} order`);
  if (!needsStop && order.stopPrice !== undefined) issue(['stopPrice'], `not allowed for a ${order.type} order`);
  if (order.type === 'trailing_stop') {
    if ((order.trailPrice === undefined) === (order.trailPercent === undefined)) {
      issue(['trailPrice'], 'a trailing_stop order needs exactly one of trailPrice and trailPercent');
    }
  } else {
    if (order.trailPrice !== undefined) issue(['trailPrice'], `not allowed for a ${order.type} order`);
    if (order.trailPercent !== undefined) issue(['trailPercent'], `not allowed for a ${order.type} order`);
  }

  // Alpaca takes fractional and notional orders only as day orders, and never as trailing stops or multi-leg orders.
  const fractional = order.notional !== undefined || (order.qty !== undefined && !Number.isInteger(order.qty));
  if (fractional) {
    const field = order.notional !== undefined ? 'notional' : 'qty';
    if (order.timeInForce !== 'day') issue([field], 'fractional or notional orders must use timeInForce "day"');
    if (order.type === 'trailing_stop') issue([field], 'fractional or notional orders cannot be trailing stops');
    if ((order.orderClass ?? 'simple') !== 'simple') issue([field], 'fractional or notional orders must be simple orders');
  }
  if (order.notional !== undefined && order.type !== 'market') issue(['notional'], `notional orders must be market orders, not ${order.type}`);
  // An OCO is a pair of exits on a held position: the take-profit is the order's own limit.
  if (order.orderClass === 'oco' && order.type !== 'limit') issue(['type'], `an oco order must be "limit", not "${order.type}"`);

  checkLegs(order, issue);
});

function checkLegs(order: OrderIntent, issue: (path: (string | number)[], message: string) => void): void {
  const orderClass = order.orderClass ?? 'simple';
  const { takeProfit, stopLoss } = order;
  if (orderClass === 'simple') {
    if (takeProfit) issue(['takeProfit'], 'only allowed on bracket, oco or oto orders');
    if (stopLoss) issue(['stopLoss'], 'only allowed on bracket, oco or oto orders');
    return;
  }
  if (orderClass === 'bracket' || orderClass === 'oco') {
    if (!takeProfit) issue(['takeProfit'], `required for a ${orderClass} order`);
    if (!stopLoss) issue(['stopLoss'], `required for a ${orderClass} order`);
  }
  if (orderClass === 'oto' && (takeProfit === undefined) === (stopLoss === undefined)) {
    issue(['takeProfit'], 'an oto order needs exactly one of takeProfit and stopLoss');
  }
  if (orderClass === 'bracket' && order.timeInForce !== 'day' && order.timeInForce !== 'gtc') {
    issue(['timeInForce'], 'a bracket order must be "day" or "gtc"');
  }
  // The exits close the entry, so for a buy entry profit is above the stop (and the entry limit between them);
  // mirrored for a sell. An oco has no entry: it is the exit pair itself, so a sell oco exits a long.
  const entrySide = orderClass === 'oco' ? (order.side === 'buy' ? 'sell' : 'buy') : order.side;
  const above = (a: number, b: number) => (entrySide === 'buy' ? a > b : a < b);
  const word = entrySide === 'buy' ? 'above' : 'below';
  if (takeProfit && stopLoss && !above(takeProfit.limitPrice, stopLoss.stopPrice)) {
    issue(['takeProfit', 'limitPrice'], `must be ${word} stopLoss.stopPrice for a ${order.side} ${orderClass} order`);
  }
  if (orderClass === 'bracket' && order.limitPrice !== undefined) {
    if (takeProfit && !above(takeProfit.limitPrice, order.limitPrice)) {
      issue(['takeProfit', 'limitPrice'], `must be ${word} limitPrice for a ${order.side} order`);
    }
    if (stopLoss && !above(order.limitPrice, stopLoss.stopPrice)) {
      issue(['stopLoss', 'stopPrice'], `must be ${order.side === 'buy' ? 'below' : 'above'} limitPrice for a ${order.side} order`);
    }
  }
  if (stopLoss?.limitPrice !== undefined && above(stopLoss.limitPrice, stopLoss.stopPrice)) {
    issue(['stopLoss', 'limitPrice'], `must not be ${word} stopLoss.stopPrice: the stop-loss exit is a ${entrySide === 'buy' ? 'sell' : 'buy'}`);
  }
}

/** One problem with an order intent: a dotted path (empty for the whole order) and a message. */
export interface OrderIssue {
  path: string;
  message: string;
}

/** Validates untrusted input as an order intent, collecting every issue. */
export function validateOrderIntent(input: unknown): { ok: true; order: OrderIntent } | { ok: false; errors: OrderIssue[] } {
  const result = orderIntentSchema.safeParse(input);
  if (result.success) return { ok: true, order: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  };
}

/** Statuses after which an order can never fill again. `done_for_day` is not one: the order may resume next session. */
export const TERMINAL_ORDER_STATUSES: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['filled', 'canceled', 'expired', 'rejected', 'replaced']);

/** True when the order is final (filled, canceled, expired, rejected or replaced). */
export function isTerminalStatus(status: OrderStatus): boolean {
  return TERMINAL_ORDER_STATUSES.has(status);
}

/** True when the order may still fill: every status that is not terminal. */
export function isOpenStatus(status: OrderStatus): boolean {
  return !isTerminalStatus(status);
}
