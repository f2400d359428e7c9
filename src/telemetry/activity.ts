/**
 * What the worker's log and metrics learn from each activity, without a line in the activities themselves: the
 * account (every activity's first argument) and the client order id (a single order's submit) on each of the
 * activity's log lines, and the order counters read from the activities' answers (submits, fill checks, plans).
 */
import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { FINAL_BROKER_ERRORS } from '../broker/errors';
import type { AwaitFillsResult, FetchedOrders, SubmitBatchRequest, SubmitOutcome } from '../contracts/day';
import { unpackOrderStates } from '../domain/order-state';
import type { BrokerOrder, OrderIntent, Rejection } from '../domain/types';
import type { TradeflowMetrics } from './metrics';

/** The account and the client order id an activity's arguments name, for its log lines. */
export function logAttributesOf(activityType: string, args: readonly unknown[]): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  const account = accountOf(args);
  if (account !== null) attributes.account = account;
  if (activityType === 'submitOrder' && isRecord(args[1]) && typeof args[1].clientOrderId === 'string') {
    attributes.clientOrderId = args[1].clientOrderId;
  }
  return attributes;
}

/** The activity interceptor: log attributes always; counters when the worker exports metrics. */
export function activityTelemetry(metrics: TradeflowMetrics | null): ActivityInterceptorsFactory {
  return (context: Context) => {
    let attributes: Record<string, unknown> = {};
    return {
      inbound: {
        async execute(input, next) {
          const type = context.info.activityType;
          attributes = logAttributesOf(type, input.args);
          const account = accountOf(input.args);
          if (!metrics || account === null) return next(input);
          try {
            const result = await next(input);
            countResult(metrics, context, type, account, input.args, result);
            return result;
          } catch (error) {
            countFailure(metrics, type, account, input.args, error);
            throw error;
          }
        },
      },
      outbound: {
        getLogAttributes(input, next) {
          return next({ ...input, ...attributes });
        },
      },
    };
  };
}

function countResult(metrics: TradeflowMetrics, context: Context, type: string, account: string, args: readonly unknown[], result: unknown): void {
  try {
    switch (type) {
      case 'submitOrder': {
        const intent = args[1] as OrderIntent;
        const order = result as BrokerOrder;
        metrics.orderSubmitted(account, intent.clientOrderId, intent.side);
        metrics.orderSeen(account, order.clientOrderId, order.status);
        break;
      }
      case 'submitOrders': {
        const request = args[1] as SubmitBatchRequest;
        const sides = new Map(request.intents.map((intent) => [intent.clientOrderId, intent.side]));
        for (const outcome of result as SubmitOutcome[]) {
          if ('order' in outcome) {
            metrics.orderSubmitted(account, outcome.clientOrderId, sides.get(outcome.clientOrderId) ?? 'unknown');
            metrics.orderSeen(account, outcome.clientOrderId, outcome.order.status);
          } else if ('refused' in outcome) {
            metrics.orderRejected(account, outcome.clientOrderId, outcome.refused.type);
          } else if ('sessionOver' in outcome) {
            metrics.orderNotSent(account, 'session_over');
          } else {
            metrics.orderNotSent(account, 'stopped');
          }
        }
        break;
      }
      case 'fetchOrders':
      case 'awaitFills': {
        const answer = result as FetchedOrders | AwaitFillsResult;
        for (const order of unpackOrderStates(answer)) metrics.orderSeen(account, order.clientOrderId, order.status);
        if ((answer as AwaitFillsResult).ended === 'daily_loss') metrics.riskBreached(account, 'daily_loss');
        break;
      }
      case 'planTheDay':
      case 'planOrders': {
        for (const rejection of (result as { rejected?: Rejection[] }).rejected ?? []) metrics.riskRejected(account, rejection.code);
        break;
      }
      default:
        break;
    }
  } catch (error) {
    // Counting never fails an activity whose work is done.
    context.log.debug('metrics: could not read the answer', { error: error instanceof Error ? error.message : String(error) });
  }
}

function countFailure(metrics: TradeflowMetrics, type: string, account: string, args: readonly unknown[], error: unknown): void {
  if (type !== 'submitOrder' || !(error instanceof Error) || !isRecord(args[1]) || typeof args[1].clientOrderId !== 'string') return;
  if ((FINAL_BROKER_ERRORS as readonly string[]).includes(error.name)) metrics.orderRejected(account, args[1].clientOrderId, error.name);
  else if (error.name === 'SessionOver') metrics.orderNotSent(account, 'session_over');
}

/** The account an activity works for: its first argument, or that argument's `account` (planOrders' request). */
function accountOf(args: readonly unknown[]): string | null {
  const first = args[0];
  if (typeof first === 'string') return first;
  if (isRecord(first) && typeof first.account === 'string') return first.account;
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
