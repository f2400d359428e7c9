import { log } from '@temporalio/activity';
import type { ActivityDeps } from './deps';
import type { BrokerPort } from '../broker/port';
import type { MarketClock } from '../domain/types';
import {
  equityCurveOf, fillsOf, performanceMetrics, realizedPnl, reconcile, slippageReport, summarizePortfolio,
} from '../domain/portfolio';
import type { MarketSnapshot } from '../contracts/plan';
import { CLOSING_FILE_FROM, CLOSING_LISTS, type ClosingDetails, type ClosingPortfolio } from '../contracts/portfolio';
import { compactLists } from '../domain/large-lists';
import { readClock } from './broker-clock';
import { writeTrail } from './trail';

/** Account, positions, open orders, clock, and quotes and assets for the given symbols and the holdings. */
export async function readSnapshot(broker: BrokerPort, symbols: string[]): Promise<MarketSnapshot> {
  const [accountState, positions, openOrders, clock] = await Promise.all([
    broker.getAccount(), broker.getPositions(), broker.listOrders({ status: 'open', limit: 500 }), readClock(broker),
  ]);
  const universe = [...new Set([...symbols, ...positions.map((p) => p.symbol)])].sort();
  const [quotes, assets] = await Promise.all([broker.getLatestQuotes(universe), broker.getAssets(universe)]);
  return { account: accountState, positions, openOrders, quotes, assets, clock };
}

/** Read-only broker activities: clock, snapshot, end-of-day portfolio. */
export function createSnapshotActivities({ brokerFor, config }: ActivityDeps) {
  return {
    /** The broker's market clock. */
    async getMarketClock(account: string): Promise<MarketClock> {
      return readClock(brokerFor(account));
    },

    /** Account, positions, open orders, clock, and quotes and assets for the signals' and holdings' symbols. */
    async takeSnapshot(account: string, symbols: string[]): Promise<MarketSnapshot> {
      return readSnapshot(brokerFor(account), symbols);
    },

    /**
     * The portfolio now and how it differs from the positions the day expected; with `details`, also the day's
     * realized/unrealized P&L, slippage against arrival prices, and performance over the account's history.
     */
    async closingPortfolio(account: string, expectedQty: Record<string, number>, details?: ClosingDetails): Promise<ClosingPortfolio> {
      const broker = brokerFor(account);
      const [accountState, positions] = await Promise.all([broker.getAccount(), broker.getPositions()]);
      const portfolio = summarizePortfolio(accountState, positions);
      const result: ClosingPortfolio = { portfolio, reconciliation: reconcile(expectedQty, positions) };
      if (!details) return compactLists(result, CLOSING_LISTS);

      const fills = fillsOf(details.orders ?? []);
      const starting = details.startingPositions ?? [];
      const realized = realizedPnl(starting, fills);
      const tradedNotional = fills.reduce((sum, fill) => sum + fill.qty * fill.price, 0);
      result.pnl = {
        realized: realized.total, realizedBySymbol: realized.bySymbol, unrealized: portfolio.unrealizedPl,
        daily: portfolio.dailyPl, dailyPct: portfolio.dailyPlPct,
        tradedNotional: Math.round(tradedNotional * 100) / 100, turnover: portfolio.equity > 0 ? tradedNotional / portfolio.equity : 0,
      };
      result.slippage = slippageReport(fills, details.arrivalPrices ?? {});
      try {
        const history = await broker.getPortfolioHistory(details.historyPeriod ?? '1A');
        const performance = history ? performanceMetrics(history.points, fills, starting) : null;
        // The series itself, compact, for the report's equity chart (data only: the day does not read it).
        result.performance = performance && history ? { ...performance, equityCurve: equityCurveOf(history.points, history.timeframe) } : null;
      } catch (error) {
        // Performance is a report, not a control: a failing history endpoint must not fail the day's close.
        log.warn('portfolio history unavailable', { error: error instanceof Error ? error.message : String(error) });
        result.performance = null;
      }
      if (details.runId && Math.max(positions.length, result.slippage.fills.length) > CLOSING_FILE_FROM) {
        await moveListsToFile(result, config.reports.trail_dir, details.runId);
      }
      return compactLists(result, CLOSING_LISTS);
    },
  };
}

/**
 * A large day's positions and fills go to `<trail_dir>/<runId>.closing.json` and leave the answer
 * (its totals stay); a file that cannot be written leaves them in the answer, as tables.
 */
async function moveListsToFile(result: ClosingPortfolio, dir: string, runId: string): Promise<void> {
  try {
    result.closingFile = await writeTrail(dir, `${runId}.closing`, result.portfolio.positions.length, {
      runId, positions: result.portfolio.positions, fills: result.slippage?.fills ?? [],
    });
    result.portfolio = { ...result.portfolio, positions: [] };
    if (result.slippage) result.slippage = { ...result.slippage, fills: [] };
  } catch (error) {
    log.warn('could not write the closing file', { error: error instanceof Error ? error.message : String(error) });
    result.closingFile = null;
  }
}
