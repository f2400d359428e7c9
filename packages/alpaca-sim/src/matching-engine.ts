/**
 * The matching engine: each step walks the open orders, settles the cancels and replaces in flight (an order
 * still working gets this step's execution first, so a cancel or replace can lose the race to a fill), expires
 * what is past its expiry, rests partly filled GTC orders `done_for_day` at the close and resumes them at the
 * open, moves queued orders to `new` once the market is open, runs the opening and closing auctions, triggers
 * stops, and executes what the fill model finds marketable, booking each execution in the ledger and the
 * account's FILL log. A filled entry releases its exits; a filling exit shrinks or cancels its sibling.
 */
import { marketClock, type MarketMode } from './calendar';
import {
  auctionCrosses, executionPrice, fillQuantity, hasStop, highWaterMark, isComplete, quantityToFill, remainingQty,
  stopCrossed, trailStop,
} from './fill-model';
import type { Ledger } from './ledger';
import type { Market } from './market';
import { EPS, round9 } from './numbers';
import type { OrderBook } from './order-book';
import type { SimAccount, SimOrder } from './records';

export interface MatchingOptions {
  market: Market;
  mode: MarketMode;
  seed: number;
  /** Share of orders whose first execution is partial. */
  partialFillRate: number;
  /** Delay from acceptance, and between partial fills, to the next execution. */
  fillLatencyMs: number;
}

/** `20250623140000123`, the time prefix of an activity id. */
function activityStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:TZ.]/g, '');
}

export class MatchingEngine {
  /** `holding(accountKey)`: whether that account's orders are held open (the admin API's `hold` fill mode). */
  constructor(
    private readonly book: OrderBook,
    private readonly ledger: Ledger,
    private readonly opts: MatchingOptions,
    private readonly holding: (accountKey: string) => boolean,
  ) {}

  /**
   * Runs the matcher over every open order. `force` ignores the fill latency (the admin tick); `hold` mode
   * still leaves everything open.
   */
  step(now: number, force = false): void {
    const clock = marketClock(this.opts.mode, now);
    const { open } = this.book;
    for (const o of [...open]) {
      if (!open.has(o)) continue; // closed by a sibling earlier in this pass
      if (o.status === 'held') continue;
      const holding = this.holding(o.accountKey);
      // A replacement waits for its replace to settle, with the order it replaces.
      if (o.status === 'pending_new' || this.book.replacedBy(o)) continue;
      if (o.status === 'pending_cancel' || o.status === 'pending_replace') {
        if (force || now >= (o.pendingUntil ?? 0)) this.settle(o, now, clock.isOpen && !holding && (force || now >= o.eligibleAt));
        continue;
      }
      if (o.auctionAt != null) {
        if (now >= o.auctionAt && !holding && (force || now >= o.eligibleAt)) this.auction(o, now);
        else if (o.expiresAt !== null && now >= o.expiresAt) this.book.finish(o, 'expired', now);
        continue;
      }
      if (o.expiresAt !== null && now >= o.expiresAt) {
        this.book.finish(o, 'expired', now);
        continue;
      }
      if (!clock.isOpen) {
        if (o.status === 'partially_filled' && o.timeInForce === 'gtc') this.book.doneForDay(o, now);
        continue;
      }
      if (o.status === 'done_for_day') this.book.resume(o, now);
      if (o.status === 'accepted') {
        this.book.activate(o, now);
        if (!open.has(o)) continue;
      }
      if (holding) continue;
      if (!force && now < o.eligibleAt) continue;
      this.match(o, now);
    }
  }

  /**
   * Settles a cancel or replace in flight. An order that may execute now gets this step's execution first (a
   * cancel can lose to a fill: then `order_cancel_rejected`). A cancel then cancels what is left. A replace whose
   * old order filled or ended is rejected (`order_replace_rejected`); otherwise the replacement takes over, less
   * whatever executed in the race.
   */
  private settle(o: SimOrder, now: number, canExecute: boolean): void {
    const replacing = o.status === 'pending_replace';
    const before = o.filledQty;
    if (canExecute) {
      if (o.auctionAt == null) this.match(o, now);
      else if (now >= o.auctionAt) this.auction(o, now);
    }
    if (!replacing) {
      if (this.book.open.has(o)) this.book.finish(o, 'canceled', now);
      else if (o.status === 'filled') this.book.emit(o, 'order_cancel_rejected', now);
      return;
    }
    if (!o.replacingWith) return; // the race ended the order, and its replace with it
    const a = this.ledger.find(o.accountKey);
    const fresh = a?.byId.get(o.replacingWith);
    if (!a || !fresh || !this.book.open.has(o)) return this.book.rejectReplace(o, now);
    const raced = round9(o.filledQty - before);
    if (raced > EPS && fresh.qty !== null) {
      if (fresh.qty - raced <= EPS) return this.book.rejectReplace(o, now);
      fresh.qty = round9(fresh.qty - raced);
    }
    this.book.completeReplace(a, o, fresh, now);
  }

  /** An opening or closing auction: all or nothing at the auction price; what does not execute is canceled. */
  private auction(o: SimOrder, now: number): void {
    const at = o.auctionAt ?? now;
    if (o.status === 'accepted') {
      this.book.activate(o, at);
      if (!this.book.open.has(o)) return;
    }
    const price = this.opts.market.last(o.symbol, at);
    const remaining = remainingQty(o, () => this.opts.market.last(o.symbol, at));
    if (!auctionCrosses(o, price) || remaining <= EPS) return this.book.finish(o, 'canceled', Math.max(at, now));
    this.fill(o, remaining, price, at);
  }

  private match(o: SimOrder, now: number): void {
    const market = this.opts.market;
    const q = market.quote(o.symbol, now);
    const last = market.last(o.symbol, now);
    if (o.type === 'trailing_stop' && !o.stopTriggered) {
      o.hwm = highWaterMark(o.side, o.hwm, last);
      o.stopPrice = trailStop(o, o.hwm);
    }
    if (hasStop(o.type) && !o.stopTriggered) {
      if (!stopCrossed(o.side, o.stopPrice ?? 0, last)) return this.unmarketable(o, now);
      o.stopTriggered = true;
      o.updatedAt = now;
    }
    const price = executionPrice(o, q);
    if (price === null) return this.unmarketable(o, now);

    const remaining = quantityToFill(o, price);
    if (remaining <= EPS) {
      if (o.filledQty > EPS) {
        this.book.complete(o, now);
        this.book.emit(o, 'fill', now);
      } else this.book.finish(o, 'canceled', now);
      return;
    }
    const { qty, partial } = fillQuantity(o, remaining, this.opts.seed, this.opts.partialFillRate);
    if (partial) o.partialDone = true;
    this.fill(o, qty, price, now);
    if (this.book.open.has(o) && o.timeInForce === 'ioc') this.book.finish(o, 'canceled', now);
  }

  /** An IOC or FOK order that cannot execute now is canceled; any other waits. */
  private unmarketable(o: SimOrder, now: number): void {
    if (o.timeInForce === 'ioc' || o.timeInForce === 'fok') this.book.finish(o, 'canceled', now);
  }

  /** One execution: the books, the order's totals and status, the FILL activity, the event, then the group. */
  private fill(o: SimOrder, qty: number, price: number, now: number): void {
    const a = this.ledger.find(o.accountKey);
    if (!a) return;
    this.ledger.book(a, { symbol: o.symbol, assetId: o.assetId, side: o.side, qty, price }, now);
    const prevValue = o.filledQty * (o.filledAvgPrice ?? 0);
    o.filledQty = round9(o.filledQty + qty);
    o.filledAvgPrice = (prevValue + qty * price) / o.filledQty;
    o.updatedAt = now;
    const done = isComplete(o);
    if (done) this.book.complete(o, now);
    else {
      this.book.setStatus(o, 'partially_filled', now);
      o.eligibleAt = now + this.opts.fillLatencyMs;
    }
    const executionId = this.book.nextId();
    this.ledger.fillsOf(a).push({
      id: `${activityStamp(now)}::${executionId}`, executionId, orderId: o.id, symbol: o.symbol, side: o.side, qty, price,
      cumQty: o.filledQty, leavesQty: o.qty === null ? 0 : Math.max(0, round9(o.qty - o.filledQty)),
      transactionTime: now, type: done ? 'fill' : 'partial_fill', orderStatus: o.status,
    });
    this.book.emit(o, done ? 'fill' : 'partial_fill', now, { executionId, price, qty });
    this.afterFill(a, o, done, now);
  }

  /** Group effects: a filled entry releases its exits; a filling exit shrinks or cancels its sibling. */
  private afterFill(a: SimAccount, o: SimOrder, done: boolean, now: number): void {
    if (done) {
      for (const leg of this.book.legsOf(o)) {
        if (leg.status !== 'held') continue;
        leg.qty = o.filledQty;
        leg.eligibleAt = now + this.opts.fillLatencyMs;
        this.book.setStatus(leg, 'new', now);
        this.book.emit(leg, 'new', now);
      }
    }
    const parent = o.parentId ? a.byId.get(o.parentId) : undefined;
    const ocoParent = o.orderClass === 'oco' && !o.parentId && (o.legIds ?? []).length > 0;
    const isExit = (parent && parent.orderClass !== 'oto') || ocoParent;
    if (!isExit) return;
    const siblings = parent
      ? [...(parent.orderClass === 'oco' ? [parent] : []), ...this.book.legsOf(parent)].filter((x) => x !== o)
      : this.book.legsOf(o);
    for (const s of siblings) {
      if (!this.book.open.has(s)) continue;
      if (done) this.book.finish(s, 'canceled', now);
      else if (s.qty !== null && o.qty !== null) s.qty = round9(o.qty - o.filledQty);
    }
  }
}
