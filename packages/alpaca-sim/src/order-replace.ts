/**
 * PATCH /v2/orders/{id}: which changes Alpaca accepts for an order, and the terms of its replacement. Pure: the
 * order and the parsed request in, the new terms (or Alpaca's 403/422) out.
 */
import type { TimeInForce } from './alpaca-enums';
import { round9 } from './numbers';
import type { ReplaceRequest } from './order-request';
import { isReplaceable } from './order-transitions';
import type { SimOrder } from './records';
import { forbidden, invalid, SimError } from './sim-error';

/** The replacement's terms; the rest is the old order's. */
export interface Replacement {
  timeInForce: TimeInForce;
  qty: number;
  limitPrice: number | null;
  stopPrice: number | null;
  trailPrice: number | null;
  trailPercent: number | null;
}

/**
 * Checks a replace request against the order it replaces and returns the new terms. Quantity defaults to what was
 * left to fill; a new `client_order_id` must not be `taken` by another order of the account; a request that
 * changes nothing is refused.
 */
export function replacementTerms(old: SimOrder, r: ReplaceRequest, taken: (clientOrderId: string) => boolean): Replacement {
  if (old.status === 'accepted' || old.status === 'pending_new') throw invalid("unable to replace order, order isn't sent to exchange yet");
  // Final, or a cancel or another replace in flight (`pending_cancel`, `pending_replace`).
  if (!isReplaceable(old.status)) throw invalid(`order is already in "${old.status}" state`);
  if (old.notional !== null) throw invalid('notional orders cannot be replaced');
  if (old.orderClass === 'oto' && !old.parentId) throw invalid('oto orders cannot be replaced');
  if (r.clientOrderId !== null && taken(r.clientOrderId)) throw new SimError(422, 40010001, 'client_order_id must be unique');
  return termsOf(old, r);
}

/** The field-by-field rules, once the order is known to be replaceable at all. */
function termsOf(old: SimOrder, r: ReplaceRequest): Replacement {
  const hasLimit = old.type === 'limit' || old.type === 'stop_limit';
  const hasStop = old.type === 'stop' || old.type === 'stop_limit';
  if (r.limitPrice !== null && !hasLimit) throw invalid(`limit_price is not allowed for ${old.type} orders`);
  if (r.stopPrice !== null && !hasStop) throw invalid(`stop_price is not allowed for ${old.type} orders`);
  if (r.trail !== null && old.type !== 'trailing_stop') throw invalid('trail is only allowed for trailing_stop orders');
  if (r.trail !== null && old.trailPercent !== null && r.trail >= 100) throw invalid('trail_percent must be between 0 and 100');
  const remaining = round9((old.qty ?? 0) - old.filledQty);
  if (r.qty !== null && !Number.isInteger(r.qty)) throw invalid('qty must be whole shares to replace an order');
  if (r.qty !== null && old.qty !== null && !Number.isInteger(old.qty) && r.qty !== old.qty) {
    throw invalid('the qty of a fractional order cannot be changed');
  }
  const tif = r.timeInForce ?? old.timeInForce;
  if (old.type === 'trailing_stop' && tif !== 'day' && tif !== 'gtc') throw invalid('trailing_stop orders require time_in_force day or gtc');
  if ((old.timeInForce === 'opg' || old.timeInForce === 'cls') !== (tif === 'opg' || tif === 'cls')) {
    throw invalid('time_in_force cannot change to or from an auction');
  }
  const next: Replacement = {
    timeInForce: tif,
    qty: r.qty ?? remaining,
    limitPrice: r.limitPrice ?? old.limitPrice,
    stopPrice: hasStop ? (r.stopPrice ?? old.stopPrice) : null,
    trailPrice: old.trailPrice !== null ? (r.trail ?? old.trailPrice) : null,
    trailPercent: old.trailPercent !== null ? (r.trail ?? old.trailPercent) : null,
  };
  const unchanged = r.clientOrderId === null && next.qty === remaining && next.limitPrice === old.limitPrice
    && (!hasStop || next.stopPrice === old.stopPrice) && next.trailPrice === old.trailPrice
    && next.trailPercent === old.trailPercent && tif === old.timeInForce;
  if (unchanged) throw forbidden('order parameters are not changed');
  return next;
}
