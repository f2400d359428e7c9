import type { ActivityDeps } from './deps';
import type { ExecutionConfig } from '../config-schema';
import type { DayPlan, Signal, TradingState } from '../domain/types';
import { planDay } from '../domain/plan';
import type { MarketSnapshot } from './snapshot';

export interface PlanRequest {
  runId: string;
  signals: Signal[];
  snapshot: MarketSnapshot;
  tradingState: TradingState;
  ordersSubmittedToday: number;
}

/** Sizing and pre-trade risk, run as an activity so a change to the math never breaks a running day's replay. */
export function createPlanningActivities({ config, sectors }: ActivityDeps) {
  return {
    /** The worker's execution config (no secrets): recorded in history, so replay sees the same limits. */
    async loadExecutionConfig(): Promise<ExecutionConfig> {
      return config;
    },

    /** Signals and a snapshot in, orders and the explanation of every decision out. */
    async planOrders(request: PlanRequest): Promise<DayPlan & { tradingState: TradingState }> {
      const { snapshot } = request;
      return planDay({
        runId: request.runId,
        signals: request.signals,
        account: snapshot.account,
        positions: snapshot.positions,
        openOrders: snapshot.openOrders,
        quotes: snapshot.quotes,
        assets: snapshot.assets,
        sectors,
        config,
        tradingState: request.tradingState,
        ordersSubmittedToday: request.ordersSubmittedToday,
      });
    },
  };
}
