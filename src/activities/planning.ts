import { log } from '@temporalio/activity';
import type { ActivityDeps } from './deps';
import type { BrokerPort } from '../broker/port';
import type { ExecutionConfig } from '../config-schema';
import type { DayPlan, Signal, TradingState } from '../domain/types';
import { planDay } from '../domain/plan';
import { marketStats, type MarketStats } from '../domain/stats';
import type { MarketSnapshot } from './snapshot';

export interface PlanRequest {
  runId: string;
  signals: Signal[];
  snapshot: MarketSnapshot;
  tradingState: TradingState;
  ordersSubmittedToday: number;
  /**
   * The account whose broker serves the daily bars; default: execution.account. On a several-account worker the
   * workflow must pass it, or the plan goes ahead without volatility and correlation (the verdicts say so).
   */
  account?: string;
}

/** Where the plan's volatility and correlation came from: small enough to sit in the workflow history. */
export interface MarketDataSummary {
  /** Symbols bars were asked for (signals and holdings). */
  symbols: number;
  /** Of those, symbols with enough daily returns for volatility and correlation. */
  withHistory: number;
  /** Symbols whose risk checks report VOLATILITY_UNKNOWN / CORRELATION_UNKNOWN. */
  missing: string[];
  firstDate: string | null;
  lastDate: string | null;
  /** Return dates on the aligned axis. */
  days: number;
  /** Why no bars could be read, when the bars request failed; planning goes on without them. */
  error: string | null;
}

/** The plan as the workflow receives it. */
export type PlanResult = DayPlan & { tradingState: TradingState; marketData?: MarketDataSummary };

/** Calendar days of bars that cover `tradingDays` sessions, with a margin for holidays. */
export function calendarDaysFor(tradingDays: number): number {
  return Math.ceil((tradingDays + 1) * (365 / 252)) + 7;
}

/**
 * Fetches the daily bars and reduces them to statistics here, in the activity, so a year of bars never enters the
 * workflow history. A failed bars request degrades to "no statistics": the checks that need them say so.
 */
export async function loadMarketStats(
  readBars: BrokerPort['getDailyBars'], symbols: string[], asOf: string, config: ExecutionConfig,
): Promise<{ stats: MarketStats | null; summary: MarketDataSummary }> {
  const { volatility_window_days: volatilityWindow, correlation_window_days: correlationWindow } = config.risk_management;
  const end = Date.parse(asOf);
  const start = new Date(end - calendarDaysFor(Math.max(volatilityWindow, correlationWindow)) * 86_400_000).toISOString();
  try {
    const bars = await readBars(symbols, start, new Date(end).toISOString());
    const stats = marketStats(bars, symbols, { volatility: volatilityWindow, correlation: correlationWindow });
    return {
      stats,
      summary: {
        symbols: symbols.length, withHistory: symbols.length - stats.missing.length, missing: stats.missing,
        firstDate: stats.firstDate, lastDate: stats.lastDate, days: stats.days, error: null,
      },
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      stats: null,
      summary: { symbols: symbols.length, withHistory: 0, missing: [...symbols], firstDate: null, lastDate: null, days: 0, error: message },
    };
  }
}

/** Sizing and pre-trade risk, run as an activity so a change to the math never breaks a running day's replay. */
export function createPlanningActivities({ brokerFor, config, sectors }: ActivityDeps) {
  return {
    /** The worker's execution config (no secrets): recorded in history, so replay sees the same limits. */
    async loadExecutionConfig(): Promise<ExecutionConfig> {
      return config;
    },

    /**
     * Signals and a snapshot in, orders and the explanation of every decision out. Reads a year of daily bars for
     * the signal and held symbols itself, for volatility, covariance and correlation.
     */
    async planOrders(request: PlanRequest): Promise<PlanResult> {
      const { snapshot } = request;
      const symbols = [...new Set([...request.signals.map((s) => s.symbol), ...snapshot.positions.map((p) => p.symbol)])].sort();
      const account = request.account ?? config.execution.account;
      const readBars: BrokerPort['getDailyBars'] = async (wanted, start, end) => brokerFor(account).getDailyBars(wanted, start, end);
      const { stats, summary } = await loadMarketStats(readBars, symbols, snapshot.clock.timestamp || new Date().toISOString(), config);
      if (summary.error !== null) log.warn('daily bars unavailable: planning without volatility and correlation', { error: summary.error });
      else if (summary.missing.length > 0) log.info('symbols without enough daily bars', { missing: summary.missing });
      const plan = planDay({
        runId: request.runId,
        signals: request.signals,
        account: snapshot.account,
        positions: snapshot.positions,
        openOrders: snapshot.openOrders,
        quotes: snapshot.quotes,
        assets: snapshot.assets,
        sectors,
        ...(stats ? { volatility: stats.volatility, covariance: stats.covariance, correlation: stats.correlation } : {}),
        config,
        tradingState: request.tradingState,
        ordersSubmittedToday: request.ordersSubmittedToday,
      });
      return { ...plan, marketData: summary };
    },
  };
}
