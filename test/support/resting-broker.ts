import type { BrokerPort, OrderQuery } from '../../src/broker/port';
import type {
  Account, Asset, BrokerOrder, MarketClock, OrderIntent, Quote,
} from '../../src/domain/types';

/** A session of the fake market, as instants in ms. */
export interface Session {
  openMs: number;
  closeMs: number;
}

/** What the fake broker saw, with the (skipped) time of each call. */
export interface BrokerEvent {
  at: number;
  kind: 'submit' | 'cancel' | 'clock';
  detail: string;
}

/**
 * A broker port for time-skipping workflow tests: its clock is the test server's clock, and orders rest without
 * filling, so the day must wait for the open and cancel its leftovers before the close. A unit-test fake: the
 * integration tests use the simulator over HTTP.
 */
export class RestingBroker implements BrokerPort {
  readonly events: BrokerEvent[] = [];
  private readonly orders = new Map<string, BrokerOrder>();

  constructor(private readonly now: () => Promise<number>, private readonly session: Session) {}

  async getClock(): Promise<MarketClock> {
    const now = await this.now();
    this.events.push({ at: now, kind: 'clock', detail: '' });
    const isOpen = now >= this.session.openMs && now < this.session.closeMs;
    return {
      timestamp: new Date(now).toISOString(),
      isOpen,
      nextOpen: new Date(now < this.session.openMs ? this.session.openMs : this.session.openMs + 86_400_000).toISOString(),
      nextClose: new Date(this.session.closeMs).toISOString(),
    };
  }

  async getAccount(): Promise<Account> {
    return {
      id: 'fake', accountNumber: 'FAKE', status: 'ACTIVE', currency: 'USD', cash: 100_000, equity: 100_000, lastEquity: 100_000,
      buyingPower: 200_000, longMarketValue: 0, shortMarketValue: 0, tradingBlocked: false, shortingEnabled: true,
    };
  }

  async getPositions() {
    return [];
  }

  async listOrders(query: OrderQuery): Promise<BrokerOrder[]> {
    const all = [...this.orders.values()];
    return query.status === 'open' ? all.filter((order) => order.status === 'new') : all;
  }

  async getOrder(orderId: string) {
    return [...this.orders.values()].find((order) => order.id === orderId) ?? null;
  }

  async getOrderByClientOrderId(clientOrderId: string) {
    return this.orders.get(clientOrderId) ?? null;
  }

  async submitOrder(intent: OrderIntent): Promise<BrokerOrder> {
    const now = new Date(await this.now()).toISOString();
    this.events.push({ at: Date.parse(now), kind: 'submit', detail: intent.clientOrderId });
    const order: BrokerOrder = {
      id: `order-${this.orders.size + 1}`, clientOrderId: intent.clientOrderId, symbol: intent.symbol, side: intent.side,
      type: intent.type, timeInForce: intent.timeInForce, qty: intent.qty ?? null, notional: intent.notional ?? null,
      filledQty: 0, filledAvgPrice: null, limitPrice: intent.limitPrice ?? null, stopPrice: intent.stopPrice ?? null,
      status: 'new', submittedAt: now, filledAt: null, canceledAt: null, expiredAt: null, updatedAt: now,
    };
    this.orders.set(intent.clientOrderId, order);
    return order;
  }

  async cancelOrder(orderId: string): Promise<void> {
    const order = await this.getOrder(orderId);
    if (!order) return;
    const now = await this.now();
    this.events.push({ at: now, kind: 'cancel', detail: order.clientOrderId });
    order.status = 'canceled';
    order.canceledAt = new Date(now).toISOString();
  }

  async cancelAllOrders() {
    const open = [...this.orders.values()].filter((order) => order.status === 'new');
    for (const order of open) await this.cancelOrder(order.id);
    return open.map((order) => ({ orderId: order.id, status: 200 }));
  }

  async closePosition(): Promise<BrokerOrder> {
    throw new Error('no positions in the resting broker');
  }

  async getAssets(symbols: string[]): Promise<Record<string, Asset>> {
    return Object.fromEntries(symbols.map((symbol) => [symbol, {
      symbol, name: symbol, tradable: true, active: true, shortable: true, easyToBorrow: true, fractionable: true,
    }]));
  }

  async getLatestQuotes(symbols: string[]): Promise<Record<string, Quote>> {
    const timestamp = new Date(await this.now()).toISOString();
    return Object.fromEntries(symbols.map((symbol) => [symbol, { symbol, bid: 99.95, ask: 100.05, last: 100, timestamp }]));
  }

  async getDailyBars() {
    return {};
  }

  async getPortfolioHistory() {
    return null;
  }
}
