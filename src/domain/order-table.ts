import type { OrderIntent } from './types';

/**
 * A day's orders as one table: the columns the orders use, one row of values per order, and the client order ids'
 * common prefix (the run id) written once. About 60 bytes an order instead of 150, so 2,000 orders travel in one
 * history payload well under 256 KiB. `fromOrderTable(toOrderTable(x))` gives back `x`, key order aside.
 */
export interface OrderTable {
  prefix: string;
  columns: Array<keyof OrderIntent>;
  rows: unknown[][];
}

export function toOrderTable(orders: readonly OrderIntent[], prefix: string): OrderTable {
  const shared = orders.every((order) => order.clientOrderId.startsWith(prefix)) ? prefix : '';
  const columns: Array<keyof OrderIntent> = [];
  for (const order of orders) {
    for (const key of Object.keys(order) as Array<keyof OrderIntent>) {
      if (order[key] !== undefined && !columns.includes(key)) columns.push(key);
    }
  }
  const rows = orders.map((order) => columns.map((column) => {
    const value = order[column];
    if (column === 'clientOrderId') return (value as string).slice(shared.length);
    return value === undefined ? null : value;
  }));
  return { prefix: shared, columns, rows };
}

export function fromOrderTable(table: OrderTable): OrderIntent[] {
  return table.rows.map((row) => {
    const order: Record<string, unknown> = {};
    table.columns.forEach((column, index) => {
      const value = row[index];
      if (column === 'clientOrderId') order[column] = `${table.prefix}${value as string}`;
      else if (value !== null && value !== undefined) order[column] = value;
    });
    return order as unknown as OrderIntent;
  });
}
