import type { PacingStats } from './request-budget';
import type { DailyBar } from '../domain/stats';
import type {
  Account, Asset, BrokerOrder, CancelResult, MarketClock, OrderIntent, PortfolioHistory, Position, Quote,
} from '../domain/types';

export interface OrderQuery {
  status: 'open' | 'closed' | 'all';
  /** Only orders submitted after this instant (exclusive), RFC-3339. */
  after?: string;
  limit?: number;
  symbols?: string[];
  /** Oldest first (`asc`) or newest first (`desc`, the broker's default). */
  direction?: 'asc' | 'desc';
}

/**
 * Everything tradeflow asks of a broker, in domain types. The Alpaca adapter implements it over
 * `@alpacahq/alpaca-trade-api`; unit tests may fake it.
 *
 * Errors: implementations throw the classes in `./errors` so activities can tell retryable from final.
 */
export interface BrokerPort {
  /** How this account's requests were paced against its budget; null when unpaced (or not counted). */
  pacing?(): PacingStats | null;
  getAccount(): Promise<Account>;
  getPositions(): Promise<Position[]>;
  listOrders(query: OrderQuery): Promise<BrokerOrder[]>;
  getOrder(orderId: string): Promise<BrokerOrder | null>;
  /** Null when the broker has no order with this client order id. */
  getOrderByClientOrderId(clientOrderId: string): Promise<BrokerOrder | null>;
  submitOrder(intent: OrderIntent): Promise<BrokerOrder>;
  /** Resolves when the cancel was accepted; throws OrderNotCancelable when the order is already final. */
  cancelOrder(orderId: string): Promise<void>;
  cancelAllOrders(): Promise<CancelResult[]>;
  /** Closes the whole position in one symbol with a market order; returns that order. */
  closePosition(symbol: string): Promise<BrokerOrder>;
  getClock(): Promise<MarketClock>;
  /** Assets by symbol; unknown symbols are absent from the result. */
  getAssets(symbols: string[]): Promise<Record<string, Asset>>;
  /** Latest quote and trade per symbol; symbols without data are absent. */
  getLatestQuotes(symbols: string[]): Promise<Record<string, Quote>>;
  /**
   * Split-adjusted daily bars per symbol for sessions from `start` to `end` (RFC-3339 instants), oldest first, every
   * page fetched; symbols without bars are absent.
   */
  getDailyBars(symbols: string[], start: string, end: string): Promise<Record<string, DailyBar[]>>;
  /** The account's daily equity history over `period` (Alpaca's `1M`, `1A`...; default `1A`); null when the broker does not serve it. */
  getPortfolioHistory(period?: string): Promise<PortfolioHistory | null>;
}
