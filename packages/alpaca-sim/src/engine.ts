/**
 * The paper broker without HTTP, as a simulated venue split by job (as NautilusTrader and LEAN split theirs):
 * the ledger (`ledger.ts`: cash, positions, equity), the order book and each order's lifecycle
 * (`order-book.ts`), order entry checks (`order-entry.ts`: buying power, held quantities), the matching engine
 * (`matching-engine.ts`) and its pure fill model (`fill-model.ts`). This class is what the routes call. Every
 * method takes `now` (epoch ms) so time is the caller's; chance comes only from the seed (partial fills keyed by
 * order, ids from one seeded sequence), so the same requests replay the same run. Status changes follow the table
 * in `order-transitions.ts` and are announced to `subscribe`rs as trade updates.
 */
import { marketClock, type MarketMode } from './calendar';
import { Ledger } from './ledger';
import type { Market } from './market';
import { MatchingEngine } from './matching-engine';
import { EPS, round9 } from './numbers';
import { OrderBook } from './order-book';
import { OrderEntry } from './order-entry';
import { replacementTerms } from './order-replace';
import { parseOrderRequest, parseReplaceRequest } from './order-request';
import { canTransition, isCancelable, isFinal, isWorking } from './order-transitions';
import type {
  AccountConfig, AccountValues, EngineListener, FillMode, MultiStatus, OrderListQuery, PositionValues, SimAccount,
  SimFill, SimOrder,
} from './records';
import { forbidden, invalid, notFound, SimError } from './sim-error';
import type { Universe } from './universe';

export interface EngineOptions {
  universe: Universe;
  market: Market;
  mode: MarketMode;
  seed: number;
  equity: number;
  partialFillRate: number;
  fillLatencyMs: number;
  /** How long a cancel or replace of a working order stays `pending_cancel`/`pending_replace`; 0: immediate. */
  cancelLatencyMs: number;
  /** Buying-power multiplier: 1 cash, 2 Reg-T margin. */
  multiplier: number;
  /** Salts the order-id generator (the state file's run count), so a restarted simulator never reuses an id. */
  idSalt?: number;
}

export class Engine {
  fillMode: FillMode = 'auto';
  /** Per-key fill modes that override `fillMode`. */
  readonly accountFillModes = new Map<string, FillMode>();
  private readonly ledger: Ledger;
  private readonly book: OrderBook;
  private readonly entry: OrderEntry;
  private readonly matcher: MatchingEngine;

  constructor(private readonly opts: EngineOptions) {
    const { universe, market, mode, seed, equity, multiplier, fillLatencyMs, cancelLatencyMs, partialFillRate } = opts;
    this.ledger = new Ledger({ universe, market, seed, equity, multiplier });
    this.book = new OrderBook(this.ledger, {
      market, mode, seed, fillLatencyMs, cancelLatencyMs, ...(opts.idSalt !== undefined ? { idSalt: opts.idSalt } : {}),
    });
    this.entry = new OrderEntry(this.book, this.ledger, { market, mode, fillLatencyMs, multiplier });
    this.matcher = new MatchingEngine(this.book, this.ledger, { market, mode, seed, partialFillRate, fillLatencyMs },
      (key) => this.holding(key));
  }

  /** Whether an account's orders are held open (the admin API's `hold` fill mode). */
  private holding(key: string): boolean {
    return (this.accountFillModes.get(key) ?? this.fillMode) === 'hold';
  }

  /**
   * Whether an order may execute before a cancel or replace of it lands, so the request is pending and races its
   * executions: it is working (`new`, `partially_filled`), the market is open and its account's fills are not held.
   * Orders not at the venue (`accepted`, `held`), a closed market and held fills leave nothing to race.
   */
  private working(o: SimOrder, now: number): boolean {
    return isWorking(o.status) && this.isOpen(now) && !this.holding(o.accountKey);
  }

  /** Registers a trade-update listener; returns the unsubscribe function. */
  subscribe(listener: EngineListener): () => void {
    return this.book.subscribe(listener);
  }

  // ---------------------------------------------------------------- accounts

  /** The account of an API key id, created on first use. */
  account(key: string, now: number): SimAccount {
    return this.ledger.account(key, now);
  }

  /** Forgets an account and its orders; the key id starts afresh on next use. */
  resetAccount(key: string): boolean {
    this.book.forgetAccount(key);
    this.accountFillModes.delete(key);
    return this.ledger.forget(key);
  }

  /** Accounts that exist (for the admin API); does not create. */
  findAccount(key: string): SimAccount | undefined {
    return this.ledger.find(key);
  }

  /** Every account (for the state file). */
  allAccounts(): SimAccount[] {
    return this.ledger.all();
  }

  /** Puts accounts read back from a state file in place, their unfinished orders open again. */
  restore(accounts: SimAccount[]): void {
    for (const a of accounts) {
      this.ledger.put(a);
      this.book.restore(a);
    }
  }

  isOpen(now: number): boolean {
    return marketClock(this.opts.mode, now).isOpen;
  }

  configOf(a: SimAccount): AccountConfig {
    return this.ledger.configOf(a);
  }

  fillsOf(a: SimAccount): SimFill[] {
    return this.ledger.fillsOf(a);
  }

  /** Applies a PATCH /v2/account/configurations body (validated field by field). */
  patchConfig(key: string, body: unknown, now: number): AccountConfig {
    return this.ledger.patchConfig(key, body, now);
  }

  values(a: SimAccount, now: number): AccountValues {
    return this.ledger.values(a, now);
  }

  positionValues(a: SimAccount, now: number): PositionValues[] {
    return this.ledger.positionValues(a, now, (symbol, side) => this.entry.heldQty(a, symbol, side));
  }

  // ---------------------------------------------------------------- orders

  submit(key: string, body: unknown, now: number): SimOrder {
    const a = this.account(key, now);
    const req = parseOrderRequest(body, (s) => this.opts.universe.find(s));
    if (req.clientOrderId !== null && a.byClientId.has(req.clientOrderId)) {
      throw new SimError(422, 40010001, 'client_order_id must be unique');
    }
    const auctionAt = this.entry.auctionInstant(req.timeInForce, now);
    this.entry.check(a, req, now);
    const clock = marketClock(this.opts.mode, now);
    const order = this.book.create(a, {
      clientOrderId: req.clientOrderId, symbol: req.symbol, assetId: req.asset.id, side: req.side, type: req.type,
      timeInForce: req.timeInForce, qty: req.qty, notional: req.notional, limitPrice: req.limitPrice,
      stopPrice: req.stopPrice, trailPrice: req.trailPrice, trailPercent: req.trailPercent,
      extendedHours: req.extendedHours, positionIntent: req.positionIntent, orderClass: req.orderClass,
      status: clock.isOpen ? 'new' : 'accepted', auctionAt,
    }, now);
    if (req.orderClass !== 'simple') this.book.attachExits(a, order, req, now);
    this.book.announce(order, now);
    return order;
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
    return this.book.legsOf(o);
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

  /**
   * DELETE /v2/orders/{id}: 204 once accepted, the order `canceled` at once or `pending_cancel` until the matcher
   * settles it (see `working`). A final order, or one in `pending_replace` (which rejects cancel requests; the
   * stream hears `order_cancel_rejected`), is a 422.
   */
  cancel(key: string, id: string, now: number): SimOrder {
    const o = this.getOrder(key, id, now);
    if (o.status === 'pending_replace') this.book.emit(o, 'order_cancel_rejected', now);
    if (!isCancelable(o.status)) throw invalid(`order is already in "${o.status}" state`);
    this.book.cancelGroup(o, now, (x) => this.working(x, now));
    return o;
  }

  /**
   * DELETE /v2/orders: a cancel request on every open order that takes one, as `cancel` does each (orders already
   * `pending_cancel` are left out, and an order in `pending_replace` is left to the cancel of its replacement).
   * `immediate` (the cancels of DELETE /v2/positions?cancel_orders) cancels every open order at once.
   */
  cancelAll(key: string, now: number, immediate = false): Array<MultiStatus<SimOrder>> {
    const a = this.account(key, now);
    const out: Array<MultiStatus<SimOrder>> = [];
    for (const o of a.orders) {
      if (!this.book.open.has(o)) continue;
      if (immediate ? !canTransition(o.status, 'canceled') : !isCancelable(o.status) || o.status === 'pending_cancel') continue;
      if (immediate) this.book.finish(o, 'canceled', now);
      else this.book.requestCancel(o, now, this.working(o, now));
      out.push({ key: o.id, status: 200, body: o });
    }
    return out;
  }

  /**
   * PATCH /v2/orders/{id}: a new order takes the old one's place (`replaces`), the old one ends `replaced`
   * (`replaced_by`). Quantity defaults to what was left to fill. For a working order (see `working`) this is not
   * immediate: the old order is `pending_replace` and the new one `pending_new` until the matcher settles the race.
   */
  replace(key: string, id: string, body: unknown, now: number): SimOrder {
    const a = this.account(key, now);
    const old = this.getOrder(key, id, now);
    const r = parseReplaceRequest(body);
    const next = replacementTerms(old, r, (clientOrderId) => a.byClientId.has(clientOrderId));
    const asset = this.opts.universe.find(old.symbol);
    if (!asset) throw notFound('asset not found');
    if (!old.parentId) {
      this.entry.check(a, {
        symbol: old.symbol, asset, side: old.side, type: old.type, timeInForce: next.timeInForce, qty: next.qty, notional: null,
        limitPrice: next.limitPrice, stopPrice: next.stopPrice, trailPrice: next.trailPrice, trailPercent: next.trailPercent,
        extendedHours: old.extendedHours, clientOrderId: r.clientOrderId, positionIntent: old.positionIntent,
        fractional: !Number.isInteger(next.qty), orderClass: old.orderClass === 'oco' ? 'simple' : (old.orderClass ?? 'simple'),
        takeProfit: null, stopLoss: null,
      }, now, old);
    }

    const pending = this.opts.cancelLatencyMs > 0 && this.working(old, now);
    const fresh = this.book.create(a, {
      clientOrderId: r.clientOrderId, symbol: old.symbol, assetId: old.assetId, side: old.side, type: old.type,
      timeInForce: next.timeInForce, qty: next.qty, notional: null, limitPrice: next.limitPrice, stopPrice: next.stopPrice,
      trailPrice: next.trailPrice, trailPercent: next.trailPercent, extendedHours: old.extendedHours,
      positionIntent: old.positionIntent, orderClass: old.orderClass ?? 'simple',
      status: old.status === 'held' ? 'held' : pending ? 'pending_new' : 'new', auctionAt: old.auctionAt ?? null,
    }, now);
    if (pending) this.book.beginReplace(old, fresh, now);
    else this.book.supersede(a, old, fresh, now);
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
    // Alpaca cancels the orders before it closes: nothing pending holds back the shares being sold.
    if (cancelOrders) this.cancelAll(key, now, true);
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

  // ---------------------------------------------------------------- matching

  /**
   * Runs the matcher over every open order. `force` ignores the fill latency (the admin tick); `hold` mode
   * still leaves everything open.
   */
  step(now: number, force = false): void {
    this.lastStepAt = Math.max(this.lastStepAt, now);
    this.matcher.step(now, force);
  }

  /** The latest instant the book was stepped to, by the ticker or an admin call (a clock jump steps at once). */
  lastStepAt = Number.NEGATIVE_INFINITY;

  /** Open orders across accounts (for the admin API's tick and state). */
  openCount(): number {
    return this.book.open.size;
  }
}
