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
