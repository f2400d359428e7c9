/**
 * Alerts: what tradeflow tells an operator's webhook (`alerts` in the config) and how it reads. Pure: the workflow
 * builds the events, the `sendAlert` activity formats and posts them. No I/O, no clock (times come in the events).
 */
import { formatDollars } from './daily-loss';

/** What an operator may subscribe to (`alerts.events`; default all). */
export const ALERT_KINDS = ['summary', 'halt', 'daily_loss', 'failure'] as const;
export type AlertKind = typeof ALERT_KINDS[number];

/** `json`: `{source, kind, text, event}`; `slack`: a Slack-compatible `{text, blocks}` (incoming webhooks). */
export const ALERT_FORMATS = ['json', 'slack'] as const;
export type AlertFormat = typeof ALERT_FORMATS[number];

/**
 * What the workflow sees in place of `alerts.webhook_url` (the config it loads lands in its history): the URL may
 * carry a token, so it stays with the worker, whose `sendAlert` reads it from its own config.
 */
export const REDACTED_WEBHOOK = '[held by the worker]';

/** The `alerts` section as far as deciding whether to send goes. */
export interface AlertSettings {
  webhook_url?: string | undefined;
  events?: readonly AlertKind[] | undefined;
}

/** Whether an alert of `kind` goes out under these settings: a webhook is set and the kind is subscribed. */
export function wantsAlert(settings: AlertSettings | null | undefined, kind: AlertKind): boolean {
  if (!settings?.webhook_url) return false;
  return (settings.events ?? ALERT_KINDS).includes(kind);
}

/** The day an alert is about. */
export interface DayRef {
  account: string;
  tradingDate: string;
  workflowId: string;
}

/** A day ended, whatever its phase (completed, market_closed, halted, duplicate, stopped, untraded...). */
export interface SummaryAlert extends DayRef {
  kind: 'summary';
  at: string;
  status: string;
  reason: string | null;
  tradingState: string;
  signals: number;
  orders: number;
  filled: number;
  open: number;
  rejected: number;
  /** The day's P&L in dollars, when the day reached its close-out. */
  dailyPl?: number | null;
  equity?: number | null;
  /** For a stopped day: what its stop cancelled and swept. */
  stop?: { reason: string; canceledOrders: number; sweptOrders: number; closingOrders: number } | null;
  /** For a day that breached max_daily_loss. */
  dailyLoss?: string | null;
}

/** The account's kill switch ran (halt, stop its days, cancel every open order, maybe flatten), or it was halted. */
export interface AccountHaltAlert {
  kind: 'halt';
  scope: 'account';
  at: string;
  account: string;
  reason: string;
  by: string;
  /** False for a halt without the kill switch's cancels (e.g. after a daily loss breach). */
  killSwitch: boolean;
  flatten?: boolean;
  days?: Array<{ workflowId: string; tradingDate: string; confirmation: string }>;
  canceledOrders?: number;
  closingOrders?: number;
}

/** A day was told to stop (its emergencyStop signal or update). */
export interface DayStopAlert extends DayRef {
  kind: 'halt';
  scope: 'day';
  at: string;
  reason: string;
  origin: 'account' | 'direct';
  flatten: boolean;
  phase: string;
}

/** Equity fell through max_daily_loss while the day traded. */
export interface DailyLossAlert extends DayRef {
  kind: 'daily_loss';
  at: string;
  detail: string;
  plPct: number;
  startEquity: number;
  equity: number;
  tradingState: string;
  cancelling: number;
}

/** A day failed: its error, and the phase it was in. */
export interface FailureAlert extends DayRef {
  kind: 'failure';
  at: string;
  phase: string;
  error: string;
}

export type AlertEvent = SummaryAlert | AccountHaltAlert | DayStopAlert | DailyLossAlert | FailureAlert;

/** Free text (a reason, an error) is cut to this length in an alert. */
export const ALERT_TEXT_MAX = 500;

export function clip(text: string, max = ALERT_TEXT_MAX): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
const dayName = (event: DayRef) => `${event.account} ${event.tradingDate}`;

/** The alert in one line: what happened, to which account and day. */
export function alertTitle(event: AlertEvent): string {
  switch (event.kind) {
    case 'summary': {
      const what = event.status === 'completed' || event.status === 'stopped'
        ? `${plural(event.orders, 'order')}, ${event.filled} filled, ${event.rejected} rejected`
        : clip(event.reason ?? 'no orders', 200);
      return `tradeflow: ${dayName(event)} ${event.status}: ${what}`;
    }
    case 'halt':
      if (event.scope === 'day') return `tradeflow: ${dayName(event)} STOPPED: ${clip(event.reason, 200)}`;
      return event.killSwitch
        ? `tradeflow: account ${event.account} HALTED by the kill switch: ${clip(event.reason, 200)}`
        : `tradeflow: account ${event.account} HALTED: ${clip(event.reason, 200)}`;
    case 'daily_loss':
      return `tradeflow: ${dayName(event)} DAILY_LOSS_LIMIT: ${clip(event.detail, 200)}`;
    case 'failure':
      return `tradeflow: ${dayName(event)} FAILED in ${event.phase}: ${clip(event.error, 200)}`;
  }
}

/** The alert's details, one fact a line (`label: value`). */
export function alertLines(event: AlertEvent): string[] {
  const lines: string[] = [];
  const add = (label: string, value: string | number | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') lines.push(`${label}: ${value}`);
  };
  switch (event.kind) {
    case 'summary':
      add('status', event.status);
      add('reason', event.reason === null ? null : clip(event.reason));
      add('trading state', event.tradingState);
      add('signals', event.signals);
      add('orders', `${event.orders} (${event.filled} filled, ${event.open} open, ${event.rejected} rejected)`);
      add('daily P&L', typeof event.dailyPl === 'number' ? formatDollars(event.dailyPl) : null);
      add('equity', typeof event.equity === 'number' ? formatDollars(event.equity) : null);
      add('daily loss', event.dailyLoss ? clip(event.dailyLoss) : null);
      if (event.stop) {
        add('stop', `${clip(event.stop.reason)}: ${event.stop.canceledOrders} cancelled, ${event.stop.sweptOrders} swept, `
          + `${event.stop.closingOrders} closing`);
      }
      break;
    case 'halt':
      add('reason', clip(event.reason));
      if (event.scope === 'day') {
        add('origin', event.origin === 'account' ? 'the account\'s kill switch' : 'this day');
        add('phase', event.phase);
        add('flatten', event.flatten ? 'yes' : 'no');
      } else {
        add('by', clip(event.by, 200));
        if (event.killSwitch) {
          add('flatten', event.flatten ? 'yes' : 'no');
          const days = event.days ?? [];
          add('days stopped', days.length === 0 ? 'none running'
            : days.map((day) => `${day.tradingDate} (${day.confirmation})`).join(', '));
          add('orders cancelled', event.canceledOrders ?? 0);
          add('closing orders', event.closingOrders ?? 0);
        }
        add('later days', `end halted until \`tradeflow resume --account ${event.account}\``);
      }
      break;
    case 'daily_loss':
      add('loss', clip(event.detail));
      add('trading state', event.tradingState);
      add('orders cancelled', event.cancelling);
      break;
    case 'failure':
      add('phase', event.phase);
      add('error', clip(event.error));
      break;
  }
  add('workflow', 'workflowId' in event ? event.workflowId : null);
  add('at', event.at);
  return lines;
}

/** The whole text of an alert: its title, then its details. */
export function alertText(event: AlertEvent): string {
  return [alertTitle(event), ...alertLines(event)].join('\n');
}

/** The JSON body: the text for humans and the event for machines. */
export interface JsonAlertBody {
  source: 'tradeflow';
  kind: AlertKind;
  text: string;
  event: AlertEvent;
}

/** A Slack incoming-webhook body: `text` is the notification's fallback, `blocks` the message. */
export interface SlackAlertBody {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

/** Slack mrkdwn treats `&`, `<` and `>` as control characters: escaped, text never turns into a link or a mention. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack's limit on a section's text. */
const SLACK_SECTION_MAX = 3000;

/** The body posted to the webhook for an event, in the configured format. */
export function alertBody(event: AlertEvent, format: AlertFormat): JsonAlertBody | SlackAlertBody {
  if (format === 'json') return { source: 'tradeflow', kind: event.kind, text: alertText(event), event };
  const title = alertTitle(event);
  return {
    text: title,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: clip(`*${slackEscape(title)}*`, SLACK_SECTION_MAX) } },
      { type: 'section', text: { type: 'mrkdwn', text: clip(alertLines(event).map(slackEscape).join('\n'), SLACK_SECTION_MAX) } },
    ],
  };
}
