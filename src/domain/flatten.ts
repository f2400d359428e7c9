import { clientOrderIdFor } from './client-order-id';
import type { OrderIntent, Position } from './types';

/** Market orders that close every position, each with a deterministic client order id. */
export function flattenIntents(runId: string, positions: Position[]): OrderIntent[] {
  return positions
    .filter((position) => position.qty !== 0)
    .map((position) => {
      const side = position.qty > 0 ? 'sell' as const : 'buy' as const;
      return {
        clientOrderId: clientOrderIdFor(runId, position.symbol, side, 'flatten'),
        symbol: position.symbol,
        side,
        type: 'market' as const,
        timeInForce: 'day' as const,
        qty: Math.abs(position.qty),
      };
    });
}
