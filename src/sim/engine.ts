/**
 * The paper broker: accounts, orders, positions and the matching rules, with no HTTP. Every method takes `now`
 * (epoch ms) so time is the caller's; chance comes only from the seed, keyed by order, so runs replay.
 */
import type { OrderStatus, OrderType, Side, TimeInForce } from '../domain/types';
import { marketClock, type MarketMode } from './calendar';
import type { Market } from './market';
import { parseOrderRequest, type OrderRequest } from './order-request';
import { createRng, hash32, stableUuid, unit, uuidFrom } from './random';
import { forbidden, invalid, notFound, SimError } from './sim-error';
import type { SimAsset, Universe } from './universe';

/** Statuses after which an order never changes. */
export const FINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['filled', 'canceled', 'expired', 'rejected', 'replaced']);

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
}

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
}

/** One line of a 207 multi-status answer. */
export interface MultiStatus<T> {
  key: string;
  status: number;
  body: T | Record<string, unknown>;
}

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
}

const EPS = 1e-9;
const round9 = (x: number) => Math.round(x * 1e9) / 1e9;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export class Engine {
  fillMode: FillMode = 'auto';
  /** Per-key fill modes that override `fillMode`. */
  readonly accountFillModes = new Map<string, FillMode>();
  private readonly accounts = new Map<string, SimAccount>();
  private readonly open = new Set<SimOrder>();
  private readonly rng: () => number;

  constructor(private readonly opts: EngineOptions) {
    this.rng = createRng(hash32('orders', opts.seed));
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

  isOpen(now: number): boolean {
    return marketClock(this.opts.mode, now).isOpen;
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
    const multiplier = equity < 2000 ? 1 : this.opts.multiplier;
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

  /** Remaining qty of open orders on one side of a symbol. */
  private heldQty(a: SimAccount, symbol: string, side: Side, now?: number): number {
    let held = 0;
    for (const o of this.open) {
      if (o.accountKey !== a.key || o.symbol !== symbol || o.side !== side) continue;
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

  /** Buying power an open order holds back. */
  private reservedValue(o: SimOrder, now: number, position: number): number {
    if (o.side === 'sell' && position > EPS) return 0;
    if (o.notional !== null) return Math.max(0, o.notional - o.filledQty * (o.filledAvgPrice ?? 0));
    const q = this.opts.market.quote(o.symbol, now);
    const ref = o.side === 'buy' ? q.ask * 1.03 : q.bid * 1.03;
    const price = o.limitPrice !== null ? (o.side === 'buy' ? o.limitPrice : Math.max(o.limitPrice, ref))
      : o.stopPrice !== null ? Math.max(o.stopPrice, ref) : ref;
    return price * this.remainingQty(o, now);
  }

  // ---------------------------------------------------------------- orders

  submit(key: string, body: unknown, now: number): SimOrder {
    const a = this.account(key, now);
    const req = parseOrderRequest(body, (s) => this.opts.universe.find(s));
    if (req.clientOrderId !== null && a.byClientId.has(req.clientOrderId)) {
      throw new SimError(422, 40010001, 'client_order_id must be unique');
    }
    this.checkAllowed(a, req, now);
    const id = uuidFrom(this.rng);
    const clock = marketClock(this.opts.mode, now);
    const order: SimOrder = {
      id,
      clientOrderId: req.clientOrderId ?? uuidFrom(this.rng),
      accountKey: key,
      symbol: req.symbol,
      assetId: req.asset.id,
      side: req.side,
      type: req.type,
      timeInForce: req.timeInForce,
      qty: req.qty,
      notional: req.notional,
      limitPrice: req.limitPrice,
      stopPrice: req.stopPrice,
      trailPrice: req.trailPrice,
      trailPercent: req.trailPercent,
      hwm: null,
      extendedHours: req.extendedHours,
      positionIntent: req.positionIntent,
      status: clock.isOpen ? 'new' : 'accepted',
      filledQty: 0,
      filledAvgPrice: null,
      createdAt: now,
      updatedAt: now,
      submittedAt: now,
      filledAt: null,
      canceledAt: null,
      expiredAt: null,
      failedAt: null,
      expiresAt: req.timeInForce === 'gtc' ? null : clock.nextClose,
      eligibleAt: now + this.opts.fillLatencyMs,
      stopTriggered: false,
      partialDone: false,
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

  /** Short-sale, quantity-available and buying-power rules. */
  private checkAllowed(a: SimAccount, req: OrderRequest, now: number): void {
    const position = a.positions.get(req.symbol)?.qty ?? 0;
    const q = this.opts.market.quote(req.symbol, now);
    const estQty = req.qty ?? (req.notional ?? 0) / (req.side === 'buy' ? q.ask : q.bid);
    const reducing = (req.side === 'sell' && position > EPS) || (req.side === 'buy' && position < -EPS);
    if (reducing) {
      const held = this.heldQty(a, req.symbol, req.side, now);
      const available = Math.max(0, round9(Math.abs(position) - held));
      if (estQty > available + EPS) {
        throw forbidden(`insufficient qty available for order (requested: ${round9(estQty)}, available: ${available})`, {
          available: String(available), existing_qty: String(Math.abs(position)), held_for_orders: String(round9(held)),
          symbol: req.symbol,
        });
      }
      return;
    }
    if (req.side === 'sell') {
      if (req.fractional) throw invalid('fractional orders cannot be sold short');
      if (!req.asset.shortable || !req.asset.easyToBorrow) throw invalid(`asset "${req.symbol}" cannot be sold short`);
      if (this.opts.multiplier < 2) throw forbidden('account is not allowed to short');
    }
    const ref = req.side === 'buy' ? q.ask * 1.03 : q.bid * 1.03;
    const unitPrice = req.limitPrice !== null ? (req.side === 'buy' ? req.limitPrice : Math.max(req.limitPrice, ref))
      : req.stopPrice !== null ? Math.max(req.stopPrice, ref) : ref;
    const cost = req.notional ?? unitPrice * estQty;
    let reserved = 0;
    for (const o of this.open) {
      if (o.accountKey !== a.key) continue;
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

  listOrders(key: string, q: OrderListQuery, now: number): SimOrder[] {
    const a = this.account(key, now);
    const status = q.status ?? 'open';
    if (!['open', 'closed', 'all'].includes(status)) throw invalid(`invalid status: ${status}`);
    const direction = q.direction ?? 'desc';
    const limit = Math.min(Math.max(1, q.limit ?? 50), 500);
    const symbols = q.symbols && q.symbols.length > 0 ? new Set(q.symbols.map((s) => s.toUpperCase())) : null;
    const matches = a.orders.filter((o) => {
      const final = FINAL_STATUSES.has(o.status);
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
    if (FINAL_STATUSES.has(o.status)) throw invalid(`order is already in "${o.status}" state`);
    this.finish(o, 'canceled', now);
    return o;
  }

  cancelAll(key: string, now: number): Array<MultiStatus<SimOrder>> {
    const a = this.account(key, now);
    const out: Array<MultiStatus<SimOrder>> = [];
    for (const o of a.orders) {
      if (FINAL_STATUSES.has(o.status)) continue;
      this.finish(o, 'canceled', now);
      out.push({ key: o.id, status: 200, body: o });
    }
    return out;
  }

  /** Closes (part of) a position with a market order. */
  closePosition(key: string, symbolOrId: string, now: number, amount: { qty?: number; percentage?: number } = {}): SimOrder {
    const a = this.account(key, now);
    const asset = this.opts.universe.find(symbolOrId);
    const p = asset ? a.positions.get(asset.symbol) : undefined;
    if (!asset || !p) throw notFound('position does not exist');
    if (amount.qty !== undefined && amount.percentage !== undefined) throw invalid('qty and percentage are mutually exclusive');
    let qty = Math.abs(p.qty);
    if (amount.qty !== undefined) {
      if (!(amount.qty > 0)) throw invalid('qty must be > 0');
      qty = Math.min(qty, amount.qty);
    } else if (amount.percentage !== undefined) {
      if (!(amount.percentage > 0 && amount.percentage <= 100)) throw invalid('percentage must be between 0 and 100');
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
    for (const p of [...a.positions.values()]) {
      try {
        out.push({ key: p.symbol, status: 200, body: this.closePosition(key, p.symbol, now) });
      } catch (e) {
        if (!(e instanceof SimError)) throw e;
        out.push({ key: p.symbol, status: e.status, body: e.body() });
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- matching

  /**
   * Runs the matcher over every open order. `force` ignores the fill latency (the admin tick); `hold` mode
   * still leaves everything open.
   */
  step(now: number, force = false): void {
    const clock = marketClock(this.opts.mode, now);
    for (const o of [...this.open]) {
      if (o.expiresAt !== null && now >= o.expiresAt) {
        this.finish(o, 'expired', now);
        continue;
      }
      if (!clock.isOpen) continue;
      if (o.status === 'accepted') { o.status = 'new'; o.updatedAt = now; }
      if ((this.accountFillModes.get(o.accountKey) ?? this.fillMode) === 'hold') continue;
      if (!force && now < o.eligibleAt) continue;
      this.match(o, now);
    }
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
    if (o.type === 'limit' || o.type === 'stop_limit') {
      const limit = o.limitPrice ?? 0;
      const marketable = o.side === 'buy' ? far <= limit + EPS : far >= limit - EPS;
      if (!marketable) return this.unmarketable(o, now);
      price = o.side === 'buy' ? Math.min(limit, far) : Math.max(limit, far);
    }

    let remaining = o.qty !== null ? round9(o.qty - o.filledQty)
      : round9(((o.notional ?? 0) - o.filledQty * (o.filledAvgPrice ?? 0)) / price);
    if (o.qty === null) remaining = Math.floor(remaining * 1e9) / 1e9;
    if (remaining <= EPS) return this.finish(o, 'filled', now);
    let fill = remaining;
    const partial = !o.partialDone && o.timeInForce !== 'fok' && remaining >= 2
      && unit(this.opts.seed, o.accountKey, o.clientOrderId, 'partial') < this.opts.partialFillRate;
    if (partial) {
      const fraction = 0.2 + 0.6 * unit(this.opts.seed, o.accountKey, o.clientOrderId, 'fraction');
      fill = Math.max(1, Math.floor(remaining * fraction));
      o.partialDone = true;
    }
    this.execute(o, fill, price, now);
    if (fill >= remaining - EPS) {
      o.status = 'filled';
      o.filledAt = now;
      this.open.delete(o);
    } else {
      o.status = 'partially_filled';
      o.eligibleAt = now + this.opts.fillLatencyMs;
      if (o.timeInForce === 'ioc') this.finish(o, 'canceled', now);
    }
  }

  private unmarketable(o: SimOrder, now: number): void {
    if (o.timeInForce === 'ioc' || o.timeInForce === 'fok') this.finish(o, 'canceled', now);
  }

  private trailStop(o: SimOrder, hwm: number): number {
    const offset = o.trailPrice ?? (hwm * (o.trailPercent ?? 0)) / 100;
    return Math.round((o.side === 'sell' ? hwm - offset : hwm + offset) * 100) / 100;
  }

  /** Applies one execution to the order and the account. */
  private execute(o: SimOrder, qty: number, price: number, now: number): void {
    const a = this.accounts.get(o.accountKey);
    if (!a) return;
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

  private finish(o: SimOrder, status: 'canceled' | 'expired' | 'filled', now: number): void {
    o.status = status;
    o.updatedAt = now;
    if (status === 'canceled') o.canceledAt = now;
    if (status === 'expired') o.expiredAt = now;
    if (status === 'filled') o.filledAt = now;
    this.open.delete(o);
  }

  /** Open orders across accounts (for the server's ticker). */
  openCount(): number {
    return this.open.size;
  }
}
