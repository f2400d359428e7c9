/** The Trading API v2 routes: account and its configuration, positions, orders, clock, calendar, assets. */
import { addDays, calendarDays, daysBetween, etParts, marketClock } from './calendar';
import type { OrderListQuery, SimOrder } from './records';
import {
  paramOf, parseIntParam, parseNumberParam, parseTime, queryOf, symbolsParam, type RouteHandler,
} from './http';
import { invalid, notFound, SimError } from './sim-error';
import type { SimState } from './state';
import { accountConfigJson, accountJson, assetAttributes, assetJson, clockJson, nestedOrderJson, orderJson, positionJson } from './wire';

export type Register = (method: 'GET' | 'POST' | 'DELETE' | 'PATCH' | 'PUT', url: string, handler: RouteHandler) => void;

/** The key id the auth hook already checked. */
export function keyOf(headers: Record<string, unknown>): string {
  return String(headers['apca-api-key-id'] ?? '');
}

/** `nested=true|false`, any case (alpaca-py sends Python's `True`/`False`); anything else is a 422. */
export function boolParam(value: string | undefined, field: string): boolean {
  const v = value?.toLowerCase();
  if (v === undefined || v === '' || v === 'false') return false;
  if (v === 'true') return true;
  throw invalid(`invalid ${field}: ${value}`);
}

export function registerTradingRoutes(route: Register, state: SimState): void {
  const { engine, universe } = state;
  const now = () => state.time.now();
  /** An order as the wire shows it: legs inside only when nested. */
  const shown = (o: SimOrder, nested: boolean) => nestedOrderJson(o, nested ? engine.legsOf(o) : []);

  route('GET', '/v2/account/configurations', (req) => {
    const a = engine.account(keyOf(req.headers), now());
    return { body: accountConfigJson(engine.configOf(a)) };
  });

  route('PATCH', '/v2/account/configurations', (req) => {
    if (req.body === INVALID_JSON) throw new SimError(400, 40010000, 'request body format is invalid');
    return { body: accountConfigJson(engine.patchConfig(keyOf(req.headers), req.body ?? {}, now())) };
  });

  route('GET', '/v2/account', (req) => {
    const t = now();
    const a = engine.account(keyOf(req.headers), t);
    return { body: accountJson(a, engine.values(a, t), t) };
  });

  route('GET', '/v2/positions', (req) => {
    const t = now();
    return { body: engine.positionValues(engine.account(keyOf(req.headers), t), t).map(positionJson) };
  });

  route('GET', '/v2/positions/:symbol', (req) => {
    const t = now();
    const asset = universe.find(paramOf(req, 'symbol'));
    const p = engine.positionValues(engine.account(keyOf(req.headers), t), t).find((v) => v.asset.symbol === asset?.symbol);
    if (!p) throw notFound('position does not exist');
    return { body: positionJson(p) };
  });

  route('DELETE', '/v2/positions/:symbol', (req) => {
    const q = queryOf(req);
    if (q.qty !== undefined && q.percentage !== undefined) throw invalid('qty and percentage are mutually exclusive');
    const qty = parseNumberParam(q.qty, 'qty');
    const percentage = parseNumberParam(q.percentage, 'percentage');
    const order = engine.closePosition(keyOf(req.headers), paramOf(req, 'symbol'), now(), {
      ...(qty !== undefined ? { qty } : {}), ...(percentage !== undefined ? { percentage } : {}),
    });
    return { body: orderJson(order) };
  });

  route('DELETE', '/v2/positions', (req) => {
    const cancel = boolParam(queryOf(req).cancel_orders, 'cancel_orders');
    const results = engine.closeAll(keyOf(req.headers), cancel, now());
    return {
      status: 207,
      body: results.map((r) => ({
        symbol: r.key, status: r.status, body: r.status === 200 ? orderJson(r.body as never) : r.body,
      })),
    };
  });

  route('POST', '/v2/orders', (req) => {
    if (req.body === INVALID_JSON) throw new SimError(400, 40010000, 'request body format is invalid');
    const order = engine.submit(keyOf(req.headers), req.body, now());
    return { body: shown(order, (order.legIds ?? []).length > 0) };
  });

  route('GET', '/v2/orders', (req) => {
    const q = queryOf(req);
    const direction = q.direction;
    if (direction !== undefined && direction !== 'asc' && direction !== 'desc') throw invalid(`invalid direction: ${direction}`);
    const side = q.side;
    if (side !== undefined && side !== 'buy' && side !== 'sell') throw invalid(`invalid side: ${side}`);
    const limit = parseIntParam(q.limit, 'limit');
    if (limit !== undefined && limit > 500) throw invalid('limit must be at most 500');
    const nested = boolParam(q.nested, 'nested');
    const query: OrderListQuery = {
      nested,
      ...(q.status !== undefined ? { status: q.status } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(direction !== undefined ? { direction } : {}),
      ...(side !== undefined ? { side } : {}),
      symbols: symbolsParam(q.symbols),
    };
    const after = parseTime(q.after, 'after');
    const until = parseTime(q.until, 'until');
    if (after !== undefined) query.after = after;
    if (until !== undefined) query.until = until;
    return { body: engine.listOrders(keyOf(req.headers), query, now()).map((o) => shown(o, nested)) };
  });

  // The literal colon is escaped as '::' for find-my-way.
  route('GET', '/v2/orders::by_client_order_id', (req) => {
    const id = queryOf(req).client_order_id;
    if (!id) throw invalid('client_order_id is required');
    return { body: shown(engine.getByClientOrderId(keyOf(req.headers), id, now()), boolParam(queryOf(req).nested, 'nested')) };
  });

  route('GET', '/v2/orders/:id', (req) => ({
    body: shown(engine.getOrder(keyOf(req.headers), paramOf(req, 'id'), now()), boolParam(queryOf(req).nested, 'nested')),
  }));

  route('PATCH', '/v2/orders/:id', (req) => {
    if (req.body === INVALID_JSON) throw new SimError(400, 40010000, 'request body format is invalid');
    return { body: orderJson(engine.replace(keyOf(req.headers), paramOf(req, 'id'), req.body, now())) };
  });

  route('DELETE', '/v2/orders/:id', (req) => {
    engine.cancel(keyOf(req.headers), paramOf(req, 'id'), now());
    return { status: 204 };
  });

  route('DELETE', '/v2/orders', (req) => ({
    status: 207,
    body: engine.cancelAll(keyOf(req.headers), now()).map((r) => ({
      id: r.key, status: r.status, body: r.status === 200 ? orderJson(r.body as never) : r.body,
    })),
  }));

  route('GET', '/v2/clock', () => {
    const t = now();
    return { body: clockJson(marketClock(state.config.market, t), t) };
  });

  route('GET', '/v2/calendar', (req) => {
    const q = queryOf(req);
    const today = etParts(now()).date;
    const start = q.start ? dateParam(q.start, 'start') : today;
    const end = q.end ? dateParam(q.end, 'end') : addDays(today, 30);
    if (daysBetween(start, end) > 366 * 200) throw invalid('the calendar range is limited to two hundred years');
    return { body: calendarDays(start, end) };
  });

  route('GET', '/v2/assets', (req) => {
    const q = queryOf(req);
    if (q.status === 'inactive') return { body: [] };
    if (q.asset_class && q.asset_class !== 'us_equity') return { body: [] };
    const exchange = q.exchange?.toUpperCase();
    const wanted = (q.attributes ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
    for (const x of wanted) if (!ASSET_ATTRIBUTES.includes(x)) throw invalid(`invalid attributes: ${x}`);
    return {
      body: universe.assets
        .filter((a) => !exchange || a.exchange === exchange)
        .filter((a) => wanted.length === 0 || assetAttributes(a).some((x) => wanted.includes(x)))
        .map(assetJson),
    };
  });

  route('GET', '/v2/assets/:symbol', (req) => {
    const asset = universe.find(paramOf(req, 'symbol'));
    if (!asset) throw notFound('asset not found');
    return { body: assetJson(asset) };
  });
}

/** The asset attributes the spec lists for the `attributes` filter of GET /v2/assets. */
const ASSET_ATTRIBUTES = [
  'ptp_no_exception', 'ptp_with_exception', 'ipo', 'has_options', 'options_late_close', 'fractional_eh_enabled',
  'overnight_tradable', 'overnight_halted',
];

/** Marker body for a request whose JSON did not parse. */
export const INVALID_JSON = Symbol('invalid-json');

function dateParam(value: string, field: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(value);
  if (!m || Number.isNaN(Date.parse(m[1] ?? ''))) throw invalid(`invalid ${field}: ${value}`);
  return m[1] ?? value;
}

