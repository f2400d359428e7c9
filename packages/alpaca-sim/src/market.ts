/**
 * The simulated market: quotes, trades and bars for the universe, from the seeded price model of
 * `price-model.ts` (a factor model of daily closes and a Brownian bridge within each session), so intraday
 * prices, minute bars and the daily bar agree. Bars follow the NYSE calendar in both modes; quotes and trades
 * move round the clock in `always-open` mode and only in session in `real` mode. An admin-set price pins a
 * symbol's quotes and trades until cleared.
 */
import { addDays, etInstant, etParts, previousSession, regularSession, type MarketMode, type Session } from './calendar';
import { cents, clamp, DAY_GRID, PriceModel, type SymbolModel } from './price-model';
import { hash32, unit } from './random';
import type { Universe } from './universe';

export { cents, type SymbolModel } from './price-model';

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

export class Market {
  private readonly pinned = new Map<string, number>();
  private readonly prices: PriceModel;

  constructor(
    readonly universe: Universe,
    private readonly seed: number,
    private readonly mode: MarketMode,
  ) {
    this.prices = new PriceModel(universe, seed, mode);
  }

  /** Pins a symbol's price (null unpins). */
  setPrice(symbol: string, price: number | null): void {
    if (price === null) this.pinned.delete(symbol);
    else this.pinned.set(symbol, price);
  }

  /** The regular session of a date on the NYSE calendar (both modes: bars follow the calendar). */
  session(date: string): Session | null {
    return regularSession(date);
  }

  /** The model behind a symbol's prices. */
  describe(symbol: string): SymbolModel {
    const { logBase: _b, sectorFactorVol: _s, reversion: _r, ...m } = this.prices.model(symbol);
    return m;
  }

  /** The mid price at an instant. */
  mid(symbol: string, ms: number): number {
    const pin = this.pinned.get(symbol);
    if (pin !== undefined) return pin;
    return Math.exp(this.prices.logPrice(symbol, ms));
  }

  /** The last trade price: the mid rounded to cents. */
  last(symbol: string, ms: number): number {
    return Math.max(0.01, cents(this.mid(symbol, ms)));
  }

  quote(symbol: string, ms: number): SimQuote {
    const mid = this.mid(symbol, ms);
    const m = this.prices.model(symbol);
    const second = Math.floor(ms / 1000);
    // The spread breathes a little from second to second around the symbol's typical width.
    const bps = m.spreadBps * (0.75 + 0.5 * unit(this.seed, symbol, second, 'sp'));
    const spread = Math.max(0.01, cents((mid * bps) / 10_000));
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

  /** The close of the last session that ended at or before `ms` (Alpaca's lastday_price). */
  previousClose(symbol: string, ms: number): number {
    const session = previousSession(ms);
    return cents(Math.exp(this.prices.logClose(symbol, this.prices.dayIndex(session.date))));
  }

  /** Bars of `minutes` length (1440 = one per session) whose start lies in [start, end], none after `now`. */
  bars(symbol: string, minutes: number, start: number, end: number, limit: number, now: number): SimBar[] {
    end = Math.min(end, now);
    const out: SimBar[] = [];
    if (end < start || limit <= 0) return out;
    if (minutes >= 1440) {
      let date = etParts(start).date;
      const lastDate = etParts(end).date;
      for (; date <= lastDate && out.length < limit; date = addDays(date, 1)) {
        const session = this.session(date);
        if (!session || session.open > now) continue;
        const stamp = etInstant(date, 0, 0);
        if (stamp >= start && stamp <= end) out.push(this.daily(symbol, session, now));
      }
      return out;
    }
    const step = minutes * 60_000;
    if (this.mode === 'always-open') {
      for (let t = Math.ceil(start / step) * step; t <= end && t < now && out.length < limit; t += step) {
        out.push(this.bar(symbol, t, Math.min(t + step, now)));
      }
      return out;
    }
    let date = etParts(start).date;
    const lastDate = etParts(end).date;
    for (; date <= lastDate && out.length < limit; date = addDays(date, 1)) {
      const session = this.session(date);
      if (!session) continue;
      for (let t = session.open; t < session.close && t < now && out.length < limit; t += step) {
        if (t < start || t > end) continue;
        out.push(this.bar(symbol, t, Math.min(t + step, session.close, now)));
      }
    }
    return out;
  }

  /**
   * Week (`unit` 'week', `count` 1) or month bars (`count` 1, 2, 3, 4, 6 or 12 months per bar, aligned to January)
   * built from the daily bars: each is stamped at midnight ET of its first session and spans the sessions of its
   * calendar week (Monday to Friday) or months. Those whose first session lies in [start, end] are returned.
   */
  periodBars(symbol: string, unit: 'week' | 'month', count: number, start: number, end: number, limit: number, now: number): SimBar[] {
    end = Math.min(end, now);
    const out: SimBar[] = [];
    if (end < start || limit <= 0) return out;
    const bucketOf = (date: string): string => {
      const [y, m] = date.split('-').map(Number) as [number, number];
      if (unit === 'month') return `${y}-${String(Math.floor((m - 1) / count) * count + 1).padStart(2, '0')}`;
      const dow = new Date(`${date}T12:00:00Z`).getUTCDay();
      return addDays(date, -((dow + 6) % 7));
    };
    // Start at the beginning of the bucket holding `start`, so a bar's first session is found even if earlier.
    const firstDate = etParts(start).date;
    const from = unit === 'week' ? bucketOf(firstDate) : `${bucketOf(firstDate)}-01`;
    const days = this.bars(symbol, 1440, etInstant(from, 0, 0), end, Number.MAX_SAFE_INTEGER, now);
    let current: { key: string; bars: SimBar[] } | null = null;
    const flush = () => {
      if (!current || current.bars.length === 0) return;
      const first = current.bars[0] as SimBar;
      if (first.t < start || first.t > end) return;
      const bars = current.bars;
      const v = bars.reduce((n, b) => n + b.v, 0);
      out.push({
        t: first.t, o: first.o, c: (bars[bars.length - 1] as SimBar).c,
        h: Math.max(...bars.map((b) => b.h)), l: Math.min(...bars.map((b) => b.l)), v,
        n: bars.reduce((n, b) => n + b.n, 0),
        vw: cents(v > 0 ? bars.reduce((n, b) => n + b.vw * b.v, 0) / v : first.vw),
      });
    };
    for (const day of days) {
      const key = bucketOf(etParts(day.t + 12 * 3_600_000).date);
      if (!current || current.key !== key) {
        flush();
        if (out.length >= limit) return out;
        current = { key, bars: [] };
      }
      current.bars.push(day);
    }
    flush();
    return out.slice(0, limit);
  }

  /**
   * Instants one second apart in [start, end], none after `now`, while quotes and trades move: in session in
   * `real` mode, always in `always-open` mode. The historical quotes and trades are sampled at them.
   */
  tickTimes(start: number, end: number, limit: number, now: number): number[] {
    end = Math.min(end, now);
    const out: number[] = [];
    if (end < start || limit <= 0) return out;
    const first = Math.ceil(start / 1000) * 1000;
    if (this.mode === 'always-open') {
      for (let t = first; t <= end && out.length < limit; t += 1000) out.push(t);
      return out;
    }
    for (let date = etParts(start).date; date <= etParts(end).date && out.length < limit; date = addDays(date, 1)) {
      const session = this.session(date);
      if (!session) continue;
      for (let t = Math.max(first, Math.ceil(session.open / 1000) * 1000); t < session.close && t <= end && out.length < limit; t += 1000) {
        out.push(t);
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
    return this.daily(symbol, previousSession(ms), ms);
  }

  /** The last completed minute's bar. */
  minuteBar(symbol: string, ms: number): SimBar {
    const at = this.lastTradeTime(ms);
    const start = Math.floor(at / 60_000) * 60_000 - 60_000;
    return this.bar(symbol, start, start + 60_000);
  }

  /** The instant the last session closed at or before `ms`. */
  previousSessionClose(ms: number): number {
    return previousSession(ms).close;
  }

  // ---------------------------------------------------------------- bars

  /** A session's bar up to `now`, stamped at midnight ET as Alpaca stamps daily bars. */
  private daily(symbol: string, session: Session, now: number): SimBar {
    const day = this.prices.dayPath(symbol, this.prices.dayIndex(session.date), session);
    const t = etInstant(session.date, 0, 0);
    const price = (log: number) => Math.max(0.01, cents(Math.exp(log)));
    if (now >= session.close) {
      const o = price(day.logOpen);
      const c = price(day.logClose);
      const h = price(day.logHigh);
      const l = price(day.logLow);
      return this.withVolume({ t, o, h, l, c, v: day.volume, n: 0, vw: 0 });
    }
    // The session so far: the grid points passed, and now.
    const u = (now - session.open) / (session.close - session.open);
    const logs = day.grid.filter((_, i) => i / DAY_GRID <= u).map((x) => clamp(x, day.logLow, day.logHigh));
    logs.push(this.prices.sessionLog(symbol, day, now));
    const o = price(day.logOpen);
    const c = price(logs[logs.length - 1] ?? day.logOpen);
    const bar = {
      t, o, c, h: Math.max(o, c, ...logs.map(price)), l: Math.min(o, c, ...logs.map(price)),
      v: Math.max(100, Math.round(day.volume * clamp(u, 0, 1))), n: 0, vw: 0,
    };
    return this.withVolume(bar);
  }

  /** An intraday bar over [start, end), from samples of the path. */
  private bar(symbol: string, start: number, end: number): SimBar {
    const samples = 8;
    const prices: number[] = [];
    for (let i = 0; i <= samples; i++) {
      const t = Math.min(start + ((end - start) * i) / samples, end - 1);
      prices.push(this.modelLast(symbol, Math.max(start, t)));
    }
    const o = prices[0] ?? 0;
    const c = prices[prices.length - 1] ?? 0;
    const m = this.prices.model(symbol);
    const sessionMs = 6.5 * 3_600_000;
    // U-shaped intraday volume: busier near the open and the close.
    const session = this.session(etParts(start).date);
    const inSession = session !== null && start >= session.open && start < session.close;
    const u = session ? clamp((start - session.open) / (session.close - session.open), 0, 1) : 0.5;
    const shape = (1 + 1.5 * (2 * u - 1) ** 2) / 1.5;
    const share = ((end - start) / sessionMs) * shape * (inSession ? 1 : 0.05);
    const v = Math.max(100, Math.round(m.avgVolume * share * (0.6 + 0.8 * unit(this.seed, symbol, start, 'v'))));
    return this.withVolume({ t: start, o, h: Math.max(...prices), l: Math.min(...prices), c, v, n: 0, vw: 0 });
  }

  private withVolume(bar: SimBar): SimBar {
    const vw = cents(clamp((bar.o + bar.h + bar.l + 2 * bar.c) / 5, bar.l, bar.h));
    return { ...bar, n: Math.max(1, Math.round(bar.v / 90)), vw };
  }

  /** Trades happen in session (`real`) or always (`always-open`); otherwise the last trade is at the close. */
  private lastTradeTime(ms: number): number {
    if (this.mode === 'always-open') return ms;
    const session = this.session(etParts(ms).date);
    if (session && ms >= session.open && ms < session.close) return ms;
    return previousSession(ms).close - 1000;
  }

  /** The model's price rounded to cents, ignoring pins (bars come from the model). */
  private modelLast(symbol: string, ms: number): number {
    return Math.max(0.01, cents(Math.exp(this.prices.logPrice(symbol, ms))));
  }
}
