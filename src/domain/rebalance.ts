import type { ExecutionConfig } from '../config-schema';
import { APPROVE, type CheckResult } from './check-result';
import { exceedsLimit, floorShares, roundTo, roundToCents, sharesWithin, FRACTIONAL_SHARE_DECIMALS } from './money';
import { isOpenStatus } from './orders';
import type { BrokerOrder, CheckVerdict, Side } from './types';

/**
 * Signed quantity still to come from open orders, by symbol (buys positive). Fills so far are already in the
 * positions, so only the unfilled remainder counts; a notional order is converted at the given price.
 */
export function pendingQuantities(openOrders: BrokerOrder[], prices: Record<string, number>): Record<string, number> {
  const pending: Record<string, number> = {};
  for (const order of openOrders) {
    if (!isOpenStatus(order.status)) continue;
    const price = prices[order.symbol];
    const ordered = order.qty ?? (order.notional !== null && price ? order.notional / price : 0);
    const remaining = Math.max(0, ordered - order.filledQty);
    const signed = order.side === 'buy' ? remaining : -remaining;
    pending[order.symbol] = roundTo((pending[order.symbol] ?? 0) + signed, FRACTIONAL_SHARE_DECIMALS);
  }
  return pending;
}

/** What rebalancing one symbol needs. Quantities are signed (negative is short). */
export interface RebalanceInput {
  symbol: string;
  price: number;
  currentQty: number;
  pendingQty: number;
  targetQty: number;
  equity: number;
  config: ExecutionConfig;
  /** Whether this symbol trades in fractions (config and asset); opening shorts never do. */
  fractional: boolean;
}

/** The trade rebalancing asks for, before risk checks. */
export interface RebalanceResult {
  /** target − current − pending, unrounded. */
  deltaQty: number;
  /** Signed quantity to trade; 0 when nothing is traded. */
  tradeQty: number;
  outcome: 'trade' | 'no_change' | 'skipped';
  code: string;
  detail: string;
  verdicts: CheckVerdict[];
}

/**
 * The order that moves a symbol from its current plus pending quantity to its target: nothing when the drift is
 * within rebalance_band × equity; a long never flips to a short in one order (the close goes today, the new side on a
 * later run, since Alpaca refuses a sell that crosses zero); notional clipped to max_trade_size; below min_trade_size
 * skipped.
 */
export function rebalanceSymbol(input: RebalanceInput): RebalanceResult {
  const { price, currentQty, pendingQty, targetQty, equity, config } = input;
  const base = currentQty + pendingQty;
  const deltaQty = roundTo(targetQty - base, FRACTIONAL_SHARE_DECIMALS);
  const verdicts: CheckVerdict[] = [];
  const done = (outcome: RebalanceResult['outcome'], code: string, detail: string, tradeQty = 0): RebalanceResult =>
    ({ deltaQty, tradeQty, outcome, code, detail, verdicts });

  if (deltaQty === 0) return done('no_change', 'AT_TARGET', `current ${currentQty} + pending ${pendingQty} equals target ${targetQty}`);
  const band = config.position_sizing.rebalance_band * equity;
  const drift = Math.abs(deltaQty) * price;
  if (drift < band) {
    return done('no_change', 'DRIFT_WITHIN_BAND', `drift $${roundToCents(drift)} is below rebalance_band × equity $${roundToCents(band)}`);
  }
  verdicts.push({ check: 'rebalance_band', outcome: 'approve', code: 'OK', detail: `drift $${roundToCents(drift)}` });

  let signedQty = deltaQty;
  if (base !== 0 && Math.sign(base + deltaQty) === -Math.sign(base)) {
    signedQty = -base;
    verdicts.push({ check: 'position_flip', outcome: 'resize', code: 'POSITION_FLIP_DEFERRED', detail: `closes ${base} today; the opposite side opens on a later run` });
  }
  const side: Side = signedQty > 0 ? 'buy' : 'sell';
  let qty = floorShares(Math.abs(signedQty), input.fractional);
  if (qty === 0) return done('no_change', 'AT_TARGET', `delta ${deltaQty} is less than one tradable share`);

  const clip = checkMaxTradeSize(qty, price, config, input.fractional);
  if (!clip.ok) return { ...done('skipped', clip.code, clip.detail), verdicts: [...verdicts, { check: 'max_trade_size', outcome: 'reject', code: clip.code, detail: clip.detail }] };
  if ('qty' in clip) {
    qty = clip.qty;
    verdicts.push({ check: 'max_trade_size', outcome: 'resize', code: clip.code, detail: clip.detail });
  }
  const minimum = checkMinTradeSize(qty, price, config);
  if (!minimum.ok) return { ...done('skipped', minimum.code, minimum.detail), verdicts: [...verdicts, { check: 'min_trade_size', outcome: 'reject', code: minimum.code, detail: minimum.detail }] };
  const tradeQty = side === 'buy' ? qty : -qty;
  return done('trade', 'REBALANCE', `${side} ${qty} toward target ${targetQty}`, tradeQty);
}

/** Clips an order's notional to max_trade_size (MAX_TRADE_SIZE). */
export function checkMaxTradeSize(qty: number, price: number, config: ExecutionConfig, fractional: boolean): CheckResult {
  const limit = config.position_sizing.max_trade_size;
  if (!exceedsLimit(qty * price, limit)) return APPROVE;
  const allowed = sharesWithin(limit, price, fractional);
  const detail = `notional $${roundToCents(qty * price)} exceeds max_trade_size $${limit}`;
  if (allowed === 0) return { ok: false, code: 'MAX_TRADE_SIZE', detail: `${detail}; one share costs $${price}` };
  return { ok: true, qty: allowed, code: 'MAX_TRADE_SIZE', detail: `${detail}; clipped to ${allowed}` };
}

/** Skips an order whose notional is below min_trade_size (BELOW_MIN_TRADE). */
export function checkMinTradeSize(qty: number, price: number, config: ExecutionConfig): CheckResult {
  const minimum = config.position_sizing.min_trade_size;
  if (qty * price >= minimum) return APPROVE;
  return { ok: false, code: 'BELOW_MIN_TRADE', detail: `notional $${roundToCents(qty * price)} is below min_trade_size $${minimum}` };
}

/** Shrinks an order to what `available` dollars pay for at `costPrice` (BUYING_POWER). */
export function fitToBuyingPower(qty: number, costPrice: number, available: number, fractional: boolean): CheckResult {
  if (!exceedsLimit(qty * costPrice, available)) return APPROVE;
  const allowed = sharesWithin(available, costPrice, fractional);
  const detail = `cost $${roundToCents(qty * costPrice)} exceeds available buying power $${roundToCents(Math.max(0, available))}`;
  if (allowed === 0) return { ok: false, code: 'BUYING_POWER', detail };
  return { ok: true, qty: allowed, code: 'BUYING_POWER', detail: `${detail}; resized to ${allowed}` };
}

/** Plan order: sells before buys (they free buying power), then by symbol. */
export function compareTrades(a: { side: Side; symbol: string }, b: { side: Side; symbol: string }): number {
  if (a.side !== b.side) return a.side === 'sell' ? -1 : 1;
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}
