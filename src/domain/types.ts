/** Domain types shared by sizing, risk, portfolio, the broker port and the workflow. Plain data only. */

export type Side = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
export type TimeInForce = 'day' | 'gtc' | 'ioc' | 'fok' | 'opg' | 'cls';
export type OrderClass = 'simple' | 'bracket' | 'oco' | 'oto';

/** Alpaca's order statuses (the spec's OrderStatus enum). */
export const ORDER_STATUSES = [
  'new', 'partially_filled', 'filled', 'done_for_day', 'canceled', 'expired', 'replaced',
  'pending_cancel', 'pending_replace', 'accepted', 'pending_new', 'accepted_for_bidding',
  'stopped', 'rejected', 'suspended', 'calculated', 'held',
] as const;
export type OrderStatus = typeof ORDER_STATUSES[number];

/** Trading state gate: REDUCING lets only exposure-reducing orders through, HALTED none. */
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

/** One model output: strength in [-1, 1], positive means long. */
export interface Signal {
  symbol: string;
  strength: number;
}

export interface Account {
  id: string;
  accountNumber: string;
  status: string;
  currency: string;
  cash: number;
  equity: number;
  /** Equity at the previous close: the base of the daily loss limit. */
  lastEquity: number;
  /** Alpaca's buying_power: up to 4× equity intraday on a margin account. */
  buyingPower: number;
  /** The overnight (Reg T) buying power, when the broker reports it: 2× on a margin account, cash on a cash account. */
  regtBuyingPower?: number;
  /** Buying power for non-marginable securities (cash, no margin), when the broker reports it. */
  nonMarginableBuyingPower?: number;
  longMarketValue: number;
  shortMarketValue: number;
  tradingBlocked: boolean;
  shortingEnabled: boolean;
}

export interface Position {
  symbol: string;
  /** Signed: negative for a short. */
  qty: number;
  avgEntryPrice: number;
  currentPrice: number;
  marketValue: number;
  costBasis: number;
  unrealizedPl: number;
  /** Price at the previous close, when the broker reports it. */
  lastdayPrice: number | null;
}

export interface Quote {
  symbol: string;
  bid: number;
  ask: number;
  /** Last trade price. */
  last: number;
  timestamp: string;
}

export interface Asset {
  symbol: string;
  name: string;
  tradable: boolean;
  active: boolean;
  shortable: boolean;
  easyToBorrow: boolean;
  fractionable: boolean;
}

export interface MarketClock {
  timestamp: string;
  isOpen: boolean;
  nextOpen: string;
  nextClose: string;
}

/** What the engine wants the broker to do; the client order id is derived, never random. */
export interface OrderIntent {
  clientOrderId: string;
  symbol: string;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  /** Exactly one of qty and notional is set. */
  qty?: number;
  notional?: number;
  limitPrice?: number;
  stopPrice?: number;
  trailPrice?: number;
  trailPercent?: number;
  orderClass?: OrderClass;
  takeProfit?: { limitPrice: number };
  stopLoss?: { stopPrice: number; limitPrice?: number };
}

/** An order as the broker reports it. */
export interface BrokerOrder {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  qty: number | null;
  notional: number | null;
  filledQty: number;
  filledAvgPrice: number | null;
  limitPrice: number | null;
  stopPrice: number | null;
  status: OrderStatus;
  submittedAt: string | null;
  filledAt: string | null;
  canceledAt: string | null;
  expiredAt: string | null;
  updatedAt: string | null;
}

/** One point of the account's equity history. */
export interface EquityPoint {
  /** Start of the period, RFC-3339. */
  timestamp: string;
  equity: number;
  /** Profit or loss since the base value. */
  profitLoss: number;
}

/** The account's equity over time (Alpaca's portfolio history), oldest first; points without data are left out. */
export interface PortfolioHistory {
  /** Period length, e.g. `1D`. */
  timeframe: string;
  baseValue: number;
  points: EquityPoint[];
}

export interface CancelResult {
  orderId: string;
  status: number;
}

/** The outcome of one pre-trade check on one intent. */
export interface CheckVerdict {
  check: string;
  outcome: 'approve' | 'resize' | 'reject';
  /** Standard reason code, e.g. POSITION_SIZE_EXCEEDED. */
  code: string;
  detail: string;
}

export interface Rejection {
  symbol: string;
  code: string;
  detail: string;
}

/** Why one symbol was (or was not) traded: the line an operator reads. */
export interface SymbolDecision {
  symbol: string;
  signal: number;
  price: number | null;
  currentQty: number;
  targetWeight: number;
  targetQty: number;
  /** Net order the rebalance asked for before risk checks (signed qty, positive buys). */
  intendedQty: number;
  checks: CheckVerdict[];
  /** The order that went out, if any. */
  clientOrderId: string | null;
  finalQty: number;
  outcome: 'order' | 'no_change' | 'rejected' | 'skipped';
  reason: string;
}

/** Output of planning a day: orders to send plus the full explanation. */
export interface DayPlan {
  orders: OrderIntent[];
  decisions: SymbolDecision[];
  rejected: Rejection[];
}
