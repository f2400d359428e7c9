/**
 * The account's order updates from Alpaca's `trade_updates` stream, over the SDK's own `streaming.TradingStream`:
 * it authenticates, sends `listen`, pings every 10 s, reconnects with backoff and listens again after each reconnect.
 * This file adds only what the port promises on top (see OrderUpdateHandlers and OrderUpdates in ./port): `ready`
 * once the broker confirms `listening`, `connected`/`disconnected` around each connection, domain orders, and the
 * credentials scrubbed from every error. There is no replay on Alpaca's stream: events sent while disconnected are
 * lost, so callers reconcile over REST on each `connected`.
 */
import { streaming } from '@alpacahq/alpaca-trade-api';
import { orderUpdateFromWire, scrub, unreadableOrderUpdate } from './alpaca-mapping';
import { normalizeBaseUrl } from './endpoints';
import { BrokerUnauthorized, BrokerUnavailable } from './errors';
import type { OrderUpdateHandlers, OrderUpdates } from './port';

const STREAM_NAME = 'trade_updates';

/**
 * How the SDK keeps the stream up. Reconnects never give up (an order stream that stops silently is worse than one
 * that keeps knocking): the delay doubles from 1 s to at most 30 s, ±20 % jitter, and starts again at 1 s after each
 * successful authentication. A refused key is final (the SDK does not retry it). Keepalive: a ping every 10 s, and a
 * socket that has not answered within 5 s is dropped (and reconnected).
 */
export const TRADE_UPDATES_STREAM_OPTIONS = {
  reconnect: true,
  maxReconnectAttempts: streaming.UNLIMITED_RECONNECT_ATTEMPTS,
  backoff: true,
  initialReconnectMs: 1_000,
  maxReconnectMs: 30_000,
  reconnectJitter: 0.2,
  pingIntervalMs: 10_000,
  pongWaitMs: 5_000,
  verbose: false,
} as const satisfies Partial<streaming.TradingStreamOptions>;

/**
 * The stream's URL from the trading base URL: `http` → `ws`, `https` → `wss`, path `/stream` after the base's own
 * path (a trailing `/v2` dropped, as for REST). https://paper-api.alpaca.markets → wss://paper-api.alpaca.markets/stream,
 * http://127.0.0.1:8900 → ws://127.0.0.1:8900/stream. A ws(s) URL is taken as the base too.
 */
export function tradingStreamUrl(tradingUrl: string): string {
  let url: URL;
  try {
    url = new URL(normalizeBaseUrl(tradingUrl));
  } catch {
    // The URL itself stays out of the message: it could carry credentials.
    throw new TypeError('the trading URL is not a URL; the trade_updates stream URL cannot be derived from it');
  }
  const protocol = ({ 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' } as Record<string, string>)[url.protocol];
  if (!protocol) throw new TypeError(`the trading URL's scheme ${url.protocol} is not http(s); the trade_updates stream needs ws(s)`);
  url.protocol = protocol;
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/stream`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

export interface TradeUpdatesConnection {
  keyId: string;
  secretKey: string;
  /** The stream's own URL (`tradingStreamUrl`). */
  url: string;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Opens the `trade_updates` stream of one account and follows it until `close()`. Each call is its own connection:
 * keep one per account (Alpaca may limit connections per key).
 */
export function watchTradeUpdates(connection: TradeUpdatesConnection, handlers: OrderUpdateHandlers): OrderUpdates {
  const secrets = [connection.keyId, connection.secretKey];
  let stream: streaming.TradingStream;
  try {
    stream = new streaming.TradingStream({
      credentials: { keyId: connection.keyId, secret: connection.secretKey },
      url: connection.url,
      ...TRADE_UPDATES_STREAM_OPTIONS,
    });
  } catch (error) {
    throw new BrokerUnauthorized(`trade_updates stream: ${scrub(asError(error).message, secrets)}`);
  }

  /** Closed by the caller, or stopped for good by the SDK: no handler is called afterwards. */
  let stopped = false;
  /** Whether `connected` was reported for the current connection (so `disconnected` follows it exactly once). */
  let connected = false;
  let lastError = '';

  let settleReady: ((error: Error | null) => void) | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    settleReady = (error) => {
      settleReady = null;
      if (error) reject(error);
      else resolve();
    };
  });
  // A caller that never awaits `ready` must not take the process down with an unhandled rejection.
  ready.catch(() => undefined);

  const report = (error: Error): void => {
    if (stopped) return;
    try {
      handlers.onError?.(error);
    } catch {
      // An error handler that throws has nowhere left to report to.
    }
  };
  /** Handler calls: a throw goes to onError, never into the SDK (which would only log it when verbose). */
  const guarded = (fn: () => void): void => {
    if (stopped) return;
    try {
      fn();
    } catch (error) {
      report(asError(error));
    }
  };
  const setConnected = (next: boolean): void => {
    if (connected === next) return;
    connected = next;
    guarded(() => handlers.onConnection?.(next ? 'connected' : 'disconnected'));
  };

  /** The SDK left the stream disconnected without a reconnect scheduled: it refused to go on (a refused key). */
  const stopForGood = (): void => {
    if (stopped) return;
    const authLike = /auth|unauthori[sz]ed|forbidden/i.test(lastError);
    const error = authLike
      ? new BrokerUnauthorized(`trade_updates stream: the broker refused the keys (${lastError})`, 401)
      : new BrokerUnavailable(`trade_updates stream stopped${lastError ? `: ${lastError}` : ''}`);
    settleReady?.(error);
    report(error);
    stopped = true;
  };

  /** Skipped, and said so: the caller reads over REST what the stream could not tell. */
  const unreadable = (reason: string): void => {
    guarded(() => handlers.onUnreadable?.(reason));
    report(new BrokerUnavailable(`trade_updates stream: ${reason}; skipped, the REST reads decide`));
  };

  stream.onTradeUpdate((wire) => {
    if (stopped) return;
    const update = orderUpdateFromWire(wire);
    const problem = unreadableOrderUpdate(update);
    if (problem) {
      unreadable(`an update with ${problem}`);
      return;
    }
    guarded(() => handlers.onOrder(update.order, update.event, update));
  });

  // `listening` answers the `listen` the SDK sends after every authentication: only then is the account's stream
  // flowing, so `ready` and `connected` wait for it (the SDK's own `authorized`/`reconnected` come before it).
  stream.on(streaming.EVENT.SUBSCRIPTION, (streams: unknown) => {
    if (stopped) return;
    if (!Array.isArray(streams) || !streams.includes(STREAM_NAME)) {
      report(new BrokerUnavailable(`trade_updates stream: the broker listens to ${JSON.stringify(streams)}, not ${STREAM_NAME}`));
      return;
    }
    settleReady?.(null);
    setConnected(true);
  });

  stream.onDisconnect(() => {
    if (stopped) return;
    setConnected(false);
    // The SDK schedules its reconnect right after this event, in the same turn; still disconnected afterwards means
    // none is coming.
    queueMicrotask(() => {
      if (stream.getState() === streaming.STATE.DISCONNECTED) stopForGood();
    });
  });

  stream.onError((message) => {
    // A frame the SDK could not decode or map (its "failed to decode/process message") is lost, not the connection.
    if (/^failed to (decode|process) message/.test(String(message))) {
      if (!stopped) unreadable(`a frame that cannot be read (${scrub(String(message), secrets).slice(0, 200)})`);
      return;
    }
    lastError = scrub(String(message), secrets);
    const error = new BrokerUnavailable(`trade_updates stream: ${lastError}`);
    // After the SDK's own handling of the same failure: a final one is reported once, by stopForGood.
    queueMicrotask(() => {
      if (stream.getState() !== streaming.STATE.DISCONNECTED) report(error);
    });
  });

  // Marks the stream as wanting trade_updates: the SDK sends `listen` after every authentication, reconnects included.
  stream.subscribeTradeUpdates();
  try {
    stream.connect();
  } catch (error) {
    lastError = scrub(asError(error).message, secrets);
    stream.disconnect();
    stopForGood();
  }

  return {
    ready,
    async close(): Promise<void> {
      if (stopped) {
        stream.disconnect();
        return;
      }
      stopped = true;
      settleReady?.(new BrokerUnavailable('trade_updates stream closed before it was listening'));
      stream.disconnect();
    },
  };
}
