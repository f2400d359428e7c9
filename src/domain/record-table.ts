/**
 * A list of flat records as one table: the keys the records use, once, and a row of values per record. A history
 * payload of thousands of records shrinks by about half; `fromRecordTable(toRecordTable(x))` gives back `x`
 * (undefined keys aside).
 */
export interface RecordTable<T> {
  columns: Array<keyof T & string>;
  rows: unknown[][];
  /** A prefix every value of a text column shares (a run id in client order ids), written once. */
  prefixes?: Partial<Record<keyof T & string, string>>;
  /** Text columns of few distinct values (side, status): the values once, each row holding an index into them. */
  dictionaries?: Partial<Record<keyof T & string, string[]>>;
}

/** A text column with at most this many distinct values is written as a dictionary. */
const MAX_DICTIONARY = 16;

/** A shared prefix shorter than this is not worth writing apart. */
const MIN_PREFIX = 8;

export function toRecordTable<T extends object>(records: readonly T[]): RecordTable<T> {
  const columns: Array<keyof T & string> = [];
  for (const record of records) {
    for (const key of Object.keys(record) as Array<keyof T & string>) {
      if (record[key] !== undefined && !columns.includes(key)) columns.push(key);
    }
  }
  const prefixes: Partial<Record<keyof T & string, string>> = {};
  const dictionaries: Partial<Record<keyof T & string, string[]>> = {};
  for (const column of columns) {
    const values = records.map((record) => record[column]);
    const distinct = [...new Set(values)];
    if (records.length > MAX_DICTIONARY && distinct.length <= MAX_DICTIONARY && distinct.every((value) => typeof value === 'string')) {
      dictionaries[column] = distinct as string[];
      continue;
    }
    const prefix = sharedPrefix(values);
    if (prefix.length >= MIN_PREFIX) prefixes[column] = prefix;
  }
  const rows = records.map((record) => columns.map((column) => {
    const value = record[column] ?? null;
    const dictionary = dictionaries[column];
    if (dictionary !== undefined) return dictionary.indexOf(value as string);
    const prefix = prefixes[column];
    return prefix !== undefined ? (value as string).slice(prefix.length) : value;
  }));
  return {
    columns, rows,
    ...(Object.keys(prefixes).length > 0 ? { prefixes } : {}),
    ...(Object.keys(dictionaries).length > 0 ? { dictionaries } : {}),
  };
}

/** The longest prefix all values share when every one is a string; '' otherwise. */
function sharedPrefix(values: unknown[]): string {
  if (values.length < 2 || !values.every((value): value is string => typeof value === 'string')) return '';
  let prefix = values[0]!;
  for (const value of values) {
    while (!value.startsWith(prefix)) prefix = prefix.slice(0, -1);
    if (prefix === '') break;
  }
  return prefix;
}

/** Back to records; a cell that is null is left out when `omitNull` names its column (optional fields). */
export function fromRecordTable<T>(table: RecordTable<T>, omitNull: ReadonlyArray<keyof T> = []): T[] {
  return table.rows.map((row) => {
    const record: Record<string, unknown> = {};
    table.columns.forEach((column, index) => {
      const prefix = table.prefixes?.[column];
      const dictionary = table.dictionaries?.[column];
      const cell = row[index] ?? null;
      const value = dictionary !== undefined ? dictionary[cell as number] ?? null
        : prefix !== undefined && cell !== null ? `${prefix}${cell as string}` : cell;
      if (!(value === null && omitNull.includes(column))) record[column] = value;
    });
    return record as T;
  });
}
