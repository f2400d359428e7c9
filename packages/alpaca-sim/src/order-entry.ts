/**
 * Order entry checks: Alpaca's rules for whether an account may place an order now. Trading suspended or
 * fractional trading off, short sales (shortable asset, margin account, `no_shorting`), the quantity available to
 * an order that reduces a position (what open orders already hold back), buying power less what open orders
 * reserve, and the OPG/CLS submission windows.
 */
import type { Side, TimeInForce } from './alpaca-enums';
import { currentOrNextSession, etParts, isTradingDay, type MarketMode } from './calendar';
import { remainingQty } from './fill-model';
import type { Ledger } from './ledger';
import type { Market } from './market';
import { EPS, round9 } from './numbers';
import type { OrderBook } from './order-book';
import type { OrderRequest } from './order-request';
import type { SimAccount, SimOrder } from './records';
import { forbidden, invalid } from './sim-error';

export interface OrderEntryOptions {
  market: Market;
  mode: MarketMode;
  fillLatencyMs: number;
  /** Buying-power multiplier: 1 cash (no shorts), 2 Reg-T margin. */
  multiplier: number;
}

/** Minutes since midnight ET. */
function etMinutes(ms: number): number {
  const p = etParts(ms);
  return p.hour * 60 + p.minute;
}

export class OrderEntry {
  constructor(private readonly book: OrderBook, private readonly ledger: Ledger, private readonly opts: OrderEntryOptions) {}

  /** Remaining qty of open orders on one side of a symbol. */
  heldQty(a: SimAccount, symbol: string, side: Side, now?: number, exclude?: SimOrder): number {
    let held = 0;
    for (const o of this.book.open) {
      if (o === exclude || o.accountKey !== a.key || o.symbol !== symbol || o.side !== side) continue;
      held += this.holds(o, (x) => (counts(x) ? this.remaining(x, now) : 0));
    }
    return held;
  }

  /**
   * What an open order holds back, by `measure`. While a replace is in flight the pair holds the larger of the
   * two (Alpaca: "buying power is reduced by the larger of the two orders"): counted on the replacement, not on the
   * order in `pending_replace`.
   */
  private holds(o: SimOrder, measure: (x: SimOrder) => number): number {
    const fresh = this.book.replacementOf(o);
    if (fresh && this.book.open.has(fresh)) return 0;
    const old = this.book.replacedBy(o);
    return old ? Math.max(measure(o), measure(old)) : measure(o);
  }

  /** A remaining qty; a notional order's valued at the last trade at `now`, when given. */
  remaining(o: SimOrder, now?: number): number {
    return remainingQty(o, now === undefined ? undefined : () => this.opts.market.last(o.symbol, now));
  }

  /** OPG executes at the next open, CLS at the close; each is refused in its Alpaca blackout window. */
  auctionInstant(tif: TimeInForce, now: number): number | null {
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

  /**
   * Short-sale, quantity-available, configuration and buying-power rules; throws Alpaca's 403 or 422. `exclude`
   * is the order being replaced, whose holds do not count against its replacement.
   */
  check(a: SimAccount, req: OrderRequest, now: number, exclude?: SimOrder): void {
    const config = this.ledger.configOf(a);
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
          related_orders: [...this.book.open].filter((o) => o.accountKey === a.key && o.symbol === req.symbol && o.side === req.side && o !== exclude).map((o) => o.id),
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
    for (const o of this.book.open) {
      if (o.accountKey !== a.key || o === exclude) continue;
      reserved += this.holds(o, (x) => this.reservedValue(x, now, a.positions.get(x.symbol)?.qty ?? 0));
    }
    const available = this.ledger.values(a, now).buyingPower - reserved;
    if (cost > available + EPS) {
      throw forbidden('insufficient buying power', {
        buying_power: (Math.max(0, available)).toFixed(2), cost_basis: cost.toFixed(2),
      });
    }
  }

  /** Buying power an open order holds back; orders that reduce a position hold none. */
  private reservedValue(o: SimOrder, now: number, position: number): number {
    if (!counts(o)) return 0;
    if ((o.side === 'sell' && position > EPS) || (o.side === 'buy' && position < -EPS)) return 0;
    if (o.notional !== null) return Math.max(0, o.notional - o.filledQty * (o.filledAvgPrice ?? 0));
    return this.unitValue(o.symbol, o.side, o.limitPrice, o.stopPrice, now) * this.remaining(o, now);
  }

  /** What one share of an order is valued at: a buy at its limit, market orders 3% through the quote. */
  private unitValue(symbol: string, side: Side, limitPrice: number | null, stopPrice: number | null, now: number): number {
    const q = this.opts.market.quote(symbol, now);
    const ref = side === 'buy' ? q.ask * 1.03 : q.bid * 1.03;
    if (limitPrice !== null) return side === 'buy' ? limitPrice : Math.max(limitPrice, ref);
    if (stopPrice !== null) return Math.max(stopPrice, ref);
    return ref;
  }
}

/** Orders whose remaining quantity holds back shares or buying power: not held exits, not a stop-loss twin. */
function counts(o: SimOrder): boolean {
  return o.status !== 'held' && !o.secondaryExit;
}
