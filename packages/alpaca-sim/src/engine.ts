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
import { isCancelable, isFinal } from './order-transitions';
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
    const { universe, market, mode, seed, equity, multiplier, fillLatencyMs, partialFillRate } = opts;
    this.ledger = new Ledger({ universe, market, seed, equity, multiplier });
    this.book = new OrderBook(this.ledger, {
      market, mode, seed, fillLatencyMs, ...(opts.idSalt !== undefined ? { idSalt: opts.idSalt } : {}),
    });
    this.entry = new OrderEntry(this.book, this.ledger, { market, mode, fillLatencyMs, multiplier });
    this.matcher = new MatchingEngine(this.book, this.ledger, { market, mode, seed, partialFillRate, fillLatencyMs },
      (key) => (this.accountFillModes.get(key) ?? this.fillMode) === 'hold');
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

  cancel(key: string, id: string, now: number): SimOrder {
    const o = this.getOrder(key, id, now);
    if (!isCancelable(o.status)) throw invalid(`order is already in "${o.status}" state`);
    this.book.cancelGroup(o, now);
    return o;
  }

  cancelAll(key: string, now: number): Array<MultiStatus<SimOrder>> {
    const a = this.account(key, now);
    const out: Array<MultiStatus<SimOrder>> = [];
    for (const o of a.orders) {
      if (!this.book.open.has(o) || !isCancelable(o.status)) continue;
      this.book.finish(o, 'canceled', now);
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

    const fresh = this.book.create(a, {
      clientOrderId: r.clientOrderId, symbol: old.symbol, assetId: old.assetId, side: old.side, type: old.type,
      timeInForce: next.timeInForce, qty: next.qty, notional: null, limitPrice: next.limitPrice, stopPrice: next.stopPrice,
      trailPrice: next.trailPrice, trailPercent: next.trailPercent, extendedHours: old.extendedHours,
      positionIntent: old.positionIntent, orderClass: old.orderClass ?? 'simple',
      status: old.status === 'held' ? 'held' : 'new', auctionAt: old.auctionAt ?? null,
    }, now);
    this.book.supersede(a, old, fresh, now);
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

  // ---------------------------------------------------------------- matching

  /**
   * Runs the matcher over every open order. `force` ignores the fill latency (the admin tick); `hold` mode
   * still leaves everything open.
   */
  step(now: number, force = false): void {
    this.matcher.step(now, force);
  }

  /** Open orders across accounts (for the admin API's tick and state). */
  openCount(): number {
    return this.book.open.size;
  }
}
