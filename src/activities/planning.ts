import { log } from '@temporalio/activity';
import { configForWorkflow } from './alerts';
import type { ActivityDeps } from './deps';
import type { BrokerPort } from '../broker/port';
import type { ExecutionConfig } from '../config-schema';
import { newYorkDate } from '../domain/market-time';
import { firstMessages } from '../domain/quote';
import { arrivalPricesOf, planDay } from '../domain/plan';
import { marketStats, type MarketStats } from '../domain/stats';
import type {
  CompactDayPlan, DayPlanRequest, MarketDataSummary, PlanRequest, PlanResult, TrailLocation,
} from '../contracts/plan';
import { toOrderTable } from '../domain/order-table';
import type { SymbolDecision } from '../domain/types';
import { ensureFitsInHistory } from './payload';
import { readSnapshot } from './snapshot';
import { writeTrail } from './trail';

/**
 * Up to this many symbols, every decision travels in full (each check's verdict, about 0.7 KB a decision); beyond,
 * the history carries each order's arrival price and only the decisions the second wave needs (a buy cut for
 * buying power, its verdicts as codes), so a day of thousands stays within a 256 KiB payload. The trail has them all.
 */
export const FULL_DECISIONS_MAX = 100;
/** Beyond this many orders, the plan's orders travel as a table (see OrderTable). */
export const ORDER_TABLE_FROM = 100;
/** Symbols named in the market-data summary's `missing` list at most. */
const MISSING_LISTED_MAX = 50;
/** A rejection's detail is cut to this length on a large day (the trail has it whole). */
const LARGE_DAY_DETAIL_MAX = 100;

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

/** Orders the broker took on the New York date of `now` (up to Alpaca's page of 500). */
async function ordersSentOn(broker: BrokerPort, now: string): Promise<number> {
  const tradingDate = newYorkDate(now);
  const recent = await broker.listOrders({ status: 'all', after: new Date(Date.parse(now) - 86_400_000).toISOString(), limit: 500 });
  return recent.filter((order) => order.submittedAt !== null && newYorkDate(order.submittedAt) === tradingDate).length;
}

/** Sizing and pre-trade risk, run as an activity so a change to the math never breaks a running day's replay. */
export function createPlanningActivities({ brokerFor, config, sectors }: ActivityDeps) {
  /**
   * Signals and a snapshot in, orders and the explanation of every decision out. Reads a year of daily bars for
   * the signal and held symbols itself, for volatility, covariance and correlation.
   */
  const planOrders = async (request: PlanRequest): Promise<PlanResult> => {
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
      ...(snapshot.clock.timestamp ? { asOf: snapshot.clock.timestamp } : {}),
    });
    return { ...plan, marketData: summary };
  };

  return {
    /**
     * The worker's execution config: recorded in history, so replay sees the same limits. No secrets: the alert
     * webhook's URL is replaced by a marker (sendAlert reads it from the worker's config).
     */
    async loadExecutionConfig(): Promise<ExecutionConfig> {
      return configForWorkflow(config);
    },

    planOrders,

    /**
     * Snapshot, market statistics, sizing and risk in one activity, so quotes, assets and a year of bars never enter
     * the workflow's history, whatever the universe. The full trail goes to `reports.trail_dir`; the result is
     * compact (see CompactDayPlan) and fails non-retryably if it would not fit in a history.
     */
    async planTheDay(account: string, request: DayPlanRequest): Promise<CompactDayPlan> {
      const broker = brokerFor(account);
      const snapshot = await readSnapshot(broker, request.signals.map((signal) => signal.symbol));
      // max_orders_per_day counts what the account sent this trading date, from any run (a resumed day, a flatten).
      const sentToday = await ordersSentOn(broker, snapshot.clock.timestamp);
      const plan = await planOrders({ ...request, ordersSubmittedToday: Math.max(request.ordersSubmittedToday, sentToday), snapshot, account });
      const symbols = plan.decisions.length;
      const large = symbols > FULL_DECISIONS_MAX;
      let trail: TrailLocation | null = null;
      try {
        trail = await writeTrail(config.reports.trail_dir, request.runId, symbols, {
          runId: request.runId, account, plannedAt: snapshot.clock.timestamp, decisions: plan.decisions, rejected: plan.rejected,
          marketData: plan.marketData, quotes: snapshot.quotes,
        });
      } catch (error) {
        // The trail is an explanation, not a control: a full disk must not stop the day.
        log.warn('could not write the decision trail', { error: error instanceof Error ? error.message : String(error) });
      }
      const counts = { order: 0, no_change: 0, rejected: 0, skipped: 0 };
      for (const decision of plan.decisions) counts[decision.outcome] += 1;
      const marketData = plan.marketData!;
      const result: CompactDayPlan = {
        ...(plan.orders.length > ORDER_TABLE_FROM
          ? { orders: [], orderTable: toOrderTable(plan.orders, `${request.runId}.`) }
          : { orders: plan.orders }),
        rejected: large ? plan.rejected.map((r) => ({ ...r, detail: r.detail.slice(0, LARGE_DAY_DETAIL_MAX) })) : plan.rejected,
        decisions: large ? plan.decisions.filter(cutForBuyingPower).map(verdictCodesOnly) : plan.decisions,
        ...(large ? { arrivalPrices: arrivalPricesOf(plan.decisions) } : {}),
        decisionCounts: counts,
        trail,
        tradingState: plan.tradingState,
        marketData: { ...marketData, missing: firstMessages(marketData.missing, MISSING_LISTED_MAX), missingCount: marketData.missing.length },
        account: snapshot.account,
        positions: snapshot.positions,
        clock: snapshot.clock,
      };
      return ensureFitsInHistory(result, `the plan of ${symbols} symbols`, `split the signals into fewer symbols per day (at most ${10_000}) or lower max_orders_per_day`);
    },
  };
}

/** A decision whose buy the buying_power check cut or refused: the second wave plans its symbol again. */
function cutForBuyingPower(decision: SymbolDecision): boolean {
  return decision.checks.some((check) => check.check === 'buying_power' && check.outcome !== 'approve');
}

/** The decision with its verdicts that changed something, as codes without their prose. */
function verdictCodesOnly(decision: SymbolDecision): SymbolDecision {
  return { ...decision, checks: decision.checks.filter((check) => check.outcome !== 'approve').map((check) => ({ ...check, detail: '' })) };
}
