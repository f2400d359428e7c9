/**
 * A list of flat records as one table: the keys the records use, once, and a row of values per record. A history
 * payload of thousands of records shrinks by about half; `fromRecordTable(toRecordTable(x))` gives back `x`
 * (undefined keys aside).
 */
export interface RecordTable<T> {
  columns: Array<keyof T & string>;
  rows: unknown[][];
}

export function toRecordTable<T extends object>(records: readonly T[]): RecordTable<T> {
  const columns: Array<keyof T & string> = [];
  for (const record of records) {
    for (const key of Object.keys(record) as Array<keyof T & string>) {
      if (record[key] !== undefined && !columns.includes(key)) columns.push(key);
    }
  }
  return { columns, rows: records.map((record) => columns.map((column) => record[column] ?? null)) };
}

/** Back to records; a cell that is null is left out when `omitNull` names its column (optional fields). */
export function fromRecordTable<T>(table: RecordTable<T>, omitNull: ReadonlyArray<keyof T> = []): T[] {
  return table.rows.map((row) => {
    const record: Record<string, unknown> = {};
    table.columns.forEach((column, index) => {
      const value = row[index] ?? null;
      if (!(value === null && omitNull.includes(column))) record[column] = value;
    });
    return record as T;
  });
}
