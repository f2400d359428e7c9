import type { OrderIntent, Rejection, SymbolDecision } from './types';

/** What a plan says about its orders, for the question of a second wave. */
export interface WavePlan {
  orders: OrderIntent[];
  rejected: Rejection[];
  decisions: SymbolDecision[];
}

/** The runId suffix of a day's second wave: its orders get their own client order ids. */
export const SECOND_WAVE = 'w2';

/**
 * Symbols whose buy the plan cut or refused for buying power while it also sells: Alpaca frees buying power only
 * when a sell executes, so the plan could not count the sales' proceeds. Once those sells fill, a second wave
 * plans these symbols again against the buying power the broker then reports. Empty when nothing waits on a sale.
 */
export function symbolsAwaitingSales(plan: WavePlan): string[] {
  if (!plan.orders.some((order) => order.side === 'sell')) return [];
  const symbols = new Set<string>();
  for (const rejection of plan.rejected) if (rejection.code === 'BUYING_POWER') symbols.add(rejection.symbol);
  for (const decision of plan.decisions) {
    if (decision.checks.some((check) => check.check === 'buying_power' && check.outcome !== 'approve')) symbols.add(decision.symbol);
  }
  return [...symbols].sort();
}

/** The second wave's orders: those of the symbols that waited on the sales, nothing else re-planned. */
export function secondWaveOrders(plan: WavePlan, waiting: readonly string[]): OrderIntent[] {
  const wanted = new Set(waiting);
  return plan.orders.filter((order) => wanted.has(order.symbol) && order.side === 'buy');
}
