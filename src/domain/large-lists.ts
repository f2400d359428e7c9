import { fromRecordTable, toRecordTable, type RecordTable } from './record-table';

/** Lists longer than this travel as tables. */
export const LARGE_LIST = 100;

/** The tables of a compacted value, by the dotted path of the list each replaces (e.g. `portfolio.positions`). */
export type ListTables = Record<string, RecordTable<object>>;

/**
 * A copy of `value` whose lists at `paths` longer than LARGE_LIST are emptied and carried as tables under `tables`:
 * a report or closing answer of a 2,000-order day fits a 256 KiB payload. `expandLists` gives the value back.
 */
export function compactLists<T extends object>(value: T, paths: readonly string[]): T & { tables?: ListTables } {
  const copy = JSON.parse(JSON.stringify(value)) as T & { tables?: ListTables };
  const tables: ListTables = {};
  for (const path of paths) {
    const { parent, key } = locate(copy, path);
    const list = parent?.[key];
    if (!Array.isArray(list) || list.length <= LARGE_LIST) continue;
    tables[path] = toRecordTable(list as object[]);
    parent![key] = [];
  }
  if (Object.keys(tables).length > 0) copy.tables = { ...copy.tables, ...tables };
  return copy;
}

/** The value with every list its `tables` carry put back in place (a value without tables is returned as is). */
export function expandLists<T extends object>(value: T & { tables?: ListTables }): T {
  if (!value.tables) return value;
  const copy = JSON.parse(JSON.stringify(value)) as T & { tables?: ListTables };
  for (const [path, table] of Object.entries(copy.tables!)) {
    const { parent, key } = locate(copy, path);
    if (parent) parent[key] = fromRecordTable(table);
  }
  delete copy.tables;
  return copy;
}

function locate(root: object, path: string): { parent: Record<string, unknown> | null; key: string } {
  const keys = path.split('.');
  let parent: unknown = root;
  for (const key of keys.slice(0, -1)) parent = parent !== null && typeof parent === 'object' ? (parent as Record<string, unknown>)[key] : null;
  return { parent: parent !== null && typeof parent === 'object' ? parent as Record<string, unknown> : null, key: keys[keys.length - 1]! };
}
