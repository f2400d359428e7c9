/**
 * The simulator's records: orders, executions, positions and accounts as the engine keeps them (and the state
 * file stores them), the derived values the API shows, and the trade updates the stream sends.
 */
import type { OrderStatus, OrderType, Side, TimeInForce } from './alpaca-enums';
import type { OrderClass } from './order-request';
import type { TradeEvent } from './order-transitions';
import type { SimAsset } from './universe';

/** How the matcher treats open orders: `hold` leaves them all open until switched back. */
export type FillMode = 'auto' | 'hold';

export interface SimOrder {
  id: string;
  clientOrderId: string;
  accountKey: string;
  symbol: string;
  assetId: string;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  qty: number | null;
  notional: number | null;
  limitPrice: number | null;
  stopPrice: number | null;
  trailPrice: number | null;
  trailPercent: number | null;
  hwm: number | null;
  extendedHours: boolean;
  positionIntent: string | null;
  status: OrderStatus;
  filledQty: number;
  filledAvgPrice: number | null;
  createdAt: number;
  updatedAt: number;
  submittedAt: number;
  filledAt: number | null;
  canceledAt: number | null;
  expiredAt: number | null;
  failedAt: number | null;
  expiresAt: number | null;
  /** Earliest instant the matcher may next execute this order. */
  eligibleAt: number;
  stopTriggered: boolean;
  partialDone: boolean;
  /** `simple` unless part of a bracket, OCO or OTO group (legs carry their group's class). */
  orderClass?: OrderClass;
  /** The entry (bracket/OTO) or take-profit (OCO) this exit belongs to. */
  parentId?: string | null;
  /** The exits of a group's parent, take-profit first. */
  legIds?: string[];
  /** A stop-loss exit whose quantity its take-profit sibling already holds back. */
  secondaryExit?: boolean;
  replacedAt?: number | null;
  replacedBy?: string | null;
  replaces?: string | null;
  /** For OPG/CLS: the auction instant the order executes at. */
  auctionAt?: number | null;
  /** In `pending_cancel` or `pending_replace`: the instant from which the matcher settles the request. */
  pendingUntil?: number | null;
  /** In `pending_replace`: the id of the order waiting (`pending_new`) to replace this one. */
  replacingWith?: string | null;
}

/** One execution, as `GET /v2/account/activities/FILL` lists it. */
export interface SimFill {
  /** `<yyyymmddhhmmssSSS>::<execution uuid>` */
  id: string;
  executionId: string;
  orderId: string;
  symbol: string;
  side: Side;
  qty: number;
  price: number;
  cumQty: number;
  leavesQty: number;
  transactionTime: number;
  type: 'fill' | 'partial_fill';
  orderStatus: OrderStatus;
}

/** `GET/PATCH /v2/account/configurations`, in wire form. */
export interface AccountConfig {
  dtbp_check: 'both' | 'entry' | 'exit';
  trade_confirm_email: string;
  suspend_trade: boolean;
  no_shorting: boolean;
  fractional_trading: boolean;
  max_margin_multiplier: string;
  max_options_trading_level: 0 | 1 | 2 | 3;
  pdt_check: string;
  ptp_no_exception_entry: boolean;
  disable_overnight_trading: boolean;
}

export const DEFAULT_ACCOUNT_CONFIG: AccountConfig = {
  dtbp_check: 'entry', trade_confirm_email: 'all', suspend_trade: false, no_shorting: false, fractional_trading: true,
  max_margin_multiplier: '4', max_options_trading_level: 0, pdt_check: 'entry', ptp_no_exception_entry: false,
  disable_overnight_trading: false,
};

export interface SimPosition {
  symbol: string;
  assetId: string;
  /** Signed. */
  qty: number;
  /** Signed: qty × average entry price. */
  costBasis: number;
}

export interface SimAccount {
  key: string;
  id: string;
  accountNumber: string;
  createdAt: number;
  initialEquity: number;
  cash: number;
  positions: Map<string, SimPosition>;
  /** Every order ever created, in creation order. */
  orders: SimOrder[];
  byId: Map<string, SimOrder>;
  byClientId: Map<string, SimOrder>;
  /** Equity at the last session close (`last_equity`), as of that close's instant. */
  lastEquity: { asOf: number; value: number };
  /** Every execution, oldest first. */
  fills?: SimFill[];
  config?: AccountConfig;
}

/** Derived account values at an instant. */
export interface AccountValues {
  cash: number;
  equity: number;
  lastEquity: number;
  longMarketValue: number;
  shortMarketValue: number;
  buyingPower: number;
  initialMargin: number;
  maintenanceMargin: number;
  multiplier: number;
}

export interface PositionValues {
  position: SimPosition;
  asset: SimAsset;
  currentPrice: number;
  lastdayPrice: number;
  marketValue: number;
  qtyAvailable: number;
}

export interface OrderListQuery {
  status?: string;
  limit?: number;
  after?: number;
  until?: number;
  direction?: 'asc' | 'desc';
  symbols?: string[];
  side?: Side;
  /** Legs inside their parent instead of listed on their own. */
  nested?: boolean;
}

/** One line of a 207 multi-status answer. */
export interface MultiStatus<T> {
  key: string;
  status: number;
  body: T | Record<string, unknown>;
}

/** A trade update: what the `trade_updates` stream sends. `order` is live: serialize it when received. */
export interface EngineEvent {
  accountKey: string;
  event: TradeEvent;
  order: SimOrder;
  at: number;
  executionId: string;
  /** Fills only: this execution's price and qty, and the signed position after it. */
  price: number | null;
  qty: number | null;
  positionQty: number | null;
}

export type EngineListener = (event: EngineEvent) => void;
