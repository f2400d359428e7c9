/**
 * The BrokerPort over `@alpacahq/alpaca-trade-api`'s generated API classes. The SDK retries reads (GET) a few times
 * on a 5xx, a 429 or a dropped connection; orders are never retried here (Temporal retries the activity, which
 * looks the order up by its client order id first). The SDK's client-side rate limiter stays off.
 */
import { marketData, trading } from '@alpacahq/alpaca-trade-api';
import type { DailyBar } from '../domain/stats';
import type {
  Account, Asset, BrokerOrder, CancelResult, MarketClock, OrderIntent, PortfolioHistory, Position, Quote,
} from '../domain/types';
import {
  accountFromWire, assetFromWire, clockFromWire, dailyBarFromWire, orderFromWire, orderRequestFromIntent, portfolioHistoryFromWire,
  positionFromWire, quoteFromSnapshot, toBrokerError, type BrokerOperation,
} from './alpaca-mapping';
import {
  DATA_URL, normalizeBaseUrl, PAPER_TRADING_URL, resolveEndpoints, type AccountEndpointConfig, type TradingMode,
} from './endpoints';
import { NotFound } from './errors';
import { tradingStreamUrl, watchTradeUpdates } from './order-updates';
import { RequestBudget } from './request-budget';
import type { BrokerPort, OrderQuery, OrderUpdateHandlers, OrderUpdates } from './port';

export interface AlpacaConnection {
  keyId: string;
  secretKey: string;
  /**
   * Default https://paper-api.alpaca.markets. Taken as given: connections built from the environment go through
   * `resolveEndpoints` (the live-trading guard) first.
   */
  tradingUrl?: string;
  /** Default https://data.alpaca.markets */
  dataUrl?: string;
  /** Market-data feed for quotes (`iex`, `sip`, `delayed_sip`); default: the account's own default. */
  dataFeed?: 'iex' | 'sip' | 'delayed_sip';
  /** Per-request deadline; default 15000. */
  timeoutMs?: number;
  /**
   * The account key's request budget per rolling minute (Alpaca: 200 by default): every request of this broker
   * waits for room in it (the SDK's own retries of a failed read are not counted). Absent: unpaced.
   */
  requestsPerMinute?: number;
  /**
   * Told about every request once it is answered (or failed): its operation, how long the request itself took
   * (without the wait for room in the budget) and, on failure, the broker error's name. The worker counts them
   * (src/telemetry/metrics.ts); it must not throw.
   */
  onRequest?: (event: BrokerRequestEvent) => void;
}

/** One broker request as `AlpacaConnection.onRequest` hears of it. */
export interface BrokerRequestEvent {
  route: BrokerOperation;
  durationMs: number;
  /** The broker error's name (`NotFound`, `BrokerRejected`, ...); absent when the request succeeded. */
  error?: string;
}

export const DEFAULT_TRADING_URL = PAPER_TRADING_URL;
export const DEFAULT_DATA_URL = DATA_URL;

/** A configured account whose keys are missing from the worker's environment. */
export class MissingAccountKeys extends Error {
  constructor(account: string, variable: string, hint = `export ${variable} in the worker's environment`) {
    super(`account "${account}": environment variable ${variable} is not set; ${hint}`);
    this.name = 'MissingAccountKeys';
  }
}

/** Symbols per snapshot request: about 3 KB of URL, far below the 8 KB web servers commonly accept. */
const SNAPSHOT_CHUNK = 500;
/** Up to this many symbols, assets are fetched one by one; beyond, the whole list is fetched once. */
const ASSET_SINGLE_LIMIT = 25;
/**
 * Symbols per bars request, and bars per page (Alpaca's maximum, counted over all symbols): a year of 500 symbols is
 * 13 full pages in one paged request, where chunks of 100 symbols cost 15 (each chunk's last page part-full).
 */
const BARS_CHUNK = 500;
const BARS_PAGE_LIMIT = 10_000;
/** A guard against a broker that keeps returning a page token. */
const MAX_BAR_PAGES = 1_000;

/**
 * The connection from APCA_API_KEY_ID and APCA_API_SECRET_KEY, with the URLs `execution.mode` allows
 * (`resolveEndpoints`: APCA_API_BASE_URL / APCA_API_DATA_URL, or the account's own variables, or Alpaca's hosts).
 */
export function alpacaConnectionFromEnv(
  env: NodeJS.ProcessEnv = process.env, mode: TradingMode = 'paper', account: AccountEndpointConfig = { name: 'default' },
): AlpacaConnection {
  const { tradingUrl, dataUrl } = resolveEndpoints(mode, account, env);
  const keyId = env.APCA_API_KEY_ID?.trim();
  const secretKey = env.APCA_API_SECRET_KEY?.trim();
  if (!keyId) throw new MissingAccountKeys(account.name, 'APCA_API_KEY_ID', 'export the Alpaca key id (or start the simulator)');
  if (!secretKey) throw new MissingAccountKeys(account.name, 'APCA_API_SECRET_KEY', 'export the Alpaca secret key');
  return { keyId, secretKey, tradingUrl, dataUrl };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Builds the Alpaca BrokerPort. */
export function createAlpacaBroker(connection: AlpacaConnection): BrokerPort {
  const budget = connection.requestsPerMinute ? new RequestBudget(connection.requestsPerMinute) : null;
  const common = {
    keyId: connection.keyId,
    secret: connection.secretKey,
    timeoutMs: connection.timeoutMs ?? 15_000,
    // The SDK retries only safe verbs (GET): a read that meets a 5xx, a 429 or a dropped connection is tried again
    // at once instead of failing the whole activity. Orders (POST, PATCH, DELETE) are never retried here: Temporal
    // retries the activity, which looks the order up by its client order id first.
    retry: { maxRetries: 3, retryDelayMs: 200, maxDelayMs: 2_000, respectRetryAfter: true },
    // rateLimit deliberately unset: off on raw Configurations.
  };
  const tradingUrl = normalizeBaseUrl(connection.tradingUrl ?? DEFAULT_TRADING_URL);
  const tradingConfig = new trading.Configuration({ ...common, basePath: tradingUrl });
  const dataConfig = new marketData.Configuration({ ...common, basePath: normalizeBaseUrl(connection.dataUrl ?? DEFAULT_DATA_URL) });
  const accounts = new trading.AccountsApi(tradingConfig);
  const positions = new trading.PositionsApi(tradingConfig);
  const orders = new trading.OrdersApi(tradingConfig);
  const clock = new trading.ClockApi(tradingConfig);
  const assets = new trading.AssetsApi(tradingConfig);
  const stocks = new marketData.StockApi(dataConfig);
  const history = new trading.PortfolioHistoryApi(tradingConfig);
  const secrets = [connection.keyId, connection.secretKey];

  /**
   * One broker request: it waits for room in the account's budget first, so the wait never counts against the
   * request's own deadline (the SDK's timeout starts inside `fn`).
   */
  async function call<T>(op: BrokerOperation, fn: () => Promise<T>): Promise<T> {
    const release = budget ? await budget.acquire() : null;
    const started = performance.now();
    let failure: string | undefined;
    try {
      return await fn();
    } catch (error) {
      const brokerError = toBrokerError(error, op, secrets);
      failure = brokerError.name;
      throw brokerError;
    } finally {
      release?.();
      if (connection.onRequest) {
        try {
          connection.onRequest({ route: op, durationMs: performance.now() - started, ...(failure !== undefined ? { error: failure } : {}) });
        } catch {
          // an observer's failure never fails the request
        }
      }
    }
  }

  /** Null instead of NotFound. */
  async function orNull<T>(op: BrokerOperation, fn: () => Promise<T>): Promise<T | null> {
    try {
      return await call(op, fn);
    } catch (error) {
      if (error instanceof NotFound) return null;
      throw error;
    }
  }

  return {
    pacing: () => budget?.pacing() ?? null,

    async getAccount(): Promise<Account> {
      return accountFromWire(await call('getAccount', () => accounts.getAccount()));
    },

    async getPositions(): Promise<Position[]> {
      return (await call('getPositions', () => positions.getAllOpenPositions())).map(positionFromWire);
    },

    async listOrders(query: OrderQuery): Promise<BrokerOrder[]> {
      const list = await call('listOrders', () => orders.getAllOrders({
        status: query.status,
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
        ...(query.after !== undefined ? { after: query.after } : {}),
        ...(query.direction !== undefined ? { direction: query.direction } : {}),
        ...(query.symbols && query.symbols.length > 0 ? { symbols: query.symbols.join(',') } : {}),
      }));
      return list.map(orderFromWire);
    },

    async getOrder(orderId: string): Promise<BrokerOrder | null> {
      const o = await orNull('getOrder', () => orders.getOrderByOrderID({ orderId }));
      return o ? orderFromWire(o) : null;
    },

    async getOrderByClientOrderId(clientOrderId: string): Promise<BrokerOrder | null> {
      const o = await orNull('getOrderByClientOrderId', () => orders.getOrderByClientOrderId({ clientOrderId }));
      return o ? orderFromWire(o) : null;
    },

    async submitOrder(intent: OrderIntent): Promise<BrokerOrder> {
      const postOrderRequest = orderRequestFromIntent(intent);
      return orderFromWire(await call('submitOrder', () => orders.postOrder({ postOrderRequest })));
    },

    async cancelOrder(orderId: string): Promise<void> {
      await call('cancelOrder', () => orders.deleteOrderByOrderID({ orderId }));
    },

    async cancelAllOrders(): Promise<CancelResult[]> {
      const results = await call('cancelAllOrders', () => orders.deleteAllOrders());
      return results.map((r) => ({ orderId: String(r.id ?? ''), status: Number(r.status ?? 0) }));
    },

    async closePosition(symbol: string): Promise<BrokerOrder> {
      return orderFromWire(await call('closePosition', () => positions.deleteOpenPosition({ symbolOrAssetId: symbol })));
    },

    async getClock(): Promise<MarketClock> {
      return clockFromWire(await call('getClock', () => clock.legacyClock()));
    },

    async getAssets(symbols: string[]): Promise<Record<string, Asset>> {
      const wanted = [...new Set(symbols.map((s) => s.toUpperCase()))];
      const out: Record<string, Asset> = {};
      if (wanted.length === 0) return out;
      if (wanted.length <= ASSET_SINGLE_LIMIT) {
        const found = await Promise.all(wanted.map((symbol) =>
          orNull('getAssets', () => assets.getV2AssetsSymbolOrAssetId({ symbolOrAssetId: symbol }))));
        for (const a of found) if (a) out[String(a.symbol)] = assetFromWire(a);
        return out;
      }
      const set = new Set(wanted);
      const all = await call('getAssets', () => assets.getV2Assets({ status: 'active', assetClass: 'us_equity' }));
      for (const a of all) if (set.has(String(a.symbol))) out[String(a.symbol)] = assetFromWire(a);
      return out;
    },

    async getLatestQuotes(symbols: string[]): Promise<Record<string, Quote>> {
      const wanted = [...new Set(symbols.map((s) => s.toUpperCase()))];
      const out: Record<string, Quote> = {};
      for (const batch of chunks(wanted, SNAPSHOT_CHUNK)) {
        const snapshots = await call('getLatestQuotes', () => stocks.stockSnapshots({
          symbols: batch.join(','),
          ...(connection.dataFeed ? { feed: connection.dataFeed } : {}),
        }));
        for (const symbol of batch) {
          const q = quoteFromSnapshot(symbol, (snapshots as Record<string, marketData.StockSnapshot | undefined>)[symbol]);
          if (q) out[symbol] = q;
        }
      }
      return out;
    },

    async getDailyBars(symbols: string[], start: string, end: string): Promise<Record<string, DailyBar[]>> {
      const wanted = [...new Set(symbols.map((s) => s.toUpperCase()))].sort();
      const byDate: Record<string, Map<string, DailyBar>> = {};
      for (const batch of chunks(wanted, BARS_CHUNK)) {
        let pageToken: string | undefined;
        for (let page = 0; page < MAX_BAR_PAGES; page++) {
          const response = await call('getDailyBars', () => stocks.stockBars({
            symbols: batch.join(','),
            timeframe: '1Day',
            start: new Date(start),
            end: new Date(end),
            limit: BARS_PAGE_LIMIT,
            adjustment: 'all',
            // Historical bars have no delayed_sip feed: the account's default serves them.
            ...(connection.dataFeed === 'iex' || connection.dataFeed === 'sip' ? { feed: connection.dataFeed } : {}),
            ...(pageToken ? { pageToken } : {}),
          }));
          for (const [symbol, list] of Object.entries(response.bars ?? {})) {
            const series = (byDate[symbol] ??= new Map());
            for (const wire of list ?? []) {
              const bar = dailyBarFromWire(wire);
              if (bar) series.set(bar.date, bar);
            }
          }
          pageToken = response.nextPageToken ?? undefined;
          if (!pageToken) break;
        }
      }
      const out: Record<string, DailyBar[]> = {};
      for (const [symbol, series] of Object.entries(byDate)) {
        if (series.size > 0) out[symbol] = [...series.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
      }
      return out;
    },

    async getPortfolioHistory(period = '1A'): Promise<PortfolioHistory | null> {
      const wire = await orNull('getPortfolioHistory', () => history.getAccountPortfolioHistory({ period, timeframe: '1D' }));
      return wire ? portfolioHistoryFromWire(wire) : null;
    },

    watchOrders(handlers: OrderUpdateHandlers): OrderUpdates {
      // The stream lives beside the REST host (wss://paper-api.alpaca.markets/stream; ws://HOST:PORT/stream on the
      // simulator) and is not paced: it is one long-lived connection, not requests against the budget.
      return watchTradeUpdates({ keyId: connection.keyId, secretKey: connection.secretKey, url: tradingStreamUrl(tradingUrl) }, handlers);
    },
  };
}
