import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type {
  Account, BrokerOrder, OrderIntent, Position, Rejection, SymbolDecision, TradingState,
} from '../domain/types';
import { isTerminalStatus } from '../domain/orders';
import { summarizePortfolio } from '../domain/portfolio';
import type { PacingStats } from '../broker/request-budget';
import type { DayRecord } from '../domain/day-ledger';
import { increasesRisk, type DailyLossBreach } from '../domain/daily-loss';
import { orderCounts } from '../domain/order-counts';
import { arrivalPricesOf } from '../domain/plan';
import type { OrderState } from '../domain/order-state';
import { fillLatency } from '../domain/fill-latency';
import { compactLists, expandLists } from '../domain/large-lists';
import { secondWaveOrders } from '../domain/waves';
import type {
  DailyLossOutcome, DailyTradingInput, DayPhase, DayReport, DayStatus, EmergencyStopOutcome, EmergencyStopRequest, OrderRecord,
  StartingPosition,
} from '../contracts/day';
import { REPORT_LISTS } from '../contracts/day';
import type { CompactDayPlan, MarketDataSummary, PlanResult, TrailLocation } from '../contracts/plan';
import {
  CLOSING_FILE_FROM, type ClosingPortfolio, type DayPnl, type PerformanceMetrics, type PortfolioSummary,
  type Reconciliation, type SlippageReport,
} from '../contracts/portfolio';
import type { ClaimDayAnswer } from '../contracts/account';
import { RUN_STATE } from '../names';
import { AlertSender } from './alerts';
import { nowIso } from './time';

/**
 * Decisions a day's report lists at most: each carries every check's verdict (about 2.5 KB), and 100 of them made the
 * report 278 KB (npm run bench, N = 100); a larger day's decisions are in its plan's history event and its trail file.
 */
const REPORT_DECISIONS_MAX = 50;
/** Beyond this many orders the report leaves out each order's times (its latency figures keep what they say). */
const REPORT_ORDER_TIMES_MAX = 100;
/** Rejections the UI's current details name (symbol and code); the rest are counted. */
const DETAILS_REJECTIONS_MAX = 20;

/**
 * The state of one trading day, kept in a plain class so handlers and the main flow share it. It owns its
 * transitions: the workflow tells it what happened (a phase entered, a plan or the closing figures adopted, a
 * claim answered) and reads it; it keeps the RunState search attribute and the UI's current details in step.
 */
export class DayState {
  phase: DayPhase = 'starting';
  paused = false;
  tradingState: TradingState = 'ACTIVE';
  stop: (EmergencyStopRequest & { at: string; flatten: boolean }) | null = null;
  stopOutcome: EmergencyStopOutcome | null = null;
  reason: string | null = null;
  lastError: string | null = null;
  portfolio: PortfolioSummary | null = null;
  /** The holdings the day's snapshot read, for the report (none past CLOSING_FILE_FROM: the report stays small). */
  startingPositions: StartingPosition[] | null = null;
  reconciliation: Reconciliation | null = null;
  pnl: DayPnl | null = null;
  slippage: SlippageReport | null = null;
  performance: PerformanceMetrics | null = null;
  marketData: MarketDataSummary | null = null;
  decisions: SymbolDecision[] = [];
  /** Each order's arrival price (the price its decision was made at), for slippage. */
  arrivalPrices: Record<string, number> = {};
  /** Where a large day's positions and fills were written (the report then carries them empty). */
  closingFile: TrailLocation | null = null;
  /** The broker's time when the day could act on its signals (the market found open): signal-to-fill latency starts here. */
  tradingFrom: string | null = null;
  /** Where the worker wrote the day's report files (set once they are written). */
  reportFiles: { json: string; html: string } | null = null;
  /** A failed day: the error and the phase it failed in, for its report. */
  failure: { phase: DayPhase; error: string } | null = null;
  rejected: Rejection[] = [];
  updatedAt: string;
  /** True once the account's ledger granted this run the date: it reports how it ends. */
  claimed = false;
  /** 1 for the date's first trading run; a resumed run's orders get their own client order ids. */
  generation = 1;
  /** For a duplicate run: the run that holds the date. */
  firstRun: DayRecord | null = null;
  /** Whether orders whose submit outcome is unknown are tracked and looked up (days on the day-ledger patch). */
  tracksUnknownOrders = false;
  /** Set once the broker's clock said the session is over: nothing more is submitted. */
  sessionOver: string | null = null;
  /** Where the worker wrote the full decision trail (compact-plan days). */
  trail: TrailLocation | null = null;
  /** Decisions by outcome over every symbol (compact-plan days). */
  decisionCounts: Record<string, number> | null = null;
  /** Set once equity fell through max_daily_loss while the day traded. */
  dailyLoss: DailyLossOutcome | null = null;
  /** How the worker paced the account's broker requests, as of the last fill check. */
  pacing: PacingStats | null = null;
  /** risk_management.halt_account_on_daily_loss, for the end of the day. */
  haltAccountOnLoss = false;
  /** The day's alerts to the operator's webhook (`alerts` in the config). */
  readonly alerts = new AlertSender();
  private waiting: string | null = null;
  private readonly orders = new Map<string, OrderRecord>();
  /** Intents whose submit was started: only these can be at the broker. */
  private readonly attempted = new Set<string>();

  constructor(readonly input: DailyTradingInput, readonly workflowId: string) {
    this.updatedAt = nowIso();
  }

  /** Enters a phase: the RunState search attribute and the UI's details follow. */
  enter(phase: DayPhase): void {
    this.phase = phase;
    this.updatedAt = nowIso();
    upsertSearchAttributes([{ key: RUN_STATE, value: phase }]);
    this.describe();
  }

  /** Ends the day in `phase` (market closed, halted, duplicate) for the given reason. */
  endWith(phase: DayPhase, reason: string): void {
    this.reason = reason;
    this.enter(phase);
  }

  /** The account is halted: the day ends `halted` without trading. */
  endHalted(reason: string): void {
    this.tradingState = 'HALTED';
    this.endWith('halted', reason);
  }

  /** Another run holds the date: the day ends `duplicate`, pointing to it. */
  endDuplicate(firstRun: DayRecord, reason: string): void {
    this.firstRun = firstRun;
    this.endWith('duplicate', reason);
  }

  /** Orders whose submit outcome is unknown are tracked and looked up (days on the day-ledger patch). */
  trackUnknownOrders(): void {
    this.tracksUnknownOrders = true;
  }

  /** The account's ledger granted this run the date: it reports how it ends, under its generation. */
  adoptClaim(claim: ClaimDayAnswer & { granted: true }): void {
    this.claimed = true;
    this.generation = claim.generation;
  }

  /** Says what the day waits for (the open), in the UI's details. */
  waitFor(reason: string): void {
    this.reason = reason;
    this.waiting = reason;
    this.describe();
  }

  /** The wait is over (a reason set meanwhile, such as a daily-loss breach, stays). */
  doneWaiting(): void {
    if (this.reason === this.waiting) this.reason = null;
    this.waiting = null;
  }

  pause(): void {
    this.paused = true;
    this.describe();
  }

  resume(): void {
    this.paused = false;
    this.describe();
  }

  /**
   * Records the plan and the portfolio it was made from; every intent is listed as unsubmitted until the broker
   * answers. A compact plan also brings where its full trail is and its decisions' counts.
   */
  adoptPlan(plan: PlanResult | CompactDayPlan, snapshot: { account: Account; positions: Position[] }): void {
    if ('decisionCounts' in plan) {
      this.trail = plan.trail;
      this.decisionCounts = plan.decisionCounts;
    }
    this.portfolio = summarizePortfolio(snapshot.account, snapshot.positions);
    this.startingPositions = snapshot.positions.length > CLOSING_FILE_FROM ? null
      : snapshot.positions.map(({ symbol, qty, marketValue }) => ({ symbol, qty, marketValue: Number.isFinite(marketValue) ? marketValue : null }));
    this.marketData = plan.marketData ?? null;
    this.decisions = plan.decisions;
    this.arrivalPrices = pricesOf(plan);
    this.rejected = [...this.rejected, ...plan.rejected];
    this.tradingState = plan.tradingState;
    for (const intent of plan.orders) this.orders.set(intent.clientOrderId, recordOf(intent));
  }

  /**
   * Adopts the second wave's plan for the symbols that waited on the day's sales: their buys join the day's orders,
   * their new decisions follow the first wave's, and their buying-power refusals give way to the new verdicts.
   */
  adoptSecondWave(plan: PlanResult | CompactDayPlan, waiting: string[]): OrderIntent[] {
    const wanted = new Set(waiting);
    const orders = secondWaveOrders(plan, waiting);
    this.rejected = [
      ...this.rejected.filter((rejection) => !(wanted.has(rejection.symbol) && rejection.code === 'BUYING_POWER')),
      ...plan.rejected.filter((rejection) => wanted.has(rejection.symbol)),
    ];
    this.decisions = [...this.decisions, ...plan.decisions.filter((decision) => wanted.has(decision.symbol))
      .map((decision) => ({ ...decision, reason: `second wave: ${decision.reason}` }))];
    this.arrivalPrices = { ...this.arrivalPrices, ...pricesOf(plan) };
    for (const intent of orders) this.orders.set(intent.clientOrderId, recordOf(intent));
    this.touch();
    return orders;
  }

  /** Adopts the closing figures of a day that traded: portfolio, reconciliation, P&L, slippage, performance. */
  adoptClosing(answer: ClosingPortfolio): void {
    const closing = expandLists(answer);
    this.portfolio = closing.portfolio;
    this.reconciliation = closing.reconciliation;
    this.pnl = closing.pnl ?? null;
    this.slippage = closing.slippage ?? null;
    this.performance = closing.performance ?? null;
    this.closingFile = closing.closingFile ?? null;
  }

  /** Enters `stopped` and says why: the stop's cleanup comes next. */
  beginStop(): void {
    this.enter('stopped');
    this.reason = `emergency stop: ${this.stop!.reason}`;
  }

  /** What the stop did, for its update's answer and the report. */
  adoptStopOutcome(outcome: EmergencyStopOutcome): void {
    this.stopOutcome = outcome;
  }

  /** The stop's cleanup is done: the portfolio as the broker shows it after the stop; the account stays halted. */
  endStop(answer: Pick<ClosingPortfolio, 'portfolio' | 'tables'>): void {
    this.portfolio = expandLists(answer).portfolio;
    this.tradingState = 'HALTED';
    this.enter('stopped');
  }

  /** Something changed (an order's state): the time and the UI's details follow. */
  touch(): void {
    this.updatedAt = nowIso();
    this.describe();
  }

  /** The UI's "current details": where the day is, in a few lines of markdown. */
  describe(): void {
    const lines = [
      `**${this.phase.replace(/_/g, ' ')}**${this.paused ? ' (paused)' : ''} · trading state ${this.tradingState}`,
      `${this.input.signals.length} signals · ${orderCounts(this.orderList())} · ${this.rejected.length} rejected`,
    ];
    if (this.reason) lines.push(this.reason);
    // The rejections with their codes, so the UI shows why without opening the result.
    if (this.rejected.length > 0) {
      const shown = this.rejected.slice(0, DETAILS_REJECTIONS_MAX).map((rejection) => `${rejection.symbol} ${rejection.code}`);
      lines.push(`rejected: ${shown.join(', ')}${this.rejected.length > shown.length ? `, and ${this.rejected.length - shown.length} more` : ''}`);
    }
    setCurrentDetails(lines.join('\n\n'));
  }

  /** Adds an order outside the plan, such as a flattening order. */
  addIntent(intent: OrderIntent): void {
    if (!this.orders.has(intent.clientOrderId)) this.orders.set(intent.clientOrderId, recordOf(intent));
  }

  applyBrokerOrder(order: OrderState): void {
    const record = this.orders.get(order.clientOrderId);
    if (!record) return;
    record.brokerOrderId = order.id;
    record.status = order.status;
    record.filledQty = order.filledQty;
    record.filledAvgPrice = order.filledAvgPrice;
    if (order.submittedAt) record.submittedAt = order.submittedAt;
    if (order.filledAt) record.filledAt = order.filledAt;
  }

  /** The broker refused the order (or its submit failed for good): it is rejected with the broker's words. */
  markSubmitFailed(clientOrderId: string, symbol: string, code: string, detail: string): void {
    const record = this.orders.get(clientOrderId);
    if (record) record.status = 'submit_failed';
    this.rejected.push({ symbol, code, detail });
    this.lastError = detail;
  }

  /** The submit's answer never came: the broker may have the order; it is looked up until the broker answers. */
  markUnknown(clientOrderId: string, detail: string): void {
    const record = this.orders.get(clientOrderId);
    if (record && record.brokerOrderId === null) record.status = 'unknown';
    this.lastError = detail;
  }

  /** The session is over (past the last submit time): nothing more is submitted. */
  endSession(detail: string): void {
    this.sessionOver = detail;
  }

  /** The session ended before these orders were sent: they stay unsubmitted, each explained. */
  markSessionOver(intents: OrderIntent[], detail: string): void {
    this.sessionOver = detail;
    for (const intent of intents) {
      const record = this.orders.get(intent.clientOrderId);
      if (!record || record.status !== 'unsubmitted') continue;
      this.rejected.push({ symbol: intent.symbol, code: 'SESSION_OVER', detail });
    }
  }

  /**
   * Equity fell through max_daily_loss: the day moves to `state` and reports the figure; the caller cancels the open
   * orders `ordersToCancel` names. Only the first breach counts.
   */
  breachDailyLoss(breach: DailyLossBreach, state: 'REDUCING' | 'HALTED', holdings: Record<string, number>): OrderRecord[] {
    if (this.dailyLoss) return [];
    const toCancel = this.openOrders().filter((order) => state === 'HALTED' || increasesRisk(order.side, holdings[order.symbol] ?? 0));
    this.dailyLoss = {
      at: nowIso(), plPct: breach.plPct, startEquity: breach.startEquity, equity: breach.equity, tradingState: state,
      canceledClientOrderIds: toCancel.map((order) => order.clientOrderId), accountHalted: false, detail: breach.detail,
    };
    if (state === 'HALTED' || this.tradingState === 'ACTIVE') this.tradingState = state;
    this.rejected.push({ symbol: '*', code: 'DAILY_LOSS_LIMIT', detail: breach.detail });
    this.reason = `DAILY_LOSS_LIMIT: ${breach.detail}; trading state ${this.tradingState}`;
    this.touch();
    return toCancel;
  }

  /** The account was halted for later days after the breach. */
  markAccountHaltedForLoss(): void {
    if (this.dailyLoss) this.dailyLoss.accountHalted = true;
  }

  /** A stop was asked for (the first one counts): the day is halted from now on. */
  requestStop(request: EmergencyStopRequest): void {
    if (this.stop) return;
    this.stop = { reason: request.reason, flatten: request.flatten ?? false, at: nowIso(), origin: request.origin ?? 'direct' };
    this.tradingState = 'HALTED';
  }

  /** Orders the broker has taken that may still fill, and orders whose submit outcome is unknown. */
  openOrders(): OrderRecord[] {
    return this.orderList().filter((order) => (order.brokerOrderId !== null && !isTerminalStatus(order.status as BrokerOrder['status']))
      || (this.tracksUnknownOrders && order.status === 'unknown'));
  }

  /** Orders to look up at the broker: those it answered for, and those whose answer was lost. */
  submittedClientOrderIds(): string[] {
    return this.orderList()
      .filter((order) => order.brokerOrderId !== null || (this.tracksUnknownOrders && order.status === 'unknown'))
      .map((order) => order.clientOrderId);
  }

  markAttempted(clientOrderId: string): void {
    this.attempted.add(clientOrderId);
  }

  /** The day was stopped before this order left: it was never sent, so the stop's sweep need not look for it. */
  markNotSent(clientOrderId: string): void {
    this.attempted.delete(clientOrderId);
  }

  /** Whether the order's submit has had no answer yet (never sent, or sent with no answer recorded). */
  isUnsubmitted(clientOrderId: string): boolean {
    return this.orders.get(clientOrderId)?.status === 'unsubmitted';
  }

  /** The broker answered, after the submit ended, that it has no such order: it was never taken. */
  markNotAtBroker(clientOrderIds: string[]): void {
    for (const clientOrderId of clientOrderIds) {
      const record = this.orders.get(clientOrderId);
      if (!record || record.status !== 'unknown') continue;
      record.status = 'submit_failed';
      this.rejected.push({ symbol: record.symbol, code: 'NOT_AT_BROKER', detail: 'the submit got no answer and the broker has no order with this client order id' });
    }
  }

  /** Every order of the day the broker might hold: each one whose submit started, but those it refused (the stop's sweep). */
  sweepClientOrderIds(): string[] {
    return this.orderList()
      .filter((order) => (this.attempted.has(order.clientOrderId) || order.brokerOrderId !== null) && order.status !== 'submit_failed')
      .map((order) => order.clientOrderId);
  }

  unknownOrders(): OrderRecord[] {
    return this.orderList().filter((order) => order.status === 'unknown');
  }

  /** Signed quantity per symbol the day's fills should leave, starting from the given holdings. */
  expectedHoldings(start: Record<string, number>): Record<string, number> {
    const expected = { ...start };
    for (const order of this.orderList()) {
      if (order.filledQty === 0) continue;
      const signed = order.side === 'buy' ? order.filledQty : -order.filledQty;
      expected[order.symbol] = roundQty((expected[order.symbol] ?? 0) + signed);
    }
    return expected;
  }

  orderList(): OrderRecord[] {
    return [...this.orders.values()];
  }

  status(): DayStatus {
    return {
      workflowId: this.workflowId,
      account: this.input.account,
      tradingDate: this.input.tradingDate,
      phase: this.phase,
      paused: this.paused,
      tradingState: this.tradingState,
      stop: this.stop,
      signals: this.input.signals.length,
      orders: this.orderList(),
      rejected: this.rejected,
      lastError: this.lastError,
      updatedAt: this.updatedAt,
      reason: this.reason,
      ...(this.pacing ? { pacing: this.pacing } : {}),
    };
  }

  /** The day's report; on a large day its long lists travel as tables (`expandLists` reads them back). */
  report(): DayReport {
    const orders = this.orderList();
    const latency = fillLatency(orders, this.tradingFrom);
    return compactLists<DayReport>({
      workflowId: this.workflowId,
      tradingDate: this.input.tradingDate,
      status: this.phase,
      reason: this.reason,
      tradingState: this.tradingState,
      stop: this.stop,
      signals: this.input.signals.length,
      orders: orders.length > REPORT_ORDER_TIMES_MAX ? orders.map(withoutTimes) : orders,
      rejected: this.rejected,
      // A large day's decisions stay in its trail file: the report keeps its orders and the decisions' counts.
      decisions: this.decisions.length > REPORT_DECISIONS_MAX ? [] : this.decisions,
      ...(this.decisions.length > REPORT_DECISIONS_MAX ? { decisionsOmitted: this.decisions.length } : {}),
      portfolio: this.portfolio,
      ...(this.startingPositions ? { startingPositions: this.startingPositions } : {}),
      reconciliation: this.reconciliation,
      pnl: this.pnl,
      slippage: this.slippage,
      performance: this.performance,
      marketData: this.marketData,
      ...(this.claimed || this.firstRun ? { firstRun: this.firstRun, generation: this.generation } : {}),
      ...(this.stopOutcome ? { stopOutcome: this.stopOutcome } : {}),
      ...(this.dailyLoss ? { dailyLoss: this.dailyLoss } : {}),
      ...(this.pacing ? { pacing: this.pacing } : {}),
      ...(this.decisionCounts ? { decisionCounts: this.decisionCounts, trail: this.trail } : {}),
      ...(this.closingFile ? { closingFile: this.closingFile } : {}),
      ...(latency ? { fillLatency: latency } : {}),
      ...(this.failure ? { failure: this.failure } : {}),
      ...(this.reportFiles ? { reportFiles: this.reportFiles } : {}),
    }, REPORT_LISTS);
  }
}

function recordOf(intent: OrderIntent): OrderRecord {
  return {
    clientOrderId: intent.clientOrderId,
    brokerOrderId: null,
    symbol: intent.symbol,
    side: intent.side,
    type: intent.type,
    qty: intent.qty ?? null,
    notional: intent.notional ?? null,
    status: 'unsubmitted',
    filledQty: 0,
    filledAvgPrice: null,
  };
}

function withoutTimes({ submittedAt: _submitted, filledAt: _filled, ...order }: OrderRecord): OrderRecord {
  return order;
}

function roundQty(qty: number): number {
  return Math.round(qty * 1e9) / 1e9;
}

/** A plan's arrival prices: carried as such by a large day's compact plan, else read off its decisions. */
function pricesOf(plan: PlanResult | CompactDayPlan): Record<string, number> {
  return 'arrivalPrices' in plan && plan.arrivalPrices ? plan.arrivalPrices : arrivalPricesOf(plan.decisions);
}
