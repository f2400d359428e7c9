import { parseCsv } from './csv';

/** Column headers of data/sp500-constituents.csv that the sector map reads. */
export const SECTOR_CSV_COLUMNS = { symbol: 'Symbol', sector: 'GICS Sector' } as const;

/**
 * Symbol → GICS sector from the S&P 500 constituents CSV (the caller reads the file).
 * Throws on a missing header column: a broken reference file must stop startup, not silently drop limits.
 */
export function parseSectorCsv(csvText: string): Record<string, string> {
  const [header, ...rows] = parseCsv(csvText);
  if (!header) throw new Error('sector CSV is empty');
  const names = header.fields.map((name) => name.trim());
  const symbolColumn = names.indexOf(SECTOR_CSV_COLUMNS.symbol);
  const sectorColumn = names.indexOf(SECTOR_CSV_COLUMNS.sector);
  if (symbolColumn < 0 || sectorColumn < 0) {
    throw new Error(`sector CSV header must contain "${SECTOR_CSV_COLUMNS.symbol}" and "${SECTOR_CSV_COLUMNS.sector}"`);
  }
  const sectors: Record<string, string> = {};
  for (const row of rows) {
    const symbol = row.fields[symbolColumn]?.trim().toUpperCase();
    const sector = row.fields[sectorColumn]?.trim();
    if (symbol && sector) sectors[symbol] = sector;
  }
  return sectors;
}

/**
 * The sector map the risk limits use: the bundled S&P 500 map, then a file's map over it, then the config's inline
 * map over both (symbols upper-cased, so `spy` in a file and `SPY` in the config are one name).
 */
export function mergeSectorMaps(...maps: ReadonlyArray<Readonly<Record<string, string>> | undefined>): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const map of maps) {
    for (const [symbol, sector] of Object.entries(map ?? {})) merged[symbol.trim().toUpperCase()] = sector;
  }
  return merged;
}

/** What a symbol outside the sector map is capped as (risk_management.unknown_sector). */
export type UnknownSectorPolicy = 'reject' | 'own_sector' | 'group';

/** The one sector every unmapped symbol shares under `unknown_sector: group`; own sectors are `UNKNOWN:<symbol>`. */
export const UNKNOWN_SECTOR = 'UNKNOWN';

/**
 * The sector a symbol's sector limits count it in: its mapped sector, else by policy its own sector
 * `UNKNOWN:<symbol>` (own_sector) or the shared `UNKNOWN` (group); undefined under `reject`, whose check refuses
 * new exposure instead. No policy leaves a symbol uncapped.
 */
export function sectorFor(symbol: string, sectors: Readonly<Record<string, string>>, policy: UnknownSectorPolicy): string | undefined {
  const mapped = sectors[symbol];
  if (mapped !== undefined) return mapped;
  if (policy === 'own_sector') return `${UNKNOWN_SECTOR}:${symbol}`;
  if (policy === 'group') return UNKNOWN_SECTOR;
  return undefined;
}
