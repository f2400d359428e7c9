/** The simulator's tradable universe: the S&P 500 constituents CSV, with deterministic asset attributes. */
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

  /** Loads the constituents CSV (columns Symbol, Security, GICS Sector, ...). */
  static fromCsv(path: string = DEFAULT_UNIVERSE_CSV): Universe {
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
    return new Universe(assets);
  }

  /** By symbol (case-insensitive) or asset id. */
  find(symbolOrId: string): SimAsset | undefined {
    return this.bySymbol.get(symbolOrId.toUpperCase()) ?? this.byId.get(symbolOrId.toLowerCase());
  }
}
