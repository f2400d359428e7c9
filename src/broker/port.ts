import type { PacingStats } from './request-budget';
import type { DailyBar } from '../domain/stats';
import type {
  Account, Asset, BrokerOrder, CancelResult, MarketClock, OrderIntent, PortfolioHistory, Position, Quote,
} from '../domain/types';

/** One `trade_updates` event: the order as it stands after the event, and the event's own facts. */
export interface OrderUpdate {
  /** Alpaca's event: `new`, `fill`, `partial_fill`, `canceled`, `expired`, `rejected`, `pending_cancel`, ... (open set). */
  event: string;
  order: BrokerOrder;
  /** Alpaca's id of this event; the stream may repeat an event, so dedupe on it. Null when absent. */
  executionId: string | null;
  /** When the event happened, RFC-3339; null when absent. */
  timestamp: string | null;
  /** `fill`/`partial_fill`: this execution's price and quantity (the order's filledQty/filledAvgPrice are cumulative). */
  price: number | null;
  qty: number | null;
  /** `fill`/`partial_fill`: the signed position in the symbol after this execution. */
  positionQty: number | null;
}

export interface OrderUpdateHandlers {
  /**
   * Every trade update of the account, in the order the stream sends them. `order` is mapped as the REST reads map
   * it; `update` adds the event's own facts. A throw is caught and passed to `onError`.
   */
  onOrder(order: BrokerOrder, event: string, update: OrderUpdate): void;
  /**
   * `connected` once the stream is authenticated and listening, the first time and after every reconnect (events
   * while disconnected are lost, with no replay: reconcile over REST on each `connected`); `disconnected` when a
   * connection that was `connected` drops. The two alternate, starting with `connected`.
   */
  onConnection?(state: 'connected' | 'disconnected'): void;
  /**
   * The stream sent something that cannot be taken as an order's state: a frame that does not decode, or an update
   * without its client order id, with an unknown status, or a fill without its quantity or price. It is skipped (and
   * reported to `onError` too): whatever it was about is to be read over REST.
   */
  onUnreadable?(reason: string): void;
  /**
   * Stream trouble, credentials scrubbed: a BrokerUnavailable for a failed (re)connect or an unreadable frame or update
   * (the stream keeps going), a BrokerUnauthorized when the broker refused the keys (final: the stream stops); also any error
   * thrown by `onOrder` or `onConnection`.
   */
  onError?(error: Error): void;
}

/** A live subscription to the account's order updates. */
export interface OrderUpdates {
  /**
   * Resolves once the stream is authenticated and listening, so a REST read started after it cannot miss an update.
   * Rejects with BrokerUnauthorized when the broker refuses the keys, BrokerUnavailable when `close()` comes first.
   * Through failed connects it keeps waiting while the stream retries: race it with a timeout if the caller cannot wait.
   */
  ready: Promise<void>;
  /** Stops the stream for good (no more reconnects or handler calls). Idempotent. */
  close(): Promise<void>;
}

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
  /**
   * Follows the account's order updates (Alpaca's `trade_updates` stream) until `close()`; reconnects by itself.
   * Optional: fakes and adapters without a stream lack it, and callers then poll.
   */
  watchOrders?(handlers: OrderUpdateHandlers): OrderUpdates;
}
