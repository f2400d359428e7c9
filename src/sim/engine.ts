/**
 * The paper broker: accounts, orders, positions and the matching rules, with no HTTP. Every method takes `now`
 * (epoch ms) so time is the caller's; chance comes only from the seed, keyed by order, so runs replay. Status
 * changes follow the table in `order-transitions.ts` and are announced to `subscribe`rs as trade updates.
 */
import type { OrderStatus, OrderType, Side, TimeInForce } from '../domain/types';
import { currentOrNextSession, etParts, isTradingDay, marketClock, type MarketMode } from './calendar';
import type { Market } from './market';
import {
  parseOrderRequest, parseReplaceRequest, type OrderClass, type OrderRequest, type StopLoss, type TakeProfit,
} from './order-request';
import { canTransition, EVENT_FOR_STATUS, isCancelable, isFinal, isReplaceable, type TradeEvent } from './order-transitions';
import { createRng, hash32, stableUuid, unit, uuidFrom } from './random';
import { forbidden, invalid, notFound, SimError } from './sim-error';
import type { SimAsset, Universe } from './universe';

export { FINAL_STATUSES } from './order-transitions';

/** How the matcher treats open orders: `hold` leaves them all open until switched back. */
export type FillMode = 'auto' | 'hold';

export interface SimOrder {
  id: string;
  clientOrderId: string;
  accountKey: string;
  symbol: string;
  assetId: string;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  qty: number | null;
  notional: number | null;
  limitPrice: number | null;
  stopPrice: number | null;
  trailPrice: number | null;
  trailPercent: number | null;
  hwm: number | null;
  extendedHours: boolean;
  positionIntent: string | null;
  status: OrderStatus;
  filledQty: number;
  filledAvgPrice: number | null;
  createdAt: number;
  updatedAt: number;
  submittedAt: number;
  filledAt: number | null;
  canceledAt: number | null;
  expiredAt: number | null;
  failedAt: number | null;
  expiresAt: number | null;
  /** Earliest instant the matcher may next execute this order. */
  eligibleAt: number;
  stopTriggered: boolean;
  partialDone: boolean;
  /** `simple` unless part of a bracket, OCO or OTO group (legs carry their group's class). */
  orderClass?: OrderClass;
  /** The entry (bracket/OTO) or take-profit (OCO) this exit belongs to. */
  parentId?: string | null;
  /** The exits of a group's parent, take-profit first. */
  legIds?: string[];
  /** A stop-loss exit whose quantity its take-profit sibling already holds back. */
  secondaryExit?: boolean;
  replacedAt?: number | null;
  replacedBy?: string | null;
  replaces?: string | null;
  /** For OPG/CLS: the auction instant the order executes at. */
  auctionAt?: number | null;
}

/** One execution, as `GET /v2/account/activities/FILL` lists it. */
export interface SimFill {
  /** `<yyyymmddhhmmssSSS>::<execution uuid>` */
  id: string;
  executionId: string;
  orderId: string;
  symbol: string;
  side: Side;
  qty: number;
  price: number;
  cumQty: number;
  leavesQty: number;
  transactionTime: number;
  type: 'fill' | 'partial_fill';
  orderStatus: OrderStatus;
}

/** `GET/PATCH /v2/account/configurations`, in wire form. */
export interface AccountConfig {
  dtbp_check: 'both' | 'entry' | 'exit';
  trade_confirm_email: string;
  suspend_trade: boolean;
  no_shorting: boolean;
  fractional_trading: boolean;
  max_margin_multiplier: string;
  max_options_trading_level: 0 | 1 | 2 | 3;
  pdt_check: string;
  ptp_no_exception_entry: boolean;
  disable_overnight_trading: boolean;
}

export const DEFAULT_ACCOUNT_CONFIG: AccountConfig = {
  dtbp_check: 'entry', trade_confirm_email: 'all', suspend_trade: false, no_shorting: false, fractional_trading: true,
  max_margin_multiplier: '4', max_options_trading_level: 0, pdt_check: 'entry', ptp_no_exception_entry: false,
  disable_overnight_trading: false,
};

export interface SimPosition {
  symbol: string;
  assetId: string;
  /** Signed. */
  qty: number;
  /** Signed: qty × average entry price. */
  costBasis: number;
}

export interface SimAccount {
  key: string;
  id: string;
  accountNumber: string;
  createdAt: number;
  initialEquity: number;
  cash: number;
  positions: Map<string, SimPosition>;
  /** Every order ever created, in creation order. */
  orders: SimOrder[];
  byId: Map<string, SimOrder>;
  byClientId: Map<string, SimOrder>;
  /** Equity at the last session close (`last_equity`), as of that close's instant. */
  lastEquity: { asOf: number; value: number };
  /** Every execution, oldest first. */
  fills?: SimFill[];
  config?: AccountConfig;
}

/** Derived account values at an instant. */
export interface AccountValues {
  cash: number;
  equity: number;
  lastEquity: number;
  longMarketValue: number;
  shortMarketValue: number;
  buyingPower: number;
  initialMargin: number;
  maintenanceMargin: number;
  multiplier: number;
}

export interface PositionValues {
  position: SimPosition;
  asset: SimAsset;
  currentPrice: number;
  lastdayPrice: number;
  marketValue: number;
  qtyAvailable: number;
}

export interface OrderListQuery {
  status?: string;
  limit?: number;
  after?: number;
  until?: number;
  direction?: 'asc' | 'desc';
  symbols?: string[];
  side?: Side;
  /** Legs inside their parent instead of listed on their own. */
  nested?: boolean;
}

/** One line of a 207 multi-status answer. */
export interface MultiStatus<T> {
  key: string;
  status: number;
  body: T | Record<string, unknown>;
}

/** A trade update: what the `trade_updates` stream sends. `order` is live: serialize it when received. */
export interface EngineEvent {
  accountKey: string;
  event: TradeEvent;
  order: SimOrder;
  at: number;
  executionId: string;
  /** Fills only: this execution's price and qty, and the signed position after it. */
  price: number | null;
  qty: number | null;
  positionQty: number | null;
}

export type EngineListener = (event: EngineEvent) => void;

export interface EngineOptions {
  universe: Universe;
  market: Market;
  mode: MarketMode;
  seed: number;
  equity: number;
  partialFillRate: number;
  fillLatencyMs: number;
  /** Buying-power multiplier: 1 cash, 2 Reg-T margin. */
  multiplier: number;
  /** Salts the order-id generator (the state file's run count), so a restarted simulator never reuses an id. */
  idSalt?: number;
}

const EPS = 1e-9;
const DAY_MS = 86_400_000;
/** GTC orders age out after 90 days (Alpaca's aged-order policy). */
const GTC_LIFETIME_MS = 90 * DAY_MS;
const round9 = (x: number) => Math.round(x * 1e9) / 1e9;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Minutes since midnight ET. */
function etMinutes(ms: number): number {
  const p = etParts(ms);
  return p.hour * 60 + p.minute;
}

/** `20250623140000123`, the time prefix of an activity id. */
function activityStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:TZ.]/g, '');
}

export class Engine {
  fillMode: FillMode = 'auto';
  /** Per-key fill modes that override `fillMode`. */
  readonly accountFillModes = new Map<string, FillMode>();
  private readonly accounts = new Map<string, SimAccount>();
  private readonly open = new Set<SimOrder>();
  private readonly rng: () => number;
  private readonly listeners = new Set<EngineListener>();

  constructor(private readonly opts: EngineOptions) {
    this.rng = createRng(opts.idSalt ? hash32('orders', opts.seed, opts.idSalt) : hash32('orders', opts.seed));
  }

  /** Registers a trade-update listener; returns the unsubscribe function. */
  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(o: SimOrder, event: TradeEvent, at: number, fill?: { executionId: string; price: number; qty: number }): void {
    if (this.listeners.size === 0) return;
    const a = this.accounts.get(o.accountKey);
    const e: EngineEvent = {
      accountKey: o.accountKey, event, order: o, at,
      executionId: fill?.executionId ?? uuidFrom(this.rng),
      price: fill?.price ?? null, qty: fill?.qty ?? null,
      positionQty: fill ? (a?.positions.get(o.symbol)?.qty ?? 0) : null,
    };
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener's failure (a closed socket) must not break the matcher.
      }
    }
  }

  /** The account of an API key id, created on first use. */
  account(key: string, now: number): SimAccount {
    let a = this.accounts.get(key);
    if (!a) {
      a = {
        key,
        id: stableUuid(this.opts.seed, 'account', key),
        accountNumber: `PA${String(hash32(this.opts.seed, 'acct', key)).padStart(10, '0').slice(0, 10)}`,
        createdAt: now,
        initialEquity: this.opts.equity,
        cash: this.opts.equity,
        positions: new Map(),
        orders: [],
        byId: new Map(),
        byClientId: new Map(),
        lastEquity: { asOf: this.opts.market.previousSessionClose(now), value: this.opts.equity },
        fills: [],
        config: { ...DEFAULT_ACCOUNT_CONFIG },
      };
      this.accounts.set(key, a);
    }
    return a;
  }

  /** Forgets an account and its orders; the key id starts afresh on next use. */
  resetAccount(key: string): boolean {
    for (const o of [...this.open]) if (o.accountKey === key) this.open.delete(o);
    this.accountFillModes.delete(key);
    return this.accounts.delete(key);
  }

  /** Accounts that exist (for the admin API); does not create. */
  findAccount(key: string): SimAccount | undefined {
    return this.accounts.get(key);
  }

  /** Every account (for the state file). */
  allAccounts(): SimAccount[] {
    return [...this.accounts.values()];
  }

  /** Puts accounts read back from a state file in place, their unfinished orders open again. */
  restore(accounts: SimAccount[]): void {
    for (const a of accounts) {
      this.accounts.set(a.key, a);
      for (const o of a.orders) if (!isFinal(o.status)) this.open.add(o);
    }
  }

  isOpen(now: number): boolean {
    return marketClock(this.opts.mode, now).isOpen;
  }

  configOf(a: SimAccount): AccountConfig {
    a.config ??= { ...DEFAULT_ACCOUNT_CONFIG };
    return a.config;
  }

  fillsOf(a: SimAccount): SimFill[] {
    a.fills ??= [];
    return a.fills;
  }

  /** Applies a PATCH /v2/account/configurations body (validated field by field). */
  patchConfig(key: string, body: unknown, now: number): AccountConfig {
    const a = this.account(key, now);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('request body must be a JSON object');
    const next: AccountConfig = { ...this.configOf(a) };
    const b = body as Record<string, unknown>;
    const bool = (k: keyof AccountConfig) => {
      if (b[k] === undefined) return;
      if (typeof b[k] !== 'boolean') throw invalid(`invalid ${k}`);
      (next as unknown as Record<string, unknown>)[k] = b[k];
    };
    const choice = (k: keyof AccountConfig, allowed: readonly unknown[]) => {
      if (b[k] === undefined) return;
      if (!allowed.includes(b[k])) throw invalid(`invalid ${k}: ${String(b[k])}`);
      (next as unknown as Record<string, unknown>)[k] = b[k];
    };
    bool('suspend_trade'); bool('no_shorting'); bool('fractional_trading'); bool('ptp_no_exception_entry');
    bool('disable_overnight_trading');
    choice('dtbp_check', ['both', 'entry', 'exit']);
    choice('trade_confirm_email', ['all', 'none']);
    choice('pdt_check', ['both', 'entry', 'exit']);
    choice('max_margin_multiplier', ['1', '2', '4']);
    choice('max_options_trading_level', [0, 1, 2, 3]);
    a.config = next;
    return next;
  }

  // ---------------------------------------------------------------- valuation

  values(a: SimAccount, now: number): AccountValues {
    let longMv = 0;
    let shortMv = 0;
    for (const p of a.positions.values()) {
      const mv = p.qty * this.opts.market.last(p.symbol, now);
      if (p.qty >= 0) longMv += mv;
      else shortMv += mv;
    }
    const equity = a.cash + longMv + shortMv;
    const gross = longMv - shortMv;
    this.rollLastEquity(a, now);
    const allowed = Number(this.configOf(a).max_margin_multiplier) || 1;
    const multiplier = equity < 2000 ? 1 : Math.min(this.opts.multiplier, allowed);
    return {
      cash: a.cash,
      equity,
      lastEquity: a.lastEquity.value,
      longMarketValue: longMv,
      shortMarketValue: shortMv,
      buyingPower: Math.max(0, multiplier * equity - gross),
      initialMargin: gross / Math.max(1, multiplier),
      maintenanceMargin: gross * 0.3,
      multiplier,
    };
  }

  /**
   * Moves `last_equity` to the latest close. Called before every execution, so the holdings seen here are
   * still the holdings at that close and the value is exact.
   */
  private rollLastEquity(a: SimAccount, now: number): void {
    const close = this.opts.market.previousSessionClose(now);
    if (a.lastEquity.asOf >= close) return;
    let value = a.cash;
    for (const p of a.positions.values()) value += p.qty * this.opts.market.previousClose(p.symbol, now);
    a.lastEquity = { asOf: close, value };
  }

  positionValues(a: SimAccount, now: number): PositionValues[] {
    const out: PositionValues[] = [];
    for (const p of [...a.positions.values()].sort((x, y) => x.symbol.localeCompare(y.symbol))) {
      const asset = this.opts.universe.find(p.symbol);
      if (!asset) continue;
      const currentPrice = this.opts.market.last(p.symbol, now);
      const held = this.heldQty(a, p.symbol, p.qty > 0 ? 'sell' : 'buy');
      out.push({
        position: p, asset, currentPrice,
        lastdayPrice: this.opts.market.previousClose(p.symbol, now),
        marketValue: p.qty * currentPrice,
        qtyAvailable: p.qty > 0 ? Math.max(0, p.qty - held) : Math.min(0, p.qty + held),
      });
    }
    return out;
  }

  /** Orders whose remaining quantity holds back shares or buying power: not held exits, not a stop-loss twin. */
  private counts(o: SimOrder): boolean {
    return o.status !== 'held' && !o.secondaryExit;
  }

  /** Remaining qty of open orders on one side of a symbol. */
  private heldQty(a: SimAccount, symbol: string, side: Side, now?: number, exclude?: SimOrder): number {
    let held = 0;
    for (const o of this.open) {
      if (o === exclude || o.accountKey !== a.key || o.symbol !== symbol || o.side !== side || !this.counts(o)) continue;
      held += this.remainingQty(o, now);
    }
    return held;
  }

  private remainingQty(o: SimOrder, now?: number): number {
    if (o.qty !== null) return round9(o.qty - o.filledQty);
    const price = now === undefined ? (o.filledAvgPrice ?? 1) : this.opts.market.last(o.symbol, now);
    const spent = o.filledQty * (o.filledAvgPrice ?? 0);
    return Math.max(0, round9(((o.notional ?? 0) - spent) / price));
  }

  /** Buying power an open order holds back; orders that reduce a position hold none. */
  private reservedValue(o: SimOrder, now: number, position: number): number {
    if (!this.counts(o)) return 0;
    if ((o.side === 'sell' && position > EPS) || (o.side === 'buy' && position < -EPS)) return 0;
    if (o.notional !== null) return Math.max(0, o.notional - o.filledQty * (o.filledAvgPrice ?? 0));
    return this.unitValue(o.symbol, o.side, o.limitPrice, o.stopPrice, now) * this.remainingQty(o, now);
  }

  /** What one share of an order is valued at: a buy at its limit, market orders 3% through the quote. */
  private unitValue(symbol: string, side: Side, limitPrice: number | null, stopPrice: number | null, now: number): number {
    const q = this.opts.market.quote(symbol, now);
    const ref = side === 'buy' ? q.ask * 1.03 : q.bid * 1.03;
    if (limitPrice !== null) return side === 'buy' ? limitPrice : Math.max(limitPrice, ref);
    if (stopPrice !== null) return Math.max(stopPrice, ref);
    return ref;
  }

  // ---------------------------------------------------------------- orders

  submit(key: string, body: unknown, now: number): SimOrder {
    const a = this.account(key, now);
    const req = parseOrderRequest(body, (s) => this.opts.universe.find(s));
    if (req.clientOrderId !== null && a.byClientId.has(req.clientOrderId)) {
      throw new SimError(422, 40010001, 'client_order_id must be unique');
    }
    const auctionAt = this.auctionInstant(req.timeInForce, now);
    this.checkAllowed(a, req, now);
    const clock = marketClock(this.opts.mode, now);
    const order = this.newOrder(a, {
      clientOrderId: req.clientOrderId, symbol: req.symbol, assetId: req.asset.id, side: req.side, type: req.type,
      timeInForce: req.timeInForce, qty: req.qty, notional: req.notional, limitPrice: req.limitPrice,
      stopPrice: req.stopPrice, trailPrice: req.trailPrice, trailPercent: req.trailPercent,
      extendedHours: req.extendedHours, positionIntent: req.positionIntent, orderClass: req.orderClass,
      status: clock.isOpen ? 'new' : 'accepted', auctionAt,
    }, now);
    if (req.orderClass !== 'simple') this.attachExits(a, order, req, now);
    this.announce(order, now);
    return order;
  }

  /** The fields of a new order that vary; the rest start empty. */
  private newOrder(a: SimAccount, f: {
    clientOrderId: string | null; symbol: string; assetId: string; side: Side; type: OrderType; timeInForce: TimeInForce;
    qty: number | null; notional: number | null; limitPrice: number | null; stopPrice: number | null;
    trailPrice: number | null; trailPercent: number | null; extendedHours: boolean; positionIntent: string | null;
    orderClass: OrderClass; status: OrderStatus; auctionAt: number | null;
  }, now: number): SimOrder {
    const clock = marketClock(this.opts.mode, now);
    const id = uuidFrom(this.rng);
    const order: SimOrder = {
      id,
      clientOrderId: f.clientOrderId ?? uuidFrom(this.rng),
      accountKey: a.key,
      symbol: f.symbol,
      assetId: f.assetId,
      side: f.side,
      type: f.type,
      timeInForce: f.timeInForce,
      qty: f.qty,
      notional: f.notional,
      limitPrice: f.limitPrice,
      stopPrice: f.stopPrice,
      trailPrice: f.trailPrice,
      trailPercent: f.trailPercent,
      hwm: null,
      extendedHours: f.extendedHours,
      positionIntent: f.positionIntent,
      status: f.status,
      filledQty: 0,
      filledAvgPrice: null,
      createdAt: now,
      updatedAt: now,
      submittedAt: now,
      filledAt: null,
      canceledAt: null,
      expiredAt: null,
      failedAt: null,
      expiresAt: f.timeInForce === 'gtc' ? now + GTC_LIFETIME_MS
        : f.auctionAt !== null ? f.auctionAt + 60_000 : clock.nextClose,
      eligibleAt: now + this.opts.fillLatencyMs,
      stopTriggered: false,
      partialDone: false,
      orderClass: f.orderClass,
      parentId: null,
      legIds: [],
      secondaryExit: false,
      replacedAt: null,
      replacedBy: null,
      replaces: null,
      auctionAt: f.auctionAt,
    };
    if (order.type === 'trailing_stop') {
      const last = this.opts.market.last(order.symbol, now);
      order.hwm = last;
      order.stopPrice = this.trailStop(order, last);
    }
    a.orders.push(order);
    a.byId.set(order.id, order);
    a.byClientId.set(order.clientOrderId, order);
    this.open.add(order);
    return order;
  }

  /** Creates the exit legs of a bracket, OCO or OTO order: take-profit first, then stop-loss. */
  private attachExits(a: SimAccount, parent: SimOrder, req: OrderRequest, now: number): void {
    const oco = req.orderClass === 'oco';
    const exitSide: Side = oco ? req.side : req.side === 'buy' ? 'sell' : 'buy';
    const leg = (type: OrderType, limitPrice: number | null, stopPrice: number | null): SimOrder => {
      const o = this.newOrder(a, {
        clientOrderId: null, symbol: parent.symbol, assetId: parent.assetId, side: exitSide, type,
        timeInForce: parent.timeInForce, qty: parent.qty, notional: null, limitPrice, stopPrice, trailPrice: null,
        trailPercent: null, extendedHours: false, positionIntent: null, orderClass: req.orderClass,
        // An OCO's exits are live at once; a bracket's or OTO's wait for their entry to fill.
        status: oco ? parent.status : 'held', auctionAt: null,
      }, now);
      o.parentId = parent.id;
      parent.legIds = [...(parent.legIds ?? []), o.id];
      return o;
    };
    const tp: TakeProfit | null = oco ? null : req.takeProfit;
    const sl: StopLoss | null = req.stopLoss;
    if (tp) leg('limit', tp.limitPrice, null);
    if (sl) {
      const stop = leg(sl.limitPrice === null ? 'stop' : 'stop_limit', sl.limitPrice, sl.stopPrice);
      stop.secondaryExit = oco || tp !== null;
    }
  }

  /** OPG executes at the next open, CLS at the close; each is refused in its Alpaca blackout window. */
  private auctionInstant(tif: TimeInForce, now: number): number | null {
    if (tif !== 'opg' && tif !== 'cls') return null;
    if (this.opts.mode !== 'real') return now + this.opts.fillLatencyMs;
    const minutes = etMinutes(now);
    const tradingDay = isTradingDay(etParts(now).date);
    if (tif === 'opg' && tradingDay && minutes >= 9 * 60 + 28 && minutes < 19 * 60) {
      throw invalid('opg orders cannot be submitted between 9:28am and 7:00pm ET');
    }
    if (tif === 'cls' && tradingDay && minutes >= 15 * 60 + 50 && minutes < 19 * 60) {
      throw invalid('cls orders cannot be submitted between 3:50pm and 7:00pm ET');
    }
    const session = currentOrNextSession(now);
    return tif === 'opg' ? session.open : session.close;
  }

  /** Short-sale, quantity-available, configuration and buying-power rules. */
  private checkAllowed(a: SimAccount, req: OrderRequest, now: number, exclude?: SimOrder): void {
    const config = this.configOf(a);
    if (config.suspend_trade) throw forbidden('new orders are rejected: trading is suspended for this account');
    if (req.fractional && !config.fractional_trading) throw invalid('fractional trading is disabled for this account');
    const position = a.positions.get(req.symbol)?.qty ?? 0;
    const q = this.opts.market.quote(req.symbol, now);
    if (req.orderClass !== 'oco' && req.stopLoss && req.limitPrice === null) {
      // Without an entry limit the stop-loss is measured against the market.
      const base = req.side === 'buy' ? q.bid : q.ask;
      const ok = req.side === 'buy' ? req.stopLoss.stopPrice <= base - 0.01 + EPS : req.stopLoss.stopPrice >= base + 0.01 - EPS;
      if (!ok) throw invalid(`stop_loss.stop_price must be ${req.side === 'buy' ? '<=' : '>='} base_price ${req.side === 'buy' ? '-' : '+'} 0.01`);
    }
    const estQty = req.qty ?? (req.notional ?? 0) / (req.side === 'buy' ? q.ask : q.bid);
    const reducing = (req.side === 'sell' && position > EPS) || (req.side === 'buy' && position < -EPS);
    if (req.orderClass === 'oco' && !reducing) throw invalid('oco orders must be exit orders for an existing position');
    if (reducing) {
      const held = this.heldQty(a, req.symbol, req.side, now, exclude);
      const available = Math.max(0, round9(Math.abs(position) - held));
      if (estQty > available + EPS) {
        throw forbidden(`insufficient qty available for order (requested: ${round9(estQty)}, available: ${available})`, {
          available: String(available), existing_qty: String(Math.abs(position)), held_for_orders: String(round9(held)),
          related_orders: [...this.open].filter((o) => o.accountKey === a.key && o.symbol === req.symbol && o.side === req.side && o !== exclude).map((o) => o.id),
          symbol: req.symbol,
        });
      }
      return;
    }
    if (req.side === 'sell') {
      if (req.fractional) throw invalid('fractional orders cannot be sold short');
      if (!req.asset.shortable || !req.asset.easyToBorrow) throw invalid(`asset "${req.symbol}" cannot be sold short`);
      if (this.opts.multiplier < 2 || config.no_shorting) throw forbidden('account is not allowed to short');
    }
    const cost = req.notional ?? this.unitValue(req.symbol, req.side, req.limitPrice, req.stopPrice, now) * estQty;
    let reserved = 0;
    for (const o of this.open) {
      if (o.accountKey !== a.key || o === exclude) continue;
      reserved += this.reservedValue(o, now, a.positions.get(o.symbol)?.qty ?? 0);
    }
    const available = this.values(a, now).buyingPower - reserved;
    if (cost > available + EPS) {
      throw forbidden('insufficient buying power', {
        buying_power: (Math.max(0, available)).toFixed(2), cost_basis: cost.toFixed(2),
      });
    }
  }

  getOrder(key: string, id: string, now: number): SimOrder {
    const o = this.account(key, now).byId.get(id.toLowerCase());
    if (!o) throw notFound('order not found');
    return o;
  }

  getByClientOrderId(key: string, clientOrderId: string, now: number): SimOrder {
    const o = this.account(key, now).byClientId.get(clientOrderId);
    if (!o) throw notFound('order not found');
    return o;
  }

  /** The legs of a group's parent, in order (empty for other orders). */
  legsOf(o: SimOrder): SimOrder[] {
    const a = this.accounts.get(o.accountKey);
    if (!a) return [];
    return (o.legIds ?? []).map((id) => a.byId.get(id)).filter((x): x is SimOrder => x !== undefined);
  }

  listOrders(key: string, q: OrderListQuery, now: number): SimOrder[] {
    const a = this.account(key, now);
    const status = q.status ?? 'open';
    if (!['open', 'closed', 'all'].includes(status)) throw invalid(`invalid status: ${status}`);
    const direction = q.direction ?? 'desc';
    const limit = Math.min(Math.max(1, q.limit ?? 50), 500);
    const symbols = q.symbols && q.symbols.length > 0 ? new Set(q.symbols.map((s) => s.toUpperCase())) : null;
    const matches = a.orders.filter((o) => {
      if (q.nested && o.parentId) return false;
      const final = isFinal(o.status);
      if (status === 'open' && final) return false;
      if (status === 'closed' && !final) return false;
      if (q.after !== undefined && !(o.submittedAt > q.after)) return false;
      if (q.until !== undefined && !(o.submittedAt < q.until)) return false;
      if (symbols && !symbols.has(o.symbol)) return false;
      if (q.side && o.side !== q.side) return false;
      return true;
    });
    const sorted = direction === 'asc' ? matches : [...matches].reverse();
    return sorted.slice(0, limit);
  }

  cancel(key: string, id: string, now: number): SimOrder {
    const o = this.getOrder(key, id, now);
    if (!isCancelable(o.status)) throw invalid(`order is already in "${o.status}" state`);
    this.cancelGroup(o, now);
    return o;
  }

  /** Cancels an order and, as Alpaca does for advanced orders, every open order of its group. */
  private cancelGroup(o: SimOrder, now: number): void {
    const a = this.accounts.get(o.accountKey);
    const parent = o.parentId ? a?.byId.get(o.parentId) : o;
    const group = parent ? [parent, ...this.legsOf(parent)] : [o];
    if (!group.includes(o)) group.push(o);
    // The order asked for goes first, so its event leads.
    for (const x of [o, ...group.filter((g) => g !== o)]) {
      if (this.open.has(x) && isCancelable(x.status)) this.finish(x, 'canceled', now);
    }
  }

  cancelAll(key: string, now: number): Array<MultiStatus<SimOrder>> {
    const a = this.account(key, now);
    const out: Array<MultiStatus<SimOrder>> = [];
    for (const o of a.orders) {
      if (!this.open.has(o) || !isCancelable(o.status)) continue;
      this.finish(o, 'canceled', now);
      out.push({ key: o.id, status: 200, body: o });
    }
    return out;
  }

  /**
   * PATCH /v2/orders/{id}: a new order takes the old one's place (`replaces`), the old one ends `replaced`
   * (`replaced_by`). Quantity defaults to what was left to fill.
   */
  replace(key: string, id: string, body: unknown, now: number): SimOrder {
    const a = this.account(key, now);
    const old = this.getOrder(key, id, now);
    const r = parseReplaceRequest(body);
    if (isFinal(old.status)) throw invalid(`order is already in "${old.status}" state`);
    if (!isReplaceable(old.status)) throw invalid("unable to replace order, order isn't sent to exchange yet");
    if (old.notional !== null) throw invalid('notional orders cannot be replaced');
    if (old.orderClass === 'oto' && !old.parentId) throw invalid('oto orders cannot be replaced');
    if (r.clientOrderId !== null && a.byClientId.has(r.clientOrderId)) {
      throw new SimError(422, 40010001, 'client_order_id must be unique');
    }
    const hasLimit = old.type === 'limit' || old.type === 'stop_limit';
    const hasStop = old.type === 'stop' || old.type === 'stop_limit';
    if (r.limitPrice !== null && !hasLimit) throw invalid(`limit_price is not allowed for ${old.type} orders`);
    if (r.stopPrice !== null && !hasStop) throw invalid(`stop_price is not allowed for ${old.type} orders`);
    if (r.trail !== null && old.type !== 'trailing_stop') throw invalid('trail is only allowed for trailing_stop orders');
    if (r.trail !== null && old.trailPercent !== null && r.trail >= 100) throw invalid('trail_percent must be between 0 and 100');
    const remaining = round9((old.qty ?? 0) - old.filledQty);
    if (r.qty !== null && !Number.isInteger(r.qty)) throw invalid('qty must be whole shares to replace an order');
    if (r.qty !== null && old.qty !== null && !Number.isInteger(old.qty) && r.qty !== old.qty) {
      throw invalid('the qty of a fractional order cannot be changed');
    }
    const tif = r.timeInForce ?? old.timeInForce;
    if (old.type === 'trailing_stop' && tif !== 'day' && tif !== 'gtc') throw invalid('trailing_stop orders require time_in_force day or gtc');
    if ((old.timeInForce === 'opg' || old.timeInForce === 'cls') !== (tif === 'opg' || tif === 'cls')) {
      throw invalid('time_in_force cannot change to or from an auction');
    }
    const next = {
      qty: r.qty ?? remaining,
      limitPrice: r.limitPrice ?? old.limitPrice,
      stopPrice: hasStop ? (r.stopPrice ?? old.stopPrice) : null,
      trailPrice: old.trailPrice !== null ? (r.trail ?? old.trailPrice) : null,
      trailPercent: old.trailPercent !== null ? (r.trail ?? old.trailPercent) : null,
    };
    const unchanged = r.clientOrderId === null && next.qty === remaining && next.limitPrice === old.limitPrice
      && (!hasStop || next.stopPrice === old.stopPrice) && next.trailPrice === old.trailPrice
      && next.trailPercent === old.trailPercent && tif === old.timeInForce;
    if (unchanged) throw forbidden('order parameters are not changed');
    const asset = this.opts.universe.find(old.symbol);
    if (!asset) throw notFound('asset not found');
    if (!old.parentId) {
      this.checkAllowed(a, {
        symbol: old.symbol, asset, side: old.side, type: old.type, timeInForce: tif, qty: next.qty, notional: null,
        limitPrice: next.limitPrice, stopPrice: next.stopPrice, trailPrice: next.trailPrice, trailPercent: next.trailPercent,
        extendedHours: old.extendedHours, clientOrderId: r.clientOrderId, positionIntent: old.positionIntent,
        fractional: !Number.isInteger(next.qty), orderClass: old.orderClass === 'oco' ? 'simple' : (old.orderClass ?? 'simple'),
        takeProfit: null, stopLoss: null,
      }, now, old);
    }

    const fresh = this.newOrder(a, {
      clientOrderId: r.clientOrderId, symbol: old.symbol, assetId: old.assetId, side: old.side, type: old.type,
      timeInForce: tif, qty: next.qty, notional: null, limitPrice: next.limitPrice, stopPrice: next.stopPrice,
      trailPrice: next.trailPrice, trailPercent: next.trailPercent, extendedHours: old.extendedHours,
      positionIntent: old.positionIntent, orderClass: old.orderClass ?? 'simple',
      status: old.status === 'held' ? 'held' : 'new', auctionAt: old.auctionAt ?? null,
    }, now);
    if (old.type === 'trailing_stop' && old.hwm !== null) {
      fresh.hwm = old.hwm;
      fresh.stopPrice = this.trailStop(fresh, old.hwm);
    }
    fresh.replaces = old.id;
    fresh.secondaryExit = old.secondaryExit ?? false;
    fresh.parentId = old.parentId ?? null;
    fresh.legIds = [...(old.legIds ?? [])];
    if (old.parentId) {
      const parent = a.byId.get(old.parentId);
      if (parent) parent.legIds = (parent.legIds ?? []).map((x) => (x === old.id ? fresh.id : x));
    }
    for (const leg of this.legsOf(old)) leg.parentId = fresh.id;
    old.replacedBy = fresh.id;
    old.replacedAt = now;
    this.setStatus(old, 'replaced', now);
    this.open.delete(old);
    this.emit(old, 'replaced', now);
    this.announce(fresh, now);
    return fresh;
  }

  /** Closes (part of) a position with a market order. */
  closePosition(key: string, symbolOrId: string, now: number, amount: { qty?: number; percentage?: number } = {}): SimOrder {
    if (amount.qty !== undefined && amount.percentage !== undefined) throw invalid('qty and percentage are mutually exclusive');
    if (amount.qty !== undefined && !(amount.qty > 0)) throw invalid('qty must be > 0');
    if (amount.percentage !== undefined && !(amount.percentage > 0 && amount.percentage <= 100)) {
      throw invalid('percentage must be between 0 and 100');
    }
    const a = this.account(key, now);
    const asset = this.opts.universe.find(symbolOrId);
    const p = asset ? a.positions.get(asset.symbol) : undefined;
    if (!asset || !p) throw notFound('position does not exist');
    let qty = Math.abs(p.qty);
    if (amount.qty !== undefined) {
      if (amount.qty > qty + EPS) throw forbidden(`insufficient qty available for order (requested: ${amount.qty}, available: ${qty})`);
      qty = amount.qty;
    } else if (amount.percentage !== undefined) {
      qty = round9((qty * amount.percentage) / 100);
    }
    return this.submit(key, {
      symbol: asset.symbol, qty: String(round9(qty)), side: p.qty > 0 ? 'sell' : 'buy', type: 'market', time_in_force: 'day',
    }, now);
  }

  closeAll(key: string, cancelOrders: boolean, now: number): Array<MultiStatus<SimOrder>> {
    const a = this.account(key, now);
    if (cancelOrders) this.cancelAll(key, now);
    const out: Array<MultiStatus<SimOrder>> = [];
    for (const p of [...a.positions.values()].sort((x, y) => x.symbol.localeCompare(y.symbol))) {
      try {
        out.push({ key: p.symbol, status: 200, body: this.closePosition(key, p.symbol, now) });
      } catch (e) {
        if (!(e instanceof SimError)) throw e;
        out.push({ key: p.symbol, status: e.status, body: e.body() });
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- status changes

  /** Moves an order along the transition table; a move the table forbids is a simulator bug. */
  private setStatus(o: SimOrder, to: OrderStatus, now: number): void {
    if (!canTransition(o.status, to)) throw new Error(`order ${o.id}: no transition ${o.status} -> ${to}`);
    o.status = to;
    o.updatedAt = now;
  }

  /** Emits the event of a freshly created or replacing order's first status. */
  private announce(o: SimOrder, now: number): void {
    const event = EVENT_FOR_STATUS[o.status];
    if (event && o.status !== 'held') this.emit(o, event, now);
  }

  private finish(o: SimOrder, status: 'canceled' | 'expired' | 'rejected', now: number): void {
    this.setStatus(o, status, now);
    if (status === 'canceled') o.canceledAt = now;
    if (status === 'expired') o.expiredAt = now;
    if (status === 'rejected') o.failedAt = now;
    this.open.delete(o);
    this.emit(o, status, now);
    // An entry that will never completely fill takes its waiting exits with it.
    for (const leg of this.legsOf(o)) {
      if (this.open.has(leg) && leg.status === 'held') this.finish(leg, 'canceled', now);
    }
  }

  /** `accepted` → `new` once the venue is open; a queued order the account can no longer place is rejected. */
  private activate(o: SimOrder, now: number): void {
    const a = this.accounts.get(o.accountKey);
    if (a && this.configOf(a).suspend_trade && !o.parentId) return this.finish(o, 'rejected', now);
    this.setStatus(o, 'new', now);
    this.emit(o, 'new', now);
  }

  // ---------------------------------------------------------------- matching

  /**
   * Runs the matcher over every open order. `force` ignores the fill latency (the admin tick); `hold` mode
   * still leaves everything open.
   */
  step(now: number, force = false): void {
    const clock = marketClock(this.opts.mode, now);
    for (const o of [...this.open]) {
      if (!this.open.has(o)) continue; // closed by a sibling earlier in this pass
      if (o.status === 'held') continue;
      const holding = (this.accountFillModes.get(o.accountKey) ?? this.fillMode) === 'hold';
      if (o.auctionAt != null) {
        if (now >= o.auctionAt && !holding && (force || now >= o.eligibleAt)) this.auction(o, now);
        else if (o.expiresAt !== null && now >= o.expiresAt) this.finish(o, 'expired', now);
        continue;
      }
      if (o.expiresAt !== null && now >= o.expiresAt) {
        this.finish(o, 'expired', now);
        continue;
      }
      if (!clock.isOpen) continue;
      if (o.status === 'accepted') {
        this.activate(o, now);
        if (!this.open.has(o)) continue;
      }
      if (holding) continue;
      if (!force && now < o.eligibleAt) continue;
      this.match(o, now);
    }
  }

  /** An opening or closing auction: all or nothing at the auction price; what does not execute is canceled. */
  private auction(o: SimOrder, now: number): void {
    const at = o.auctionAt ?? now;
    if (o.status === 'accepted') {
      this.activate(o, at);
      if (!this.open.has(o)) return;
    }
    const price = this.opts.market.last(o.symbol, at);
    const limit = o.limitPrice;
    const crosses = limit === null || (o.side === 'buy' ? price <= limit + EPS : price >= limit - EPS);
    const remaining = this.remainingQty(o, at);
    if (!crosses || remaining <= EPS) return this.finish(o, 'canceled', Math.max(at, now));
    this.fill(o, remaining, price, at);
  }

  private match(o: SimOrder, now: number): void {
    const market = this.opts.market;
    const q = market.quote(o.symbol, now);
    const last = market.last(o.symbol, now);
    const far = o.side === 'buy' ? q.ask : q.bid;
    if (o.type === 'trailing_stop' && !o.stopTriggered) {
      o.hwm = o.side === 'sell' ? Math.max(o.hwm ?? last, last) : Math.min(o.hwm ?? last, last);
      o.stopPrice = this.trailStop(o, o.hwm);
    }
    if ((o.type === 'stop' || o.type === 'stop_limit' || o.type === 'trailing_stop') && !o.stopTriggered) {
      const stop = o.stopPrice ?? 0;
      const crossed = o.side === 'buy' ? last >= stop : last <= stop;
      if (!crossed) return this.unmarketable(o, now);
      o.stopTriggered = true;
      o.updatedAt = now;
    }
    let price = far;
    // A buy stop becomes a stop-limit 4% (under $50) or 2.5% above its stop, as Alpaca converts it.
    const impliedLimit = o.type === 'stop' && o.side === 'buy' && o.stopPrice !== null
      ? o.stopPrice * (o.stopPrice < 50 ? 1.04 : 1.025) : null;
    const limit = o.type === 'limit' || o.type === 'stop_limit' ? o.limitPrice : impliedLimit;
    if (limit !== null) {
      const marketable = o.side === 'buy' ? far <= limit + EPS : far >= limit - EPS;
      if (!marketable) return this.unmarketable(o, now);
      price = o.side === 'buy' ? Math.min(limit, far) : Math.max(limit, far);
    }

    let remaining = o.qty !== null ? round9(o.qty - o.filledQty)
      : round9(((o.notional ?? 0) - o.filledQty * (o.filledAvgPrice ?? 0)) / price);
    if (o.qty === null) remaining = Math.floor(remaining * 1e9) / 1e9;
    if (remaining <= EPS) {
      if (o.filledQty > EPS) {
        this.setStatus(o, 'filled', now);
        o.filledAt = now;
        this.open.delete(o);
        this.emit(o, 'fill', now);
      } else this.finish(o, 'canceled', now);
      return;
    }
    let qty = remaining;
    const partial = !o.partialDone && o.timeInForce !== 'fok' && remaining >= 2
      && unit(this.opts.seed, o.accountKey, o.clientOrderId, 'partial') < this.opts.partialFillRate;
    if (partial) {
      const fraction = 0.2 + 0.6 * unit(this.opts.seed, o.accountKey, o.clientOrderId, 'fraction');
      qty = Math.max(1, Math.floor(remaining * fraction));
      o.partialDone = true;
    }
    this.fill(o, qty, price, now);
    if (this.open.has(o) && o.timeInForce === 'ioc') this.finish(o, 'canceled', now);
  }

  private unmarketable(o: SimOrder, now: number): void {
    if (o.timeInForce === 'ioc' || o.timeInForce === 'fok') this.finish(o, 'canceled', now);
  }

  private trailStop(o: SimOrder, hwm: number): number {
    const offset = o.trailPrice ?? (hwm * (o.trailPercent ?? 0)) / 100;
    return Math.round((o.side === 'sell' ? hwm - offset : hwm + offset) * 100) / 100;
  }

  /** One execution: the books, the order's totals and status, the FILL activity, the event, then the group. */
  private fill(o: SimOrder, qty: number, price: number, now: number): void {
    const a = this.accounts.get(o.accountKey);
    if (!a) return;
    this.execute(a, o, qty, price, now);
    // A notional order is done once less than a cent of its dollars is left to spend.
    const done = o.qty !== null ? o.filledQty >= o.qty - EPS
      : (o.notional ?? 0) - o.filledQty * (o.filledAvgPrice ?? 0) < 0.01;
    if (done) {
      this.setStatus(o, 'filled', now);
      o.filledAt = now;
      this.open.delete(o);
    } else {
      this.setStatus(o, 'partially_filled', now);
      o.eligibleAt = now + this.opts.fillLatencyMs;
    }
    const executionId = uuidFrom(this.rng);
    this.fillsOf(a).push({
      id: `${activityStamp(now)}::${executionId}`, executionId, orderId: o.id, symbol: o.symbol, side: o.side, qty, price,
      cumQty: o.filledQty, leavesQty: o.qty === null ? 0 : Math.max(0, round9(o.qty - o.filledQty)),
      transactionTime: now, type: done ? 'fill' : 'partial_fill', orderStatus: o.status,
    });
    this.emit(o, done ? 'fill' : 'partial_fill', now, { executionId, price, qty });
    this.afterFill(a, o, done, now);
  }

  /** Group effects: a filled entry releases its exits; a filling exit shrinks or cancels its sibling. */
  private afterFill(a: SimAccount, o: SimOrder, done: boolean, now: number): void {
    if (done) {
      for (const leg of this.legsOf(o)) {
        if (leg.status !== 'held') continue;
        leg.qty = o.filledQty;
        leg.eligibleAt = now + this.opts.fillLatencyMs;
        this.setStatus(leg, 'new', now);
        this.emit(leg, 'new', now);
      }
    }
    const parent = o.parentId ? a.byId.get(o.parentId) : undefined;
    const ocoParent = o.orderClass === 'oco' && !o.parentId && (o.legIds ?? []).length > 0;
    const isExit = (parent && parent.orderClass !== 'oto') || ocoParent;
    if (!isExit) return;
    const siblings = parent
      ? [...(parent.orderClass === 'oco' ? [parent] : []), ...this.legsOf(parent)].filter((x) => x !== o)
      : this.legsOf(o);
    for (const s of siblings) {
      if (!this.open.has(s)) continue;
      if (done) this.finish(s, 'canceled', now);
      else if (s.qty !== null && o.qty !== null) s.qty = round9(o.qty - o.filledQty);
    }
  }

  /** Applies one execution to the order's totals and the account. */
  private execute(a: SimAccount, o: SimOrder, qty: number, price: number, now: number): void {
    this.rollLastEquity(a, now);
    const prevValue = o.filledQty * (o.filledAvgPrice ?? 0);
    o.filledQty = round9(o.filledQty + qty);
    o.filledAvgPrice = (prevValue + qty * price) / o.filledQty;
    o.updatedAt = now;

    const signed = o.side === 'buy' ? qty : -qty;
    a.cash = round6(a.cash - signed * price);
    const p = a.positions.get(o.symbol) ?? { symbol: o.symbol, assetId: o.assetId, qty: 0, costBasis: 0 };
    if (Math.abs(p.qty) < EPS || Math.sign(p.qty) === Math.sign(signed)) {
      p.qty = round9(p.qty + signed);
      p.costBasis += signed * price;
    } else if (Math.abs(signed) <= Math.abs(p.qty) + EPS) {
      const newQty = round9(p.qty + signed);
      p.costBasis = Math.abs(newQty) < EPS ? 0 : p.costBasis * (newQty / p.qty);
      p.qty = newQty;
    } else {
      p.qty = round9(p.qty + signed);
      p.costBasis = p.qty * price;
    }
    if (Math.abs(p.qty) < EPS) a.positions.delete(o.symbol);
    else a.positions.set(o.symbol, p);
  }

  /** Open orders across accounts (for the server's ticker). */
  openCount(): number {
    return this.open.size;
  }
}
