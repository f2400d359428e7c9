import type { ActivityDeps } from './deps';
import type {
  Account, Asset, BrokerOrder, MarketClock, Position, Quote,
} from '../domain/types';
import { reconcile, summarizePortfolio } from '../domain/portfolio';

export type PortfolioSummary = ReturnType<typeof summarizePortfolio>;
export type Reconciliation = ReturnType<typeof reconcile>;

/** Everything the day's decisions are made from, taken at one moment. */
export interface MarketSnapshot {
  account: Account;
  positions: Position[];
  openOrders: BrokerOrder[];
  quotes: Record<string, Quote>;
  assets: Record<string, Asset>;
  clock: MarketClock;
}

/** Read-only broker activities: clock, snapshot, end-of-day portfolio. */
export function createSnapshotActivities({ brokerFor }: ActivityDeps) {
  return {
    /** The broker's market clock. */
    async getMarketClock(account: string): Promise<MarketClock> {
      return brokerFor(account).getClock();
    },

    /** Account, positions, open orders, clock, and quotes and assets for the signals' and holdings' symbols. */
    async takeSnapshot(account: string, symbols: string[]): Promise<MarketSnapshot> {
      const broker = brokerFor(account);
      const [accountState, positions, openOrders, clock] = await Promise.all([
        broker.getAccount(), broker.getPositions(), broker.listOrders({ status: 'open', limit: 500 }), broker.getClock(),
      ]);
      const universe = [...new Set([...symbols, ...positions.map((p) => p.symbol)])].sort();
      const [quotes, assets] = await Promise.all([broker.getLatestQuotes(universe), broker.getAssets(universe)]);
      return { account: accountState, positions, openOrders, quotes, assets, clock };
    },

    /** The portfolio now, and how it differs from the positions the day expected. */
    async closingPortfolio(
      account: string, expectedQty: Record<string, number>,
    ): Promise<{ portfolio: PortfolioSummary; reconciliation: Reconciliation }> {
      const broker = brokerFor(account);
      const [accountState, positions] = await Promise.all([broker.getAccount(), broker.getPositions()]);
      return { portfolio: summarizePortfolio(accountState, positions), reconciliation: reconcile(expectedQty, positions) };
    },
  };
}
