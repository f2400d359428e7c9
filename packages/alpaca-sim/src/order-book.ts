/**
 * The order book and each order's lifecycle: creating orders (and the exit legs of bracket, OCO and OTO
 * orders), the set of open orders, moves along the status table of `order-transitions.ts`, cancelling an order
 * with its group, replacing one order by another, and the trade update each move announces to subscribers.
 * Order and execution ids come from one seeded generator, so a seed replays them.
 *
 * A cancel or replace of an order that may still execute (working at an open venue) is not immediate: the order
 * waits `cancelLatencyMs` in `pending_cancel` or `pending_replace`, and the matching engine settles the request at
 * its next step, where an execution may win the race (`matching-engine.ts`). Here are the moves at both ends.
 */
import type { OrderStatus, OrderType, Side, TimeInForce } from './alpaca-enums';
import { marketClock, type MarketMode } from './calendar';
import { trailStop } from './fill-model';
import type { Ledger } from './ledger';
import type { Market } from './market';
import type { OrderClass, OrderRequest, StopLoss, TakeProfit } from './order-request';
import { canTransition, EVENT_FOR_STATUS, isCancelable, isFinal, type TradeEvent } from './order-transitions';
import { createRng, hash32, uuidFrom } from './random';
import type { EngineEvent, EngineListener, SimAccount, SimOrder } from './records';

const DAY_MS = 86_400_000;
/** GTC orders age out after 90 days (Alpaca's aged-order policy). */
const GTC_LIFETIME_MS = 90 * DAY_MS;

export interface OrderBookOptions {
  market: Market;
  mode: MarketMode;
  seed: number;
  fillLatencyMs: number;
  /** How long a cancel or replace of a working order stays pending; 0 makes both immediate. */
  cancelLatencyMs: number;
  /** Salts the id generator (the state file's run count), so a restarted simulator never reuses an id. */
  idSalt?: number;
}

/** The fields of a new order that vary; the rest start empty. */
export interface NewOrderFields {
  clientOrderId: string | null; symbol: string; assetId: string; side: Side; type: OrderType; timeInForce: TimeInForce;
  qty: number | null; notional: number | null; limitPrice: number | null; stopPrice: number | null;
  trailPrice: number | null; trailPercent: number | null; extendedHours: boolean; positionIntent: string | null;
  orderClass: OrderClass; status: OrderStatus; auctionAt: number | null;
}

export class OrderBook {
  /** Orders not yet in a final status, across accounts. */
  readonly open = new Set<SimOrder>();
  private readonly rng: () => number;
  private readonly listeners = new Set<EngineListener>();

  constructor(private readonly ledger: Ledger, private readonly opts: OrderBookOptions) {
    this.rng = createRng(opts.idSalt ? hash32('orders', opts.seed, opts.idSalt) : hash32('orders', opts.seed));
  }

  /** A fresh id from the seeded generator (orders, client order ids, executions). */
  nextId(): string {
    return uuidFrom(this.rng);
  }

  /** Registers a trade-update listener; returns the unsubscribe function. */
  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(o: SimOrder, event: TradeEvent, at: number, fill?: { executionId: string; price: number; qty: number }): void {
    if (this.listeners.size === 0) return;
    const a = this.ledger.find(o.accountKey);
    const e: EngineEvent = {
      accountKey: o.accountKey, event, order: o, at,
      executionId: fill?.executionId ?? this.nextId(),
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

  /** Opens the unfinished orders of an account read back from a state file. */
  restore(a: SimAccount): void {
    for (const o of a.orders) if (!isFinal(o.status)) this.open.add(o);
  }

  /** Drops an account's orders from the open set (its account is being forgotten). */
  forgetAccount(key: string): void {
    for (const o of [...this.open]) if (o.accountKey === key) this.open.delete(o);
  }

  /** Creates an order, indexes it under its account and opens it. */
  create(a: SimAccount, f: NewOrderFields, now: number): SimOrder {
    const clock = marketClock(this.opts.mode, now);
    const id = this.nextId();
    const order: SimOrder = {
      id,
      clientOrderId: f.clientOrderId ?? this.nextId(),
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
      order.stopPrice = trailStop(order, last);
    }
    a.orders.push(order);
    a.byId.set(order.id, order);
    a.byClientId.set(order.clientOrderId, order);
    this.open.add(order);
    return order;
  }

  /** Creates the exit legs of a bracket, OCO or OTO order: take-profit first, then stop-loss. */
  attachExits(a: SimAccount, parent: SimOrder, req: OrderRequest, now: number): void {
    const oco = req.orderClass === 'oco';
    const exitSide: Side = oco ? req.side : req.side === 'buy' ? 'sell' : 'buy';
    const leg = (type: OrderType, limitPrice: number | null, stopPrice: number | null): SimOrder => {
      const o = this.create(a, {
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

  /** The legs of a group's parent, in order (empty for other orders). */
  legsOf(o: SimOrder): SimOrder[] {
    const a = this.ledger.find(o.accountKey);
    if (!a) return [];
    return (o.legIds ?? []).map((id) => a.byId.get(id)).filter((x): x is SimOrder => x !== undefined);
  }

  /** Moves an order along the transition table; a move the table forbids is a simulator bug. */
  setStatus(o: SimOrder, to: OrderStatus, now: number): void {
    if (!canTransition(o.status, to)) throw new Error(`order ${o.id}: no transition ${o.status} -> ${to}`);
    o.status = to;
    o.updatedAt = now;
  }

  /** Emits the event of a freshly created or replacing order's first status. */
  announce(o: SimOrder, now: number): void {
    const event = EVENT_FOR_STATUS[o.status];
    if (event && o.status !== 'held') this.emit(o, event, now);
  }

  finish(o: SimOrder, status: 'canceled' | 'expired' | 'rejected', now: number): void {
    this.setStatus(o, status, now);
    if (status === 'canceled') o.canceledAt = now;
    if (status === 'expired') o.expiredAt = now;
    if (status === 'rejected') o.failedAt = now;
    this.open.delete(o);
    this.emit(o, status, now);
    // An order that ends while being replaced (a sibling exit filled) takes its replacement with it.
    if (o.replacingWith) this.rejectReplace(o, now);
    // An entry that will never completely fill takes its waiting exits with it.
    for (const leg of this.legsOf(o)) {
      if (this.open.has(leg) && leg.status === 'held') this.finish(leg, 'canceled', now);
    }
  }

  /** Ends an order `filled` (its executions are already booked). */
  complete(o: SimOrder, now: number): void {
    this.setStatus(o, 'filled', now);
    o.filledAt = now;
    this.open.delete(o);
  }

  /** `accepted` → `new` once the venue is open; a queued order the account can no longer place is rejected. */
  activate(o: SimOrder, now: number): void {
    const a = this.ledger.find(o.accountKey);
    if (a && this.ledger.configOf(a).suspend_trade && !o.parentId) return this.finish(o, 'rejected', now);
    this.setStatus(o, 'new', now);
    this.emit(o, 'new', now);
  }

  /** A GTC order partly filled at the close: done for the day, resumed at the next open. */
  doneForDay(o: SimOrder, now: number): void {
    this.setStatus(o, 'done_for_day', now);
    this.emit(o, 'done_for_day', now);
  }

  /** A `done_for_day` order at the open: working again, with no event (Alpaca documents none). */
  resume(o: SimOrder, now: number): void {
    this.setStatus(o, o.filledQty > 0 ? 'partially_filled' : 'new', now);
  }

  /**
   * A cancel request on one order. A `working` order (one that may execute before the cancel lands) waits in
   * `pending_cancel` for the matcher to settle the race; a replacement waits for its replace to settle; any other
   * is canceled at once. A second request on a `pending_cancel` order changes nothing.
   */
  requestCancel(o: SimOrder, now: number, working: boolean): void {
    if (o.status === 'pending_cancel') return;
    const pair = this.replacedBy(o);
    if (!pair && !(working && this.opts.cancelLatencyMs > 0)) return this.finish(o, 'canceled', now);
    this.setStatus(o, 'pending_cancel', now);
    o.pendingUntil = pair?.pendingUntil ?? now + this.opts.cancelLatencyMs;
    this.emit(o, 'pending_cancel', now);
  }

  /**
   * Cancels an order and, as Alpaca does for advanced orders, every open order of its group. A member being
   * replaced has the cancel applied to its replacement; a held exit goes with its entry, at once or when the
   * entry's cancel settles.
   */
  cancelGroup(o: SimOrder, now: number, working: (x: SimOrder) => boolean): void {
    const a = this.ledger.find(o.accountKey);
    const parent = o.parentId ? a?.byId.get(o.parentId) : o;
    const group = parent ? [parent, ...this.legsOf(parent)] : [o];
    if (!group.includes(o)) group.push(o);
    // The order asked for goes first, so its event leads; held exits after the live orders, so that an exit whose
    // entry is now pending_cancel (or pending_replace) waits for that to settle, and goes with the entry.
    const ordered = [o, ...group.filter((g) => g !== o)];
    for (const x of [...ordered.filter((g) => g.status !== 'held'), ...ordered.filter((g) => g.status === 'held')]) {
      if (!this.open.has(x)) continue;
      if (x.status === 'pending_replace') {
        const fresh = this.replacementOf(x);
        if (fresh && this.open.has(fresh)) this.requestCancel(fresh, now, true);
        continue;
      }
      if (!isCancelable(x.status)) continue;
      const entry = x.status === 'held' && x.parentId ? a?.byId.get(x.parentId) : undefined;
      if (entry?.status === 'pending_cancel' || entry?.status === 'pending_replace') continue;
      this.requestCancel(x, now, working(x));
    }
  }

  /** The order waiting in `pending_new` to replace `old`, while `old` is `pending_replace`. */
  replacementOf(old: SimOrder): SimOrder | undefined {
    if (old.status !== 'pending_replace' || !old.replacingWith) return undefined;
    return this.ledger.find(old.accountKey)?.byId.get(old.replacingWith);
  }

  /** The order `fresh` is waiting to replace, while that replace is in flight. */
  replacedBy(fresh: SimOrder): SimOrder | undefined {
    if (!fresh.replaces) return undefined;
    const old = this.ledger.find(fresh.accountKey)?.byId.get(fresh.replaces);
    return old?.status === 'pending_replace' && old.replacingWith === fresh.id ? old : undefined;
  }

  /**
   * A replace of a working order: `old` waits in `pending_replace`, `fresh` (created `pending_new`) for the
   * matcher to settle the race with `completeReplace` or `rejectReplace`.
   */
  beginReplace(old: SimOrder, fresh: SimOrder, now: number): void {
    fresh.replaces = old.id;
    fresh.secondaryExit = old.secondaryExit ?? false;
    old.replacingWith = fresh.id;
    old.pendingUntil = now + this.opts.cancelLatencyMs;
    this.setStatus(old, 'pending_replace', now);
    this.emit(old, 'pending_replace', now);
  }

  /** The replace went through: `fresh` takes `old`'s place and works, or is canceled if a cancel was asked meanwhile. */
  completeReplace(a: SimAccount, old: SimOrder, fresh: SimOrder, now: number): void {
    old.replacingWith = null;
    old.pendingUntil = null;
    const canceling = fresh.status === 'pending_cancel';
    if (fresh.status === 'pending_new') this.setStatus(fresh, 'new', now);
    this.supersede(a, old, fresh, now, !canceling);
    if (canceling) this.finish(fresh, 'canceled', now);
  }

  /** The replace lost (`old` filled or ended first): the replacement is rejected and `order_replace_rejected` sent. */
  rejectReplace(old: SimOrder, now: number): void {
    const fresh = old.replacingWith ? this.ledger.find(old.accountKey)?.byId.get(old.replacingWith) : undefined;
    old.replacingWith = null;
    old.pendingUntil = null;
    if (fresh && this.open.has(fresh)) this.finish(fresh, 'rejected', now);
    this.emit(old, 'order_replace_rejected', now);
  }

  /**
   * Puts `fresh` in `old`'s place: it takes over `old`'s group links (and a trailing stop's high-water mark),
   * and `old` ends `replaced`. Announces both (`fresh` unless told not to).
   */
  supersede(a: SimAccount, old: SimOrder, fresh: SimOrder, now: number, announceFresh = true): void {
    if (old.type === 'trailing_stop' && old.hwm !== null) {
      fresh.hwm = old.hwm;
      fresh.stopPrice = trailStop(fresh, old.hwm);
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
    if (announceFresh) this.announce(fresh, now);
  }
}
