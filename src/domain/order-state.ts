import { fromRecordTable, toRecordTable, type RecordTable } from './record-table';
import type { BrokerOrder } from './types';

/**
 * What a day keeps of a broker order: which it is, how it stands, and when the broker took and filled it (absent in
 * answers recorded before the day kept times). Activities answer with this, not the whole order.
 */
export type OrderState = Pick<BrokerOrder, 'id' | 'clientOrderId' | 'status' | 'filledQty' | 'filledAvgPrice'>
  & Partial<Pick<BrokerOrder, 'submittedAt' | 'filledAt'>>;

export function orderStateOf(order: BrokerOrder): OrderState {
  return {
    id: order.id, clientOrderId: order.clientOrderId, status: order.status, filledQty: order.filledQty, filledAvgPrice: order.filledAvgPrice,
    ...(order.submittedAt ? { submittedAt: order.submittedAt } : {}),
    ...(order.filledAt ? { filledAt: order.filledAt } : {}),
  };
}

/** Beyond this many, a list of order states travels as a table. */
export const ORDER_STATES_TABLE_FROM = 100;

/** A list of order states as an activity answers it: a plain list, or a table on a large day. */
export type OrderStates = { orders: OrderState[]; orderTable?: RecordTable<OrderState> };

export function packOrderStates(orders: readonly BrokerOrder[]): OrderStates {
  const states = orders.map(orderStateOf);
  return states.length > ORDER_STATES_TABLE_FROM ? { orders: [], orderTable: toRecordTable(states) } : { orders: states };
}

/** The states an answer carries, whichever form it took (answers recorded before carry whole broker orders). */
export function unpackOrderStates(answer: { orders: ReadonlyArray<OrderState>; orderTable?: RecordTable<OrderState> }): OrderState[] {
  return answer.orderTable ? fromRecordTable(answer.orderTable) : [...answer.orders];
}
