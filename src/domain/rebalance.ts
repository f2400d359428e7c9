import type { ExecutionConfig } from '../config-schema';
import { APPROVE, approveWithNote, type CheckResult } from './check-result';
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
  /**
   * The signed target weight targetQty was floored from, when known: it tells a target the price leaves out of
   * reach (ROUNDS_TO_ZERO) from one already met in whole shares (AT_TARGET).
   */
  targetWeight?: number;
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
 * later run, since Alpaca refuses a sell that crosses zero); notional clipped to max_trade_size, except the part
 * that only shrinks the position (unless max_trade_size_applies_to_exits); below min_trade_size skipped. A change
 * the weight asks for that no whole share can make (one share costs more than it) is ROUNDS_TO_ZERO, not AT_TARGET.
 */
export function rebalanceSymbol(input: RebalanceInput): RebalanceResult {
  const { price, currentQty, pendingQty, targetQty, equity, config } = input;
  const base = currentQty + pendingQty;
  const deltaQty = roundTo(targetQty - base, FRACTIONAL_SHARE_DECIMALS);
  const verdicts: CheckVerdict[] = [];
  const done = (outcome: RebalanceResult['outcome'], code: string, detail: string, tradeQty = 0): RebalanceResult =>
    ({ deltaQty, tradeQty, outcome, code, detail, verdicts });
  const band = config.position_sizing.rebalance_band * equity;

  if (deltaQty === 0) {
    const unreachable = unreachableChange(input, base, band);
    if (unreachable !== null) return done('skipped', 'ROUNDS_TO_ZERO', unreachable);
    return done('no_change', 'AT_TARGET', `current ${currentQty} + pending ${pendingQty} equals target ${targetQty}`);
  }
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
  if (qty === 0) {
    return done('skipped', 'ROUNDS_TO_ZERO', `delta ${deltaQty} shares ($${roundToCents(deltaQty * price)} at $${price}) is less than `
      + `one ${input.fractional ? 'tradable' : 'whole'} share${input.fractional ? '' : ' (fractional off for this symbol)'}`);
  }

  // The part of the order that only shrinks the position is an exit; the rest (if any) opens exposure.
  const exitQty = base !== 0 && Math.sign(signedQty) === -Math.sign(base) ? Math.min(qty, Math.abs(base)) : 0;
  const clip = checkMaxTradeSize(qty, price, config, input.fractional, exitQty);
  if (!clip.ok) return { ...done('skipped', clip.code, clip.detail), verdicts: [...verdicts, { check: 'max_trade_size', outcome: 'reject', code: clip.code, detail: clip.detail }] };
  if ('qty' in clip) {
    qty = clip.qty;
    verdicts.push({ check: 'max_trade_size', outcome: 'resize', code: clip.code, detail: clip.detail });
  } else if (clip.code !== undefined) {
    verdicts.push({ check: 'max_trade_size', outcome: 'approve', code: clip.code, detail: clip.detail ?? '' });
  }
  const minimum = checkMinTradeSize(qty, price, config);
  if (!minimum.ok) return { ...done('skipped', minimum.code, minimum.detail), verdicts: [...verdicts, { check: 'min_trade_size', outcome: 'reject', code: minimum.code, detail: minimum.detail }] };
  const tradeQty = side === 'buy' ? qty : -qty;
  return done('trade', 'REBALANCE', `${side} ${qty} toward target ${targetQty}`, tradeQty);
}

/**
 * What the whole-share target leaves undone, or null: the dollars the target weight asks to move, when they reach
 * the rebalance band (and a cent) yet no whole share fits in them. Null without a known weight.
 */
function unreachableChange(input: RebalanceInput, base: number, band: number): string | null {
  const { targetWeight, equity, price } = input;
  if (targetWeight === undefined || !(price > 0)) return null;
  const wanted = targetWeight * equity;
  const change = wanted - base * price;
  if (Math.abs(change) < 0.005 || Math.abs(change) < band) return null;
  const whole = input.fractional && targetWeight > 0 ? 'tradable' : 'whole';
  const why = targetWeight < 0 && input.fractional ? ' (shorts are whole shares)' : input.fractional ? '' : ' (fractional off for this symbol)';
  return `target weight ${targetWeight} × equity $${roundToCents(equity)} = $${roundToCents(wanted)} against $${roundToCents(base * price)} `
    + `held and pending (${base} × $${price}): the change $${roundToCents(change)} is less than one ${whole} share at $${price}${why}`;
}

/**
 * Clips an order's notional to max_trade_size (MAX_TRADE_SIZE). `exitQty` of the order only shrinks the position:
 * unless max_trade_size_applies_to_exits, that part is exempt (EXIT_EXEMPT when it alone goes past the limit) and
 * only the rest, which opens exposure, is clipped.
 */
export function checkMaxTradeSize(qty: number, price: number, config: ExecutionConfig, fractional: boolean, exitQty = 0): CheckResult {
  const limit = config.position_sizing.max_trade_size;
  const exempt = config.position_sizing.max_trade_size_applies_to_exits ? 0 : Math.min(Math.max(0, exitQty), qty);
  const capped = roundTo(qty - exempt, FRACTIONAL_SHARE_DECIMALS);
  const detail = `notional $${roundToCents(qty * price)} exceeds max_trade_size $${limit}`;
  if (!exceedsLimit(capped * price, limit)) {
    if (!exceedsLimit(qty * price, limit)) return APPROVE;
    return approveWithNote('EXIT_EXEMPT', `${detail}; the exit of ${exempt} shares is exempt (max_trade_size_applies_to_exits is false)`);
  }
  const allowed = roundTo(exempt + sharesWithin(limit, price, fractional), FRACTIONAL_SHARE_DECIMALS);
  const exemptText = exempt > 0 ? ` (an exempt exit of ${exempt} plus ${roundTo(allowed - exempt, FRACTIONAL_SHARE_DECIMALS)} within the limit)` : '';
  if (allowed === 0) return { ok: false, code: 'MAX_TRADE_SIZE', detail: `${detail}; one share costs $${price}` };
  return { ok: true, qty: allowed, code: 'MAX_TRADE_SIZE', detail: `${detail}; clipped to ${allowed}${exemptText}` };
}

/** Skips an order whose notional is below min_trade_size (BELOW_MIN_TRADE). */
export function checkMinTradeSize(qty: number, price: number, config: ExecutionConfig): CheckResult {
  const minimum = config.position_sizing.min_trade_size;
  if (qty * price >= minimum) return APPROVE;
  return { ok: false, code: 'BELOW_MIN_TRADE', detail: `notional $${roundToCents(qty * price)} is below min_trade_size $${minimum}` };
}

/**
 * Shrinks an order to what `available` dollars pay for at `costPrice` (BUYING_POWER); `source` names the figure in
 * the detail, e.g. `regt_buying_power $200000`.
 */
export function fitToBuyingPower(qty: number, costPrice: number, available: number, fractional: boolean, source = 'buying power'): CheckResult {
  if (!exceedsLimit(qty * costPrice, available)) return APPROVE;
  const allowed = sharesWithin(available, costPrice, fractional);
  const detail = `cost $${roundToCents(qty * costPrice)} exceeds available buying power $${roundToCents(Math.max(0, available))} (of ${source})`;
  if (allowed === 0) return { ok: false, code: 'BUYING_POWER', detail };
  return { ok: true, qty: allowed, code: 'BUYING_POWER', detail: `${detail}; resized to ${allowed}` };
}

/** Plan order: sells before buys (they free buying power), then by symbol. */
export function compareTrades(a: { side: Side; symbol: string }, b: { side: Side; symbol: string }): number {
  if (a.side !== b.side) return a.side === 'sell' ? -1 : 1;
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}
