/**
 * The ledger: one account per API key id, with its cash, positions, configuration and FILL log, and the values
 * derived from them at an instant (equity, market values, buying power, margins, `last_equity`). It books
 * executions; orders are the order book's business.
 */
import type { Side } from './alpaca-enums';
import type { Market } from './market';
import { EPS, round6, round9 } from './numbers';
import { hash32, stableUuid } from './random';
import {
  DEFAULT_ACCOUNT_CONFIG, type AccountConfig, type AccountValues, type PositionValues, type SimAccount, type SimFill,
} from './records';
import { invalid } from './sim-error';
import type { Universe } from './universe';

export interface LedgerOptions {
  universe: Universe;
  market: Market;
  seed: number;
  /** Starting cash of every new account. */
  equity: number;
  /** Buying-power multiplier: 1 cash, 2 Reg-T margin. */
  multiplier: number;
}

/** What one execution changes on an account: a signed quantity of a symbol at a price. */
export interface Execution {
  symbol: string;
  assetId: string;
  side: Side;
  qty: number;
  price: number;
}

export class Ledger {
  private readonly accounts = new Map<string, SimAccount>();

  constructor(private readonly opts: LedgerOptions) {}

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

  /** An account that exists; does not create. */
  find(key: string): SimAccount | undefined {
    return this.accounts.get(key);
  }

  /** Every account. */
  all(): SimAccount[] {
    return [...this.accounts.values()];
  }

  /** Puts an account read back from a state file in place. */
  put(a: SimAccount): void {
    this.accounts.set(a.key, a);
  }

  /** Forgets an account; false when there was none. */
  forget(key: string): boolean {
    return this.accounts.delete(key);
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
   * The positions with their prices and values; `held` is the quantity open orders on a side of a symbol hold
   * back, which `qty_available` leaves out.
   */
  positionValues(a: SimAccount, now: number, held: (symbol: string, side: Side) => number): PositionValues[] {
    const out: PositionValues[] = [];
    for (const p of [...a.positions.values()].sort((x, y) => x.symbol.localeCompare(y.symbol))) {
      const asset = this.opts.universe.find(p.symbol);
      if (!asset) continue;
      const currentPrice = this.opts.market.last(p.symbol, now);
      const heldQty = held(p.symbol, p.qty > 0 ? 'sell' : 'buy');
      out.push({
        position: p, asset, currentPrice,
        lastdayPrice: this.opts.market.previousClose(p.symbol, now),
        marketValue: p.qty * currentPrice,
        qtyAvailable: p.qty > 0 ? Math.max(0, p.qty - heldQty) : Math.min(0, p.qty + heldQty),
      });
    }
    return out;
  }

  /** Books one execution: cash, and the position's quantity and cost basis (a position that crosses zero restarts). */
  book(a: SimAccount, x: Execution, now: number): void {
    this.rollLastEquity(a, now);
    const signed = x.side === 'buy' ? x.qty : -x.qty;
    a.cash = round6(a.cash - signed * x.price);
    const p = a.positions.get(x.symbol) ?? { symbol: x.symbol, assetId: x.assetId, qty: 0, costBasis: 0 };
    if (Math.abs(p.qty) < EPS || Math.sign(p.qty) === Math.sign(signed)) {
      p.qty = round9(p.qty + signed);
      p.costBasis += signed * x.price;
    } else if (Math.abs(signed) <= Math.abs(p.qty) + EPS) {
      const newQty = round9(p.qty + signed);
      p.costBasis = Math.abs(newQty) < EPS ? 0 : p.costBasis * (newQty / p.qty);
      p.qty = newQty;
    } else {
      p.qty = round9(p.qty + signed);
      p.costBasis = p.qty * x.price;
    }
    if (Math.abs(p.qty) < EPS) a.positions.delete(x.symbol);
    else a.positions.set(x.symbol, p);
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
}
