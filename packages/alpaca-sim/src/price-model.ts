/**
 * The price model behind the simulated market: seeded, deterministic log prices as a pure function of (seed,
 * symbol, time), cached.
 *
 * Daily closes follow a factor model on the NYSE calendar: each trading day's log return of a stock is
 * `beta × market + loading × sector + idio`, with one market factor, one factor per GICS sector, a per-stock idio
 * volatility, and a slow market-wide volatility regime; a weak pull toward each stock's base price keeps levels
 * plausible over decades. Within a session, the price runs from the open (the previous close plus a gap) to the
 * close along a seeded Brownian bridge, held inside the day's high and low. Outside the session the price stays
 * at the close (`real`) or drifts toward the next open along another bridge (`always-open`).
 */
import {
  addDays, daysBetween, etParts, isTradingDay, previousSession, regularSession, type MarketMode, type Session,
} from './calendar';
import { normal, normalsAfter, unit } from './random';
import type { Universe } from './universe';

const ANCHOR_DATE = '2025-01-02';
const BRIDGE_TERMS = 24;
/** Daily pull toward the base price: a half-life of about 3 years of trading days. */
const MEAN_REVERSION = 0.999;
/** Synthetic symbols are pulled harder (a half-life of about 70 trading days), so they stay near their base. */
const SYNTHETIC_REVERSION = 0.99;
/** Samples of the session path that define a day's high and low. */
export const DAY_GRID = 12;
const MARKET_VOL = 0.0095;
const DAY_CACHE_LIMIT = 250_000;

/** Per-sector character: mean beta, sector-factor volatility and typical idio volatility (daily). */
const SECTORS: Readonly<Record<string, { beta: number; factorVol: number; idioVol: number }>> = {
  'Information Technology': { beta: 1.2, factorVol: 0.0085, idioVol: 0.016 },
  'Communication Services': { beta: 1.1, factorVol: 0.008, idioVol: 0.016 },
  'Consumer Discretionary': { beta: 1.15, factorVol: 0.007, idioVol: 0.017 },
  'Consumer Staples': { beta: 0.6, factorVol: 0.006, idioVol: 0.010 },
  Energy: { beta: 0.9, factorVol: 0.012, idioVol: 0.014 },
  Financials: { beta: 1.1, factorVol: 0.0075, idioVol: 0.012 },
  'Health Care': { beta: 0.8, factorVol: 0.007, idioVol: 0.014 },
  Industrials: { beta: 1.05, factorVol: 0.007, idioVol: 0.012 },
  Materials: { beta: 1.0, factorVol: 0.008, idioVol: 0.013 },
  'Real Estate': { beta: 0.85, factorVol: 0.008, idioVol: 0.012 },
  Utilities: { beta: 0.5, factorVol: 0.0065, idioVol: 0.010 },
};
const OTHER_SECTOR = { beta: 1, factorVol: 0.007, idioVol: 0.014 };
/** Base prices of synthetic symbols (`syntheticSymbols`): log-uniform between these. */
const SYNTHETIC_LOW = 35;
const SYNTHETIC_HIGH = 170;

/** The parameters behind one symbol's prices (`GET /admin/market`). */
export interface SymbolModel {
  symbol: string;
  sector: string;
  beta: number;
  sectorLoading: number;
  /** Daily volatility of the stock-specific part. */
  idioVol: number;
  /** Daily volatility of the close-to-close return, all parts together, at an average regime. */
  dailyVol: number;
  annualVol: number;
  basePrice: number;
  avgVolume: number;
  spreadBps: number;
}

/** A symbol's model with the values the price path needs. */
export interface Model extends SymbolModel {
  logBase: number;
  sectorFactorVol: number;
  /** Daily pull of the log close toward the log base: the share of yesterday's distance that remains. */
  reversion: number;
}

/** One day's shared draws: whether it trades, the volatility regime, market and sector factor returns. */
interface DayFactors {
  trading: boolean;
  regime: number;
  market: number;
  sectors: Map<string, number>;
}

/** One symbol's session: where it opens and closes, and the sampled path that fixes its high and low. */
export interface DayPath {
  k: number;
  session: Session;
  logOpen: number;
  logClose: number;
  sigma: number;
  /** Log prices at DAY_GRID + 1 equally spaced instants, unclamped. */
  grid: number[];
  logHigh: number;
  logLow: number;
  volume: number;
}

/** Rounds to cents. */
export function cents(x: number): number {
  return Math.round(x * 100) / 100;
}

/** sin((j + 1) π u) at the day grid's points u = i / DAY_GRID, as `bridge` computes them. */
const GRID_SINES: number[][] = Array.from({ length: DAY_GRID + 1 }, (_, i) =>
  Array.from({ length: BRIDGE_TERMS }, (_, j) => Math.sin((j + 1) * Math.PI * (i / DAY_GRID))));

export const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export class PriceModel {
  private readonly models = new Map<string, Model>();
  private readonly factors = new Map<number, DayFactors>();
  private readonly closes = new Map<string, { forward: number[]; backward: number[] }>();
  private readonly days = new Map<string, DayPath>();
  private readonly bridges = new Map<string, number[]>();

  constructor(
    private readonly universe: Universe,
    private readonly seed: number,
    private readonly mode: MarketMode,
  ) {}

  /** Day index of a date: calendar days from the model's anchor date. */
  dayIndex(date: string): number {
    return daysBetween(ANCHOR_DATE, date);
  }

  /** A symbol's parameters, drawn once from the seed (sector-dependent beta, loading, volatilities, base price). */
  model(symbol: string): Model {
    let m = this.models.get(symbol);
    if (m) return m;
    const asset = this.universe.find(symbol);
    const sector = asset?.sector ?? '';
    const s = SECTORS[sector] ?? OTHER_SECTOR;
    const z = (tag: string) => normal(this.seed, symbol, 'model', tag);
    const beta = clamp(s.beta + 0.25 * z('beta'), 0.2, 2.5);
    const sectorLoading = clamp(1 + 0.25 * z('loading'), 0.4, 1.8);
    const idioVol = clamp(s.idioVol * Math.exp(0.3 * z('idio')), 0.005, 0.045);
    // Synthetic symbols: log-uniform from $35 to $170 and a stronger pull, so their paths stay within about $20 to $300.
    const basePrice = asset?.synthetic
      ? SYNTHETIC_LOW * (SYNTHETIC_HIGH / SYNTHETIC_LOW) ** unit(this.seed, symbol, 'model', 'synthetic-price')
      : clamp(Math.exp(Math.log(95) + 0.85 * z('price')), 8, 2500);
    const dailyVol = Math.sqrt((beta * MARKET_VOL) ** 2 + (sectorLoading * s.factorVol) ** 2 + idioVol ** 2);
    const avgVolume = Math.round(clamp(2_500_000 * Math.exp(0.7 * z('volume')) * (95 / basePrice) ** 0.4, 150_000, 80_000_000));
    const spreadBps = clamp(1.5 * Math.exp(0.4 * z('spread')) * (avgVolume < 1_000_000 ? 2 : 1) * (basePrice < 25 ? 2 : 1), 0.5, 15);
    m = {
      symbol, sector, beta, sectorLoading, idioVol, dailyVol, annualVol: dailyVol * Math.sqrt(252),
      basePrice, avgVolume, spreadBps, logBase: Math.log(basePrice), sectorFactorVol: s.factorVol,
      reversion: asset?.synthetic ? SYNTHETIC_REVERSION : MEAN_REVERSION,
    };
    this.models.set(symbol, m);
    return m;
  }

  /** The shared draws of day index k (days from the anchor). */
  private dayFactors(k: number): DayFactors {
    let f = this.factors.get(k);
    if (f) return f;
    const date = addDays(ANCHOR_DATE, k);
    // A slow volatility regime from three seeded waves: calm and stormy stretches of weeks to months.
    let wave = 0;
    for (const [j, period] of [[1, 43], [2, 101], [3, 223]] as const) {
      wave += Math.sin((2 * Math.PI * k) / period + 2 * Math.PI * unit(this.seed, 'regime', j)) / j;
    }
    const regime = Math.exp(0.3 * wave);
    f = { trading: isTradingDay(date), regime, market: MARKET_VOL * regime * normal(this.seed, 'market', k), sectors: new Map() };
    if (this.factors.size > 100_000) this.factors.clear();
    this.factors.set(k, f);
    return f;
  }

  /** The close-to-close shock of a symbol on day index k (0 on days the exchange is closed). */
  private shock(symbol: string, k: number): number {
    const f = this.dayFactors(k);
    if (!f.trading) return 0;
    const m = this.model(symbol);
    let sector = f.sectors.get(m.sector);
    if (sector === undefined) {
      sector = m.sectorFactorVol * f.regime * normal(this.seed, 'sector', m.sector, k);
      f.sectors.set(m.sector, sector);
    }
    return m.beta * f.market + m.sectorLoading * sector + m.idioVol * f.regime * normal(this.seed, symbol, k, 'e');
  }

  /** Log close of day index k; days the exchange is closed repeat the last close. */
  logClose(symbol: string, k: number): number {
    const { logBase, reversion } = this.model(symbol);
    let series = this.closes.get(symbol);
    if (!series) {
      series = { forward: [logBase], backward: [logBase] };
      this.closes.set(symbol, series);
    }
    if (k >= 0) {
      const f = series.forward;
      while (f.length <= k) {
        const i = f.length;
        const prev = f[i - 1] ?? logBase;
        f.push(this.dayFactors(i).trading ? logBase + reversion * (prev - logBase) + this.shock(symbol, i) : prev);
      }
      return f[k] ?? logBase;
    }
    // Backward from the anchor: the close before day j is day j's close less day j's return.
    const b = series.backward;
    while (b.length <= -k) {
      const j = -(b.length - 1);
      const next = b[b.length - 1] ?? logBase;
      b.push(this.dayFactors(j).trading ? logBase + reversion * (next - logBase) - this.shock(symbol, j) : next);
    }
    return b[-k] ?? logBase;
  }

  /** The open of day index k: the previous close plus an overnight gap carrying part of the day's news. */
  private logOpen(symbol: string, k: number): number {
    const m = this.model(symbol);
    const gap = 0.25 * this.shock(symbol, k) + 0.15 * m.dailyVol * this.dayFactors(k).regime * normal(this.seed, symbol, k, 'g');
    return this.logClose(symbol, k - 1) + gap;
  }

  /** A session's path summary, cached; the grid fixes the day's high and low. */
  dayPath(symbol: string, k: number, session: Session): DayPath {
    const key = `${symbol}|${k}`;
    let day = this.days.get(key);
    if (day) return day;
    const m = this.model(symbol);
    const f = this.dayFactors(k);
    const logOpen = this.logOpen(symbol, k);
    const logClose = this.logClose(symbol, k);
    const sigma = 0.8 * m.dailyVol * f.regime;
    const bridge = this.gridBridge(symbol, k);
    const grid: number[] = [];
    for (let i = 0; i <= DAY_GRID; i++) {
      const u = i / DAY_GRID;
      grid.push(logOpen + (logClose - logOpen) * u + sigma * (bridge[i] ?? 0));
    }
    const z = Math.abs(this.shock(symbol, k)) / Math.max(1e-9, m.dailyVol);
    const volume = Math.max(100, Math.round(m.avgVolume * Math.exp(0.25 * normal(this.seed, symbol, k, 'vol')) * (0.8 + 0.3 * z) * f.regime ** 0.5));
    day = { k, session, logOpen, logClose, sigma, grid, logHigh: Math.max(...grid), logLow: Math.min(...grid), volume };
    if (this.days.size >= DAY_CACHE_LIMIT) this.days.clear();
    this.days.set(key, day);
    return day;
  }

  /** The log price inside a session, held within the day's high and low. */
  sessionLog(symbol: string, day: DayPath, ms: number): number {
    const u = clamp((ms - day.session.open) / (day.session.close - day.session.open), 0, 1);
    const raw = day.logOpen + (day.logClose - day.logOpen) * u + day.sigma * this.bridge(symbol, day.k, 's', u);
    return clamp(raw, day.logLow, day.logHigh);
  }

  /** The model's log price at an instant: in session on the day's path, outside it at or toward the next open. */
  logPrice(symbol: string, ms: number): number {
    const date = etParts(ms).date;
    const k = daysBetween(ANCHOR_DATE, date);
    const session = regularSession(date);
    if (session && ms >= session.open && ms < session.close) return this.sessionLog(symbol, this.dayPath(symbol, k, session), ms);
    // Outside the session: between the last close and the next open.
    const last = session && ms >= session.close ? session : previousSession(ms);
    const lastK = daysBetween(ANCHOR_DATE, last.date);
    const from = this.logClose(symbol, lastK);
    if (this.mode === 'real') return from;
    let nextDate = addDays(last.date, 1);
    while (!isTradingDay(nextDate)) nextDate = addDays(nextDate, 1);
    const next = regularSession(nextDate);
    if (!next) return from;
    const nextK = daysBetween(ANCHOR_DATE, nextDate);
    const to = this.logOpen(symbol, nextK);
    const u = clamp((ms - last.close) / (next.open - last.close), 0, 1);
    const sigma = 0.3 * this.model(symbol).dailyVol * this.dayFactors(nextK).regime;
    return from + (to - from) * u + sigma * this.bridge(symbol, nextK, 'n', u);
  }

  /** A standard Brownian bridge on [0, 1] (zero at both ends) in Karhunen–Loève form with seeded coefficients. */
  private bridge(symbol: string, k: number, part: string, u: number): number {
    const z = this.coefficients(symbol, k, part, true);
    let sum = 0;
    for (let j = 0; j < z.length; j++) sum += (z[j] ?? 0) * Math.sin((j + 1) * Math.PI * u);
    return Math.SQRT2 * sum;
  }

  /** The bridge at the day grid's points `i / DAY_GRID`: the same sums as `bridge`, from a table of the sines. */
  private gridBridge(symbol: string, k: number): number[] {
    // Not cached: a day path is, and its bridge is needed again only for prices inside that session.
    const z = this.coefficients(symbol, k, 's', false);
    return GRID_SINES.map((sines) => {
      let sum = 0;
      for (let j = 0; j < z.length; j++) sum += (z[j] ?? 0) * (sines[j] ?? 0);
      return Math.SQRT2 * sum;
    });
  }

  /** The seeded coefficients of one bridge, cached when `store`. */
  private coefficients(symbol: string, k: number, part: string, store: boolean): number[] {
    const key = `${symbol}|${k}|${part}`;
    let z = this.bridges.get(key);
    if (z) return z;
    z = [];
    const draw = normalsAfter(this.seed, symbol, k, part);
    for (let j = 1; j <= BRIDGE_TERMS; j++) z.push(draw(j) / (j * Math.PI));
    if (store) {
      if (this.bridges.size > 50_000) this.bridges.clear();
      this.bridges.set(key, z);
    }
    return z;
  }
}
