import type { Side } from './types';

/** Alpaca's limit on client_order_id length. */
export const MAX_CLIENT_ORDER_ID_LENGTH = 128;

/**
 * The client order id for one trading intent of one run. Deterministic, so a retried activity, a restarted
 * worker or a replayed workflow produces the same id and the broker's uniqueness rule stops a duplicate.
 * `purpose` separates intents of the same run on the same symbol and side (e.g. `open`, `flatten`).
 */
export function clientOrderIdFor(runId: string, symbol: string, side: Side, purpose = 'rebalance'): string {
  const id = `${runId}.${symbol}.${side}.${purpose}`;
  if (id.length > MAX_CLIENT_ORDER_ID_LENGTH) {
    throw new RangeError(`client order id longer than ${MAX_CLIENT_ORDER_ID_LENGTH} characters: ${id}`);
  }
  return id;
}
