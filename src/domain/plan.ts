import { dailyLossBreach } from './daily-loss';
import type { ExecutionConfig } from '../config-schema';
import { approveWithNote, isResize, toVerdict } from './check-result';
import { clientOrderIdFor } from './client-order-id';
import { roundTo, roundToCents, roundToTick, FRACTIONAL_SHARE_DECIMALS } from './money';
import { validateOrderIntent } from './orders';
import { checkMinTradeSize, compareTrades, fitToBuyingPower, pendingQuantities, rebalanceSymbol } from './rebalance';
import {
  checkAssetTradable, checkPrice, checkRestrictedSymbol, marketBuyPrice, PRE_TRADE_CHECKS, runPreTradeChecks, tradingStateAfterDailyLoss,
  type PreTradeCheck, type PreTradeContext,
} from './risk';
import { mergeSectorMaps, sectorFor } from './sectors';
import { fractionalAllowed, shortingAllowed, sizeSignals, targetQuantity } from './sizing';
import { correlatedGroups, type SymbolMatrix } from './stats';
import type {
  Account, Asset, BrokerOrder, DayPlan, OrderIntent, Position, Quote, Rejection, Side, Signal, SymbolDecision,
  TradingState,
} from './types';

/** Everything one day's plan depends on; the activity gathers it, the plan itself does no I/O. */
export interface PlanInput {
  /** The workflow id; client order ids come from clientOrderIdFor(runId, symbol, side). */
  runId: string;
  signals: Signal[];
  account: Account;
  positions: Position[];
  openOrders: BrokerOrder[];
  quotes: Record<string, Quote>;
  assets: Record<string, Asset>;
  /** Sector by symbol (the worker's merged map); config.risk_management.sector_map is laid over it here as well. */
  sectors: Record<string, string>;
  /** Annualized volatility by symbol, when known. */
  volatility?: Record<string, number>;
  /** Annualized covariance of daily returns (volatility_target sizing); pairs it lacks count as perfectly correlated. */
  covariance?: SymbolMatrix;
  /** Correlation of daily returns (correlation grouping); a symbol absent from it is "correlation unknown". */
  correlation?: SymbolMatrix;
  config: ExecutionConfig;
  tradingState: TradingState;
  ordersSubmittedToday: number;
  /** When the plan is made (the broker's clock): quotes older than max_quote_age_seconds are not traded at market. */
  asOf?: string;
}

/** The price a plan values and sizes at: last trade, else the bid/ask midpoint; null when neither is usable. */
export function referencePrice(quote: Quote | undefined): number | null {
  if (!quote) return null;
  if (Number.isFinite(quote.last) && quote.last > 0) return quote.last;
  if (quote.bid > 0 && quote.ask > 0 && Number.isFinite(quote.bid + quote.ask)) return (quote.bid + quote.ask) / 2;
  return null;
}

/** Limit price for a marketable limit order: ask (buy) or bid (sell) moved limit_offset_bps past the quote, on the tick. */
export function limitPriceFor(side: Side, quote: Quote | undefined, price: number, offsetBps: number): number {
  const offset = offsetBps / 10_000;
  if (side === 'buy') return roundToTick((quote && quote.ask > 0 ? quote.ask : price) * (1 + offset), 'up');
  return roundToTick((quote && quote.bid > 0 ? quote.bid : price) * (1 - offset), 'down');
}

const ELIGIBILITY_CHECKS = new Set<PreTradeCheck>([checkRestrictedSymbol, checkAssetTradable, checkPrice]);
const ORDER_CHECKS = PRE_TRADE_CHECKS.filter(([, check]) => !ELIGIBILITY_CHECKS.has(check));

interface Candidate {
  decision: SymbolDecision;
  side: Side;
  qty: number;
  price: number;
  fractional: boolean;
  reducing: boolean;
}

/**
 * Plans one trading day: sizes the signals, rebalances against holdings and open orders, runs every pre-trade
 * check, and returns the orders with one decision per signal and per held symbol. Held symbols without a signal
 * keep their position: a missing signal means "no new view", not "sell", so a partial signal file never liquidates.
 * A signal below signal_threshold (or 0) never opens a position; a held one it keeps (execution.below_threshold
 * `hold`: no view, no churn) or closes (`close`: the target is 0). At or above the threshold the target is the
 * sizing method's weight, whatever is held: so, per symbol, the target weight never falls as the strength rises,
 * except that `hold` keeps a held position in place of the weak signal's view (see README "How signals become orders").
 */
export function planDay(input: PlanInput): DayPlan & { tradingState: TradingState } {
  const { config, account } = input;
  const sectorMap = mergeSectorMaps(input.sectors, config.risk_management.sector_map);
  const sectorOf = (symbol: string) => sectorFor(symbol, sectorMap, config.risk_management.unknown_sector);
  const tradingState = tradingStateAfterDailyLoss(account, config, input.tradingState);
  const equity = account.equity;
  const prices: Record<string, number> = {};
  for (const [symbol, quote] of Object.entries(input.quotes)) {
    const price = referencePrice(quote);
    if (price !== null) prices[symbol] = price;
  }
  const held: Record<string, number> = {};
  const valuation: Record<string, number> = {};
  for (const position of input.positions) {
    held[position.symbol] = (held[position.symbol] ?? 0) + position.qty;
    valuation[position.symbol] = prices[position.symbol] ?? position.currentPrice;
  }
  for (const [symbol, price] of Object.entries(prices)) valuation[symbol] = price;
  const pending = pendingQuantities(input.openOrders, valuation);

  const decisions: SymbolDecision[] = [];
  const rejected: Rejection[] = [];
  // A breach that moves the trading state is reported once, with the figure, before the per-symbol verdicts.
  const breach = dailyLossBreach(account, config.risk_management.max_daily_loss);
  if (breach && tradingState !== input.tradingState) {
    rejected.push({ symbol: '*', code: 'DAILY_LOSS_LIMIT', detail: `${breach.detail}; trading state ${tradingState}` });
  }
  const candidates: Candidate[] = [];
  const reject = (decision: SymbolDecision, code: string, detail: string) => {
    decision.outcome = 'rejected';
    decision.reason = `${code}: ${detail}`;
    rejected.push({ symbol: decision.symbol, code, detail });
  };

  const seen = new Set<string>();
  const signals = input.signals.filter((signal) => {
    if (!seen.has(signal.symbol)) return seen.add(signal.symbol);
    rejected.push({ symbol: signal.symbol, code: 'DUPLICATE_SIGNAL', detail: `only the first signal for ${signal.symbol} is used` });
    return false;
  });

  for (const sized of sizeSignals(signals, config, input.volatility, input.covariance)) {
    const { symbol } = sized;
    const currentQty = held[symbol] ?? 0;
    const pendingQty = pending[symbol] ?? 0;
    const price = prices[symbol] ?? null;
    const asset = input.assets[symbol];
    const decision: SymbolDecision = {
      symbol, signal: sized.strength, price, currentQty, targetWeight: sized.weight, targetQty: 0, intendedQty: 0,
      checks: [{ check: 'sizing', outcome: 'approve', code: sized.code, detail: sized.detail }],
      clientOrderId: null, finalQty: 0, outcome: 'skipped', reason: '',
    };
    decisions.push(decision);

    if (!config.execution.enabled) {
      decision.reason = 'EXECUTION_DISABLED: execution.enabled is false';
      continue;
    }
    const holding = currentQty !== 0 || pendingQty !== 0;
    const closing = !sized.passed && holding && config.execution.below_threshold === 'close';
    if (!sized.passed && !closing) {
      decision.checks[0] = { check: 'sizing', outcome: 'reject', code: sized.code, detail: sized.detail };
      decision.outcome = holding ? 'no_change' : 'skipped';
      decision.targetQty = currentQty + pendingQty;
      decision.reason = `BELOW_THRESHOLD: ${sized.detail}${holding ? '; the held position is kept (below_threshold hold)' : ''}`;
      continue;
    }
    if (closing) {
      decision.checks[0] = {
        check: 'sizing', outcome: 'approve', code: 'BELOW_THRESHOLD_CLOSE',
        detail: `${sized.detail}; below_threshold is close: the held ${currentQty} (+ pending ${pendingQty}) goes to a target of 0`,
      };
    }

    const eligibility = baseContext(input, sectorOf, tradingState, symbol, price, asset, 0, 'buy', currentQty + pendingQty, false);
    const gate = [['restricted_symbol', checkRestrictedSymbol], ['asset_tradable', checkAssetTradable], ['price', checkPrice]] as const;
    const gateFailure = gate.find(([name, check]) => {
      const result = check(eligibility);
      decision.checks.push(toVerdict(name, result));
      if (!result.ok) reject(decision, result.code, result.detail);
      return !result.ok;
    });
    if (gateFailure || price === null) continue;

    let weight = sized.weight;
    let shortRefusal: string | null = null;
    if (weight < 0) {
      const permission = shortingAllowed(config, account, asset);
      if (!permission.allowed) {
        shortRefusal = `target clamped to 0: ${permission.reason}`;
        decision.checks.push({ check: 'sizing_short', outcome: 'resize', code: 'SHORTING_NOT_ALLOWED', detail: shortRefusal });
        weight = 0;
      }
    }
    const fractional = fractionalAllowed(config, asset);
    decision.targetWeight = weight;
    decision.targetQty = targetQuantity(weight, equity, price, fractional);

    const rebalance = rebalanceSymbol({ symbol, price, currentQty, pendingQty, targetQty: decision.targetQty, equity, config, fractional, targetWeight: weight });
    decision.checks.push(...rebalance.verdicts);
    decision.intendedQty = rebalance.tradeQty;
    if (rebalance.outcome !== 'trade') {
      decision.outcome = rebalance.outcome;
      // A refused short that leaves nothing to sell is explained by the refusal, not by "already at target".
      decision.reason = shortRefusal && currentQty === 0 ? `SHORTING_NOT_ALLOWED: ${shortRefusal}` : `${rebalance.code}: ${rebalance.detail}`;
      continue;
    }
    const side: Side = rebalance.tradeQty > 0 ? 'buy' : 'sell';
    const base = currentQty + pendingQty;
    const reducing = base !== 0 && Math.sign(rebalance.tradeQty) === -Math.sign(base);
    candidates.push({ decision, side, qty: Math.abs(rebalance.tradeQty), price, fractional, reducing });
  }

  for (const position of input.positions) {
    if (seen.has(position.symbol) || position.qty === 0) continue;
    seen.add(position.symbol);
    const price = prices[position.symbol] ?? null;
    decisions.push({
      symbol: position.symbol, signal: 0, price, currentQty: position.qty,
      targetWeight: equity > 0 ? roundTo((position.qty * (valuation[position.symbol] ?? 0)) / equity, 6) : 0,
      targetQty: position.qty, intendedQty: 0, checks: [], clientOrderId: null, finalQty: 0, outcome: 'no_change',
      reason: 'NO_SIGNAL: held without a signal today; the position is kept',
    });
  }

  const orders = executeCandidates(input, sectorOf, tradingState, candidates, held, pending, valuation, reject);
  decisions.sort((a, b) => compareText(a.symbol, b.symbol));
  rejected.sort((a, b) => compareText(a.symbol, b.symbol) || compareText(a.code, b.code));
  return { orders, decisions, rejected, tradingState };
}

// Reducing trades go first so the buying power they free is known before anything spends it.
function executeCandidates(
  input: PlanInput, sectorOf: (symbol: string) => string | undefined, tradingState: TradingState, candidates: Candidate[], held: Record<string, number>,
  pending: Record<string, number>, valuation: Record<string, number>,
  reject: (decision: SymbolDecision, code: string, detail: string) => void,
): OrderIntent[] {
  const { config, account } = input;
  const positionQty: Record<string, number> = {};
  for (const symbol of new Set([...Object.keys(held), ...Object.keys(pending)])) {
    positionQty[symbol] = (held[symbol] ?? 0) + (pending[symbol] ?? 0);
  }
  const sectorGross: Record<string, number> = {};
  for (const [symbol, qty] of Object.entries(positionQty)) {
    const sector = sectorOf(symbol);
    if (sector !== undefined) sectorGross[sector] = (sectorGross[sector] ?? 0) + Math.abs(qty) * (valuation[symbol] ?? 0);
  }
  const sectorNet: Record<string, number> = {};
  for (const [symbol, qty] of Object.entries(positionQty)) {
    const sector = sectorOf(symbol);
    if (sector !== undefined) sectorNet[sector] = (sectorNet[sector] ?? 0) + qty * (valuation[symbol] ?? 0);
  }
  let portfolioGross = 0;
  let portfolioNet = 0;
  for (const [symbol, qty] of Object.entries(positionQty)) {
    portfolioGross += Math.abs(qty) * (valuation[symbol] ?? 0);
    portfolioNet += qty * (valuation[symbol] ?? 0);
  }
  const groups = input.correlation ? correlatedGroups(input.correlation, config.risk_management.correlation_threshold) : {};
  const correlationKnown = new Set(input.correlation?.symbols ?? []);
  const groupGross = new Map<string, number>();
  for (const members of new Set(Object.values(groups))) {
    groupGross.set(members.join('+'), members.reduce((sum, member) => sum + Math.abs(positionQty[member] ?? 0) * (valuation[member] ?? 0), 0));
  }
  const openBySymbol: Record<string, BrokerOrder[]> = {};
  for (const order of input.openOrders) (openBySymbol[order.symbol] ??= []).push(order);
  let ordersSoFar = input.ordersSubmittedToday;
  const basis = buyingPowerFor(account, config);
  let buyingPower = basis.amount;
  const orders: OrderIntent[] = [];

  // Risk-reducing trades first; then scarce capacity (order slots, buying power, sector and group room) goes by
  // conviction, not by ticker: the strongest signals are served first, ties by symbol.
  const sequence = [...candidates].sort((a, b) => Number(b.reducing) - Number(a.reducing)
    || conviction(b) - conviction(a) || compareText(a.decision.symbol, b.decision.symbol));
  const served: Candidate[] = [];
  /** Who took the capacity a weaker candidate then missed, for its decision trail. */
  const tookCapacity = (candidate: Candidate) => {
    const stronger = served.filter((other) => !other.reducing && conviction(other) >= conviction(candidate)).slice(0, 3);
    return stronger.length === 0 ? '' : `; capacity went first to stronger signals: ${stronger
      .map((other) => `${other.decision.symbol} (${roundTo(conviction(other), 4)})`).join(', ')}`;
  };
  for (const candidate of sequence) {
    const { decision, side, price } = candidate;
    const { symbol } = decision;
    const sector = sectorOf(symbol);
    const before = positionQty[symbol] ?? 0;
    const group = groups[symbol];
    const groupKey = group?.join('+');
    const quote = input.quotes[symbol];
    const limitPrice = config.execution.order_type === 'limit'
      ? limitPriceFor(side, quote, price, config.execution.limit_offset_bps) : undefined;
    const ctx: PreTradeContext = {
      ...baseContext(input, sectorOf, tradingState, symbol, price, input.assets[symbol], candidate.qty, side, before, candidate.fractional),
      sector,
      otherSectorGross: sector === undefined ? 0 : (sectorGross[sector] ?? 0) - Math.abs(before) * price,
      otherSectorNet: sector === undefined ? 0 : (sectorNet[sector] ?? 0) - before * price,
      ordersSoFar,
      correlationKnown: correlationKnown.has(symbol),
      ...(group ? { correlatedGroup: group, otherGroupGross: (groupGross.get(groupKey!) ?? 0) - Math.abs(before) * price } : {}),
      otherGross: portfolioGross - Math.abs(before) * price,
      otherNet: portfolioNet - before * price,
      ...(limitPrice !== undefined ? { limitPrice } : {}),
      openOrders: openBySymbol[symbol] ?? [],
      ...(quote ? { quote } : {}),
      ...(input.asOf ? { asOf: input.asOf } : {}),
    };
    const outcome = runPreTradeChecks(ctx, ORDER_CHECKS);
    decision.checks.push(...outcome.verdicts);
    if (outcome.rejection) {
      const scarce = CAPACITY_CODES.has(outcome.rejection.code) ? tookCapacity(candidate) : '';
      reject(decision, outcome.rejection.code, `${outcome.rejection.detail}${scarce}`);
      continue;
    }
    let qty = outcome.qty;
    const spends = !candidate.reducing || side === 'buy';
    const costPrice = costPriceFor(side, price, quote, limitPrice);
    if (spends) {
      const fit = fitToBuyingPower(qty, costPrice, buyingPower, candidate.fractional, basis.source);
      decision.checks.push(toVerdict('buying_power', fit.ok && !isResize(fit)
        ? approveWithNote('OK', `cost $${roundToCents(qty * costPrice)} within the $${roundToCents(buyingPower)} left of ${basis.source}`)
        : fit));
      if (!fit.ok) {
        reject(decision, fit.code, `${fit.detail}${tookCapacity(candidate)}`);
        continue;
      }
      if ('qty' in fit) qty = Math.min(qty, fit.qty);
    }
    if (qty !== candidate.qty) {
      const minimum = checkMinTradeSize(qty, price, config);
      if (!minimum.ok) {
        decision.checks.push(toVerdict('min_trade_size', minimum));
        decision.outcome = 'skipped';
        decision.reason = `${minimum.code}: ${minimum.detail} after resizing`;
        continue;
      }
    }

    let clientOrderId: string;
    try {
      clientOrderId = clientOrderIdFor(input.runId, symbol, side);
    } catch (error) {
      reject(decision, 'INVALID_ORDER', (error as Error).message);
      continue;
    }
    const intent: OrderIntent = { clientOrderId, symbol, side, type: limitPrice === undefined ? 'market' : 'limit', timeInForce: 'day', qty };
    if (limitPrice !== undefined) intent.limitPrice = limitPrice;
    const valid = validateOrderIntent(intent);
    if (!valid.ok) {
      reject(decision, 'INVALID_ORDER', valid.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
      continue;
    }

    // A sell's proceeds are not counted for the buys after it: the day sends its orders back to back and the
    // broker frees buying power only when a sell executes, so a buy funded by one would be refused.
    if (spends) buyingPower -= qty * costPrice;
    const after = roundTo(before + (side === 'buy' ? qty : -qty), FRACTIONAL_SHARE_DECIMALS);
    positionQty[symbol] = after;
    if (sector !== undefined) {
      sectorGross[sector] = (sectorGross[sector] ?? 0) + (Math.abs(after) - Math.abs(before)) * price;
      sectorNet[sector] = (sectorNet[sector] ?? 0) + (after - before) * price;
    }
    if (groupKey !== undefined) groupGross.set(groupKey, (groupGross.get(groupKey) ?? 0) + (Math.abs(after) - Math.abs(before)) * price);
    portfolioGross += (Math.abs(after) - Math.abs(before)) * price;
    portfolioNet += (after - before) * price;
    ordersSoFar += 1;
    orders.push(valid.order);
    decision.clientOrderId = clientOrderId;
    decision.finalQty = side === 'buy' ? qty : -qty;
    decision.outcome = 'order';
    decision.reason = `${side} ${qty} ${symbol}${qty !== candidate.qty ? ` (resized from ${candidate.qty}${tookCapacity(candidate)})` : ''} at ~$${roundToCents(price)}`;
    served.push(candidate);
  }
  return orders.sort((a, b) => compareTrades(a, b));
}

/** Codes of the checks that ration shared capacity: a candidate they refuse lost it to those served before it. */
const CAPACITY_CODES = new Set([
  'MAX_ORDERS_PER_DAY', 'SECTOR_EXPOSURE_EXCEEDED', 'SECTOR_NET_EXPOSURE_EXCEEDED', 'CORRELATED_EXPOSURE_EXCEEDED',
  'GROSS_EXPOSURE_EXCEEDED', 'NET_EXPOSURE_EXCEEDED',
]);

/** How strongly a candidate is wanted: |signal strength| × its sizing weight. */
function conviction(candidate: Candidate): number {
  return Math.abs(candidate.decision.signal) * Math.abs(candidate.decision.targetWeight);
}

/**
 * Price a buying-power reservation assumes: a limit buy pays its limit; a market buy the worse of last and ask, plus
 * the broker's reserve (marketBuyPrice); a short ties up its value.
 */
export function costPriceFor(side: Side, price: number, quote: Quote | undefined, limitPrice: number | undefined): number {
  if (side === 'sell') return price;
  return limitPrice ?? marketBuyPrice(price, quote);
}

/** The buying power a plan fits its buys to, and where it came from (for the buying_power verdicts). */
export interface BuyingPowerBasis {
  amount: number;
  /** `regt_buying_power $200000`, or the fallback and why. */
  source: string;
}

const BASIS_FIELDS = {
  regt: ['regt_buying_power', 'regtBuyingPower'],
  non_marginable: ['non_marginable_buying_power', 'nonMarginableBuyingPower'],
  intraday: ['buying_power', 'buyingPower'],
} as const;

/**
 * The buying power of risk_management.buying_power_basis: the overnight (Reg T) figure by default, since a position
 * bought on 4× intraday power must be cut before the close. A figure the broker does not report falls back to
 * buying_power, and the source says so. Never above buying_power, which is what the broker checks an order against.
 */
export function buyingPowerFor(account: Account, config: ExecutionConfig): BuyingPowerBasis {
  const basis = config.risk_management.buying_power_basis;
  const [field, key] = BASIS_FIELDS[basis];
  const reported = account[key];
  if (reported === undefined || !Number.isFinite(reported)) {
    return {
      amount: account.buyingPower,
      source: `buying_power $${roundToCents(account.buyingPower)} (the broker did not report ${field}, which buying_power_basis ${basis} asks for)`,
    };
  }
  if (reported > account.buyingPower) {
    return { amount: account.buyingPower, source: `buying_power $${roundToCents(account.buyingPower)} (below ${field} $${roundToCents(reported)})` };
  }
  return { amount: reported, source: `${field} $${roundToCents(reported)}` };
}

/** Cash a long-reducing sell is assumed to free: its limit, or the worse of last and bid. */
export function proceedsPriceFor(price: number, quote: Quote | undefined, limitPrice: number | undefined): number {
  return limitPrice ?? Math.min(price, quote && quote.bid > 0 ? quote.bid : price);
}

function baseContext(
  input: PlanInput, sectorOf: (symbol: string) => string | undefined, tradingState: TradingState, symbol: string, price: number | null,
  asset: Asset | undefined, qty: number, side: Side, positionQty: number, fractional: boolean,
): PreTradeContext {
  return {
    symbol, side, qty, price, positionQty, fractional, account: input.account, config: input.config, tradingState, asset,
    sector: sectorOf(symbol), otherSectorGross: 0, volatility: input.volatility?.[symbol], ordersSoFar: input.ordersSubmittedToday,
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The price each order's decision was made at: its arrival price, against which slippage is measured. */
export function arrivalPricesOf(decisions: readonly SymbolDecision[]): Record<string, number> {
  return Object.fromEntries(decisions.filter((decision) => decision.outcome === 'order' && decision.price !== null)
    .map((decision) => [decision.symbol, decision.price!]));
}
