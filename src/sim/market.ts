/**
 * The simulated market: a seeded, deterministic price path per symbol as a pure function of time, with quotes,
 * trades and bars derived from it. Prices follow a mean-reverting daily random walk (so they stay near each
 * symbol's base price of 20–500) and, within a session, a Brownian bridge from the open to the close.
 * An admin-set price pins a symbol until cleared.
 */
import {
  addDays, daysBetween, etInstant, etParts, regularSession, type MarketMode, type Session,
} from './calendar';
import { normal, unit, hash32 } from './random';
import type { Universe } from './universe';

const ANCHOR_DATE = '2025-01-02';
const BRIDGE_TERMS = 48;
const MEAN_REVERSION = 0.99;

export interface SimQuote {
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
  timestamp: number;
}

export interface SimTrade {
  price: number;
  size: number;
  id: number;
  timestamp: number;
}

export interface SimBar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n: number;
  vw: number;
}

interface SymbolModel {
  logBase: number;
  sigma: number;
}

/** Rounds to cents. */
export function cents(x: number): number {
  return Math.round(x * 100) / 100;
}

export class Market {
  private readonly models = new Map<string, SymbolModel>();
  private readonly closes = new Map<string, { forward: number[]; backward: number[] }>();
  private readonly bridges = new Map<string, number[]>();
  private readonly pinned = new Map<string, number>();

  constructor(
    readonly universe: Universe,
    private readonly seed: number,
    private readonly mode: MarketMode,
  ) {}

  /** Pins a symbol's price (null unpins). */
  setPrice(symbol: string, price: number | null): void {
    if (price === null) this.pinned.delete(symbol);
    else this.pinned.set(symbol, price);
  }

  /** The session a calendar date trades in under this mode; always-open trades round the clock every day. */
  session(date: string): Session | null {
    if (this.mode === 'real') return regularSession(date);
    return { date, open: etInstant(date, 0, 0), close: etInstant(addDays(date, 1), 0, 0) };
  }

  /** The mid price at an instant. */
  mid(symbol: string, ms: number): number {
    const pin = this.pinned.get(symbol);
    if (pin !== undefined) return pin;
    return Math.exp(this.logPrice(symbol, ms));
  }

  /** The last trade price: the mid rounded to cents. */
  last(symbol: string, ms: number): number {
    return Math.max(0.01, cents(this.mid(symbol, ms)));
  }

  quote(symbol: string, ms: number): SimQuote {
    const mid = this.mid(symbol, ms);
    const spread = Math.max(0.01, cents(mid * 0.0004));
    const bid = Math.max(0.01, cents(mid - spread / 2));
    const ask = cents(bid + spread);
    const minute = Math.floor(ms / 60_000);
    return {
      bid, ask,
      bidSize: 1 + (hash32(this.seed, symbol, minute, 'bs') % 9),
      askSize: 1 + (hash32(this.seed, symbol, minute, 'as') % 9),
      timestamp: ms,
    };
  }

  trade(symbol: string, ms: number): SimTrade {
    const at = this.lastTradeTime(ms);
    return {
      price: this.last(symbol, at),
      size: 1 + (hash32(this.seed, symbol, Math.floor(at / 1000), 'ts') % 300),
      id: hash32(this.seed, symbol, Math.floor(at / 1000), 'tid'),
      timestamp: at,
    };
  }

  /** The close of the last session that ended before `ms` (Alpaca's lastday_price). */
  previousClose(symbol: string, ms: number): number {
    const session = this.previousSessionOf(ms);
    return cents(Math.exp(this.logClose(symbol, daysBetween(ANCHOR_DATE, session.date))));
  }

  /** Bars of `minutes` length (1440 = one per session) whose start lies in [start, end], none after `now`. */
  bars(symbol: string, minutes: number, start: number, end: number, limit: number, now: number): SimBar[] {
    end = Math.min(end, now);
    const out: SimBar[] = [];
    let date = etParts(start).date;
    const lastDate = etParts(end).date;
    for (let guard = 0; guard < 20_000 && date <= lastDate && out.length < limit; guard++, date = addDays(date, 1)) {
      const session = this.session(date);
      if (!session) continue;
      if (minutes >= 1440) {
        const stamp = etInstant(session.date, 0, 0);
        if (stamp >= start && stamp <= end && session.open <= now) out.push(this.daily(symbol, session, now));
        continue;
      }
      const step = minutes * 60_000;
      for (let t = session.open; t < session.close && out.length < limit; t += step) {
        if (t < start || t > end) continue;
        out.push(this.bar(symbol, t, Math.min(t + step, session.close, now), session));
      }
    }
    return out;
  }

  /** The bar of the current session so far (null before its open or on a closed day). */
  dailyBar(symbol: string, ms: number): SimBar | null {
    const session = this.session(etParts(ms).date);
    if (!session || ms < session.open) return null;
    return this.daily(symbol, session, ms);
  }

  /** The daily bar of the last session closed at or before `ms`. */
  previousDailyBar(symbol: string, ms: number): SimBar {
    return this.daily(symbol, this.previousSessionOf(ms), ms);
  }

  /** A session's bar up to `now`, stamped at midnight ET as Alpaca stamps daily bars. */
  private daily(symbol: string, session: Session, now: number): SimBar {
    const bar = this.bar(symbol, session.open, Math.min(session.close, now), session);
    return { ...bar, t: etInstant(session.date, 0, 0) };
  }

  /** The last completed minute's bar. */
  minuteBar(symbol: string, ms: number): SimBar {
    const at = this.lastTradeTime(ms);
    const start = Math.floor(at / 60_000) * 60_000 - 60_000;
    const session = this.session(etParts(start).date) ?? this.previousSessionOf(ms);
    return this.bar(symbol, start, start + 60_000, session);
  }

  private bar(symbol: string, start: number, end: number, session: Session): SimBar {
    const samples = 12;
    const prices: number[] = [];
    for (let i = 0; i <= samples; i++) {
      const t = Math.min(start + ((end - start) * i) / samples, end - 1);
      prices.push(this.last(symbol, Math.max(start, t)));
    }
    const o = prices[0] ?? 0;
    const c = prices[prices.length - 1] ?? 0;
    const h = Math.max(...prices);
    const l = Math.min(...prices);
    const scale = (end - start) / (session.close - session.open);
    const v = Math.max(100, Math.round(2_000_000 * scale * (0.5 + unit(this.seed, symbol, start, 'v'))));
    return { t: start, o, h, l, c, v, n: Math.max(1, Math.round(v / 120)), vw: cents((o + h + l + c) / 4) };
  }

  /** Trades happen only in session; outside, the last trade is the previous close. */
  private lastTradeTime(ms: number): number {
    const session = this.session(etParts(ms).date);
    if (session && ms >= session.open && ms < session.close) return ms;
    return this.previousSessionOf(ms).close - 1000;
  }

  /** The instant the last session closed at or before `ms`. */
  previousSessionClose(ms: number): number {
    return this.previousSessionOf(ms).close;
  }

  private previousSessionOf(ms: number): Session {
    let date = etParts(ms).date;
    for (let i = 0; i < 15; i++) {
      const s = this.session(date);
      if (s && s.close <= ms) return s;
      date = addDays(date, -1);
    }
    throw new Error('no previous session');
  }

  private model(symbol: string): SymbolModel {
    let m = this.models.get(symbol);
    if (!m) {
      const base = Math.exp(Math.log(20) + (Math.log(500) - Math.log(20)) * unit(this.seed, symbol, 'base'));
      m = { logBase: Math.log(base), sigma: 0.01 + 0.015 * unit(this.seed, symbol, 'sigma') };
      this.models.set(symbol, m);
    }
    return m;
  }

  private gapSigma(symbol: string): number {
    return this.mode === 'real' ? this.model(symbol).sigma * 0.4 : 0;
  }

  /** Log close of the session on day index k (days from the anchor); non-trading days repeat the last close. */
  private logClose(symbol: string, k: number): number {
    let series = this.closes.get(symbol);
    if (!series) {
      series = { forward: [this.model(symbol).logBase], backward: [this.model(symbol).logBase] };
      this.closes.set(symbol, series);
    }
    const { logBase, sigma } = this.model(symbol);
    if (k >= 0) {
      const f = series.forward;
      while (f.length <= k) {
        const i = f.length;
        const prev = f[i - 1] ?? logBase;
        const date = addDays(ANCHOR_DATE, i);
        f.push(this.session(date) ? this.logOpenFrom(symbol, prev, i) + sigma * normal(this.seed, symbol, i, 'r') : prev);
      }
      return f[k] ?? logBase;
    }
    const b = series.backward;
    while (b.length <= -k) {
      const i = b.length;
      const next = b[i - 1] ?? logBase;
      const date = addDays(ANCHOR_DATE, -i);
      b.push(this.session(date) ? logBase + MEAN_REVERSION * (next - logBase) + sigma * normal(this.seed, symbol, -i, 'r') : next);
    }
    return b[-k] ?? logBase;
  }

  private logOpenFrom(symbol: string, prevClose: number, k: number): number {
    const { logBase } = this.model(symbol);
    return logBase + MEAN_REVERSION * (prevClose - logBase) + this.gapSigma(symbol) * normal(this.seed, symbol, k, 'g');
  }

  private logOpen(symbol: string, k: number): number {
    if (k <= 0) return this.logClose(symbol, k) - this.model(symbol).sigma * normal(this.seed, symbol, k, 'r');
    return this.logOpenFrom(symbol, this.logClose(symbol, k - 1), k);
  }

  private logPrice(symbol: string, ms: number): number {
    const date = etParts(ms).date;
    const k = daysBetween(ANCHOR_DATE, date);
    const session = this.session(date);
    if (!session || ms >= session.close) return this.logClose(symbol, session ? k : this.lastTradingIndex(k));
    if (ms < session.open) return this.logClose(symbol, this.lastTradingIndex(k - 1));
    const open = this.logOpen(symbol, k);
    const close = this.logClose(symbol, k);
    const u = (ms - session.open) / (session.close - session.open);
    return open + (close - open) * u + this.bridge(symbol, k, u);
  }

  private lastTradingIndex(k: number): number {
    for (let i = 0; i < 30; i++) if (this.session(addDays(ANCHOR_DATE, k - i))) return k - i;
    return k;
  }

  /** A Brownian bridge (zero at both ends) in Karhunen–Loève form with seeded coefficients. */
  private bridge(symbol: string, k: number, u: number): number {
    const key = `${symbol}|${k}`;
    let z = this.bridges.get(key);
    if (!z) {
      if (this.bridges.size > 50_000) this.bridges.clear();
      z = [];
      for (let j = 1; j <= BRIDGE_TERMS; j++) z.push(normal(this.seed, symbol, k, 'b', j) / (j * Math.PI));
      this.bridges.set(key, z);
    }
    const sigma = this.model(symbol).sigma;
    let sum = 0;
    for (let j = 0; j < z.length; j++) sum += (z[j] ?? 0) * Math.sin((j + 1) * Math.PI * u);
    return sigma * Math.SQRT2 * sum;
  }
}
