/**
 * The simulator's tradable universe: the S&P 500 constituents CSV, with deterministic asset attributes, and
 * optionally synthetic equities beyond it (`SYAAA`, `SYAAB`, ...).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { hash32, stableUuid } from './random';

/** One simulated asset. Attributes depend on the symbol alone, so every run and seed agrees on them. */
export interface SimAsset {
  id: string;
  symbol: string;
  name: string;
  sector: string;
  exchange: 'NYSE' | 'NASDAQ';
  tradable: boolean;
  marginable: boolean;
  shortable: boolean;
  easyToBorrow: boolean;
  fractionable: boolean;
  /** One of the `syntheticSymbols` beyond the CSV: its base price is drawn from $35 to $170. */
  synthetic: boolean;
}

/** The most synthetic symbols a universe may have. */
export const MAX_SYNTHETIC_SYMBOLS = 10_000;

/** The GICS sectors, given to synthetic symbols by a hash of the symbol, so the factor model correlates them. */
const GICS_SECTORS = [
  'Communication Services', 'Consumer Discretionary', 'Consumer Staples', 'Energy', 'Financials', 'Health Care',
  'Industrials', 'Information Technology', 'Materials', 'Real Estate', 'Utilities',
] as const;

/**
 * The i-th synthetic symbol (1-based): `SY` and three letters counting in base 26, `SYAAA` (1), `SYAAB` (2), ...,
 * `SYACZ` (78), ..., `SYCYX` (2000). Letters only, five of them: a ticker as Alpaca and tradeflow's signal files
 * spell one (no digits), and no S&P 500 symbol has that shape.
 */
export function syntheticSymbol(i: number): string {
  if (!Number.isInteger(i) || i < 1 || i > 26 ** 3) throw new RangeError(`synthetic symbol index out of range: ${i}`);
  let n = i - 1;
  let letters = '';
  for (let k = 0; k < 3; k++) {
    letters = String.fromCharCode(65 + (n % 26)) + letters;
    n = Math.floor(n / 26);
  }
  return `SY${letters}`;
}

/** The i-th synthetic asset: tradable, marginable, fractionable, shortable and easy to borrow, in a GICS sector. */
export function syntheticAsset(i: number): SimAsset {
  const symbol = syntheticSymbol(i);
  const sector = GICS_SECTORS[hash32('synthetic-sector', symbol) % GICS_SECTORS.length] ?? 'Industrials';
  return {
    ...simAsset(symbol, `Synthetic Equity ${String(i).padStart(4, '0')}`, sector),
    shortable: true, easyToBorrow: true, fractionable: true, synthetic: true,
  };
}

/** Default constituents file: the package's own copy, `data/sp500-constituents.csv`. */
export const DEFAULT_UNIVERSE_CSV = resolve(__dirname, '../data/sp500-constituents.csv');

/** Splits CSV text into rows of fields (RFC 4180 quoting). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
    } else field += ch;
  }
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

/**
 * Builds the asset for a symbol. About one symbol in 25 is hard to borrow (not shortable), about one in 30 is
 * not fractionable; `isHardToBorrow` / `isFractionable` expose the rule for tests.
 */
export function simAsset(symbol: string, name: string, sector: string): SimAsset {
  const htb = isHardToBorrow(symbol);
  return {
    id: stableUuid('asset', symbol),
    symbol,
    name,
    sector,
    exchange: hash32('exchange', symbol) % 3 === 0 ? 'NASDAQ' : 'NYSE',
    tradable: true,
    marginable: true,
    shortable: !htb,
    easyToBorrow: !htb,
    fractionable: isFractionable(symbol),
    synthetic: false,
  };
}

/** The deterministic hard-to-borrow rule. */
export function isHardToBorrow(symbol: string): boolean {
  return hash32('htb', symbol) % 25 === 0;
}

/** The deterministic fractionability rule. */
export function isFractionable(symbol: string): boolean {
  return hash32('fractionable', symbol) % 30 !== 0;
}

/** Symbol-keyed assets, in file order. */
export class Universe {
  readonly assets: SimAsset[];
  private readonly bySymbol = new Map<string, SimAsset>();
  private readonly byId = new Map<string, SimAsset>();

  constructor(assets: SimAsset[]) {
    this.assets = assets;
    for (const a of assets) {
      this.bySymbol.set(a.symbol, a);
      this.byId.set(a.id, a);
    }
  }

  /**
   * Loads the constituents CSV (columns Symbol, Security, GICS Sector, ...) and appends `synthetic` synthetic
   * assets (`syntheticAsset(1..synthetic)`); a synthetic symbol the CSV already lists is left to the CSV.
   */
  static fromCsv(path: string = DEFAULT_UNIVERSE_CSV, synthetic = 0): Universe {
    if (!Number.isInteger(synthetic) || synthetic < 0 || synthetic > MAX_SYNTHETIC_SYMBOLS) {
      throw new RangeError(`syntheticSymbols must be a whole number from 0 to ${MAX_SYNTHETIC_SYMBOLS}, got ${synthetic}`);
    }
    const rows = parseCsv(readFileSync(path, 'utf8'));
    const header = rows.shift() ?? [];
    const col = (name: string) => header.findIndex((h) => h.trim() === name);
    const iSym = col('Symbol');
    const iName = col('Security');
    const iSector = col('GICS Sector');
    if (iSym < 0) throw new Error(`${path}: no Symbol column`);
    const assets: SimAsset[] = [];
    const seen = new Set<string>();
    for (const r of rows) {
      const symbol = (r[iSym] ?? '').trim().toUpperCase();
      if (!symbol || seen.has(symbol)) continue;
      seen.add(symbol);
      assets.push(simAsset(symbol, (r[iName] ?? symbol).trim(), (r[iSector] ?? '').trim()));
    }
    for (let i = 1; i <= synthetic; i++) {
      const asset = syntheticAsset(i);
      if (!seen.has(asset.symbol)) assets.push(asset);
    }
    return new Universe(assets);
  }

  /** By symbol (case-insensitive) or asset id. */
  find(symbolOrId: string): SimAsset | undefined {
    return this.bySymbol.get(symbolOrId.toUpperCase()) ?? this.byId.get(symbolOrId.toLowerCase());
  }
}
