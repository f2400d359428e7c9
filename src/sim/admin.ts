/**
 * The admin API for tests, outside /v2: no auth, loopback callers only.
 *
 *   POST   /admin/faults     {route: 'POST /v2/orders', kind, count?, latencyMs?}  arm a fault (count defaults to 1)
 *   GET    /admin/faults                                                        armed faults
 *   DELETE /admin/faults                                                        clear all
 *   GET    /admin/orders?account=KEYID                                          every order ever created for a key
 *   POST   /admin/prices     {symbol, price}                                    pin a price (null unpins)
 *   POST   /admin/fill-mode  {mode: 'hold' | 'auto', account?}                  hold leaves orders open (one key or all)
 *   POST   /admin/tick                                                          run the matcher now, ignoring latency
 *   POST   /admin/clock      {time?, advanceMs?, freeze?, reset?}               move simulated time
 *   POST   /admin/accounts/reset {account}                                      forget a key's account and orders
 *   GET    /admin/state                                                         clock, fill mode, open-order count
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorResult, queryOf } from './http';
import { FAULT_KINDS, type FaultKind } from './faults';
import { invalid, notFound } from './sim-error';
import type { SimState } from './state';
import { orderJson, quoteJson } from './wire';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const b = request.body;
  if (b === null || typeof b !== 'object' || Array.isArray(b)) throw invalid('request body must be a JSON object');
  return b as Record<string, unknown>;
}

export function registerAdminRoutes(app: FastifyInstance, state: SimState): void {
  const admin = (method: 'GET' | 'POST' | 'DELETE', url: string, handler: (req: FastifyRequest) => { status?: number; body?: unknown }) => {
    app.route({
      method, url,
      handler: async (req, reply) => {
        if (!LOOPBACK.has(req.ip)) {
          return reply.code(403).send({ code: 40310000, message: 'admin API is loopback only' });
        }
        try {
          const result = handler(req);
          if (result.status === 204 || result.body === undefined) return reply.code(result.status ?? 204).send();
          return reply.code(result.status ?? 200).send(result.body);
        } catch (error) {
          const { status, body } = errorResult(error);
          return reply.code(status).send(body);
        }
      },
    });
  };

  admin('POST', '/admin/faults', (req) => {
    const b = bodyOf(req);
    if (typeof b.route !== 'string' || b.route.trim() === '') throw invalid('route is required');
    if (typeof b.kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(b.kind)) {
      throw invalid(`kind must be one of ${FAULT_KINDS.join(', ')}`);
    }
    if (b.count !== undefined && typeof b.count !== 'number') throw invalid('count must be a number');
    if (b.latencyMs !== undefined && (typeof b.latencyMs !== 'number' || b.latencyMs < 0)) throw invalid('latencyMs must be a number >= 0');
    const fault = state.faults.add({
      route: b.route, kind: b.kind as FaultKind,
      ...(typeof b.count === 'number' ? { count: b.count } : {}),
      ...(typeof b.latencyMs === 'number' ? { latencyMs: b.latencyMs } : {}),
    });
    return { status: 201, body: { ...fault, remaining: Number.isFinite(fault.remaining) ? fault.remaining : null } };
  });

  admin('GET', '/admin/faults', () => ({
    body: state.faults.list().map((f) => ({ ...f, remaining: Number.isFinite(f.remaining) ? f.remaining : null })),
  }));

  admin('DELETE', '/admin/faults', () => {
    state.faults.clear();
    return { status: 204 };
  });

  admin('GET', '/admin/orders', (req) => {
    const key = queryOf(req).account;
    if (!key) throw invalid('account is required');
    return { body: (state.engine.findAccount(key)?.orders ?? []).map(orderJson) };
  });

  admin('POST', '/admin/prices', (req) => {
    const b = bodyOf(req);
    const symbol = typeof b.symbol === 'string' ? b.symbol.toUpperCase() : '';
    const asset = state.universe.find(symbol);
    if (!asset || asset.symbol !== symbol) throw notFound(`symbol not found: ${symbol}`);
    if (b.price === null) state.market.setPrice(symbol, null);
    else {
      const price = typeof b.price === 'string' ? Number(b.price) : b.price;
      if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) throw invalid('price must be a positive number or null');
      state.market.setPrice(symbol, price);
    }
    const t = state.time.now();
    return { body: { symbol, price: state.market.last(symbol, t), quote: quoteJson(state.market.quote(symbol, t), asset.exchange) } };
  });

  admin('POST', '/admin/fill-mode', (req) => {
    const { mode, account } = bodyOf(req);
    if (mode !== 'hold' && mode !== 'auto') throw invalid("mode must be 'hold' or 'auto'");
    if (account !== undefined && (typeof account !== 'string' || account === '')) throw invalid('account must be a key id');
    if (typeof account === 'string') state.engine.accountFillModes.set(account, mode);
    else {
      state.engine.fillMode = mode;
      state.engine.accountFillModes.clear();
    }
    return { body: { mode, ...(typeof account === 'string' ? { account } : {}) } };
  });

  admin('POST', '/admin/tick', () => {
    state.engine.step(state.time.now(), true);
    return { body: { openOrders: state.engine.openCount() } };
  });

  admin('POST', '/admin/clock', (req) => {
    const b = req.body === undefined || req.body === null ? {} : bodyOf(req);
    if (b.reset === true) state.time.reset();
    if (b.time !== undefined) {
      const ms = typeof b.time === 'string' ? Date.parse(b.time) : NaN;
      if (Number.isNaN(ms)) throw invalid('time must be an RFC-3339 timestamp');
      if (b.freeze === true) state.time.freeze(ms);
      else state.time.setRunning(ms);
    } else if (b.freeze === true) state.time.freeze(state.time.now());
    else if (b.freeze === false) state.time.freeze(null);
    if (b.advanceMs !== undefined) {
      if (typeof b.advanceMs !== 'number' || !Number.isFinite(b.advanceMs)) throw invalid('advanceMs must be a number');
      state.time.advance(b.advanceMs);
    }
    state.engine.step(state.time.now());
    return { body: state.time.describe() };
  });

  admin('POST', '/admin/accounts/reset', (req) => {
    const key = bodyOf(req).account;
    if (typeof key !== 'string' || key === '') throw invalid('account is required');
    state.secrets.delete(key);
    return { body: { account: key, existed: state.engine.resetAccount(key) } };
  });

  admin('GET', '/admin/state', () => ({
    body: { ...state.time.describe(), fillMode: state.engine.fillMode, openOrders: state.engine.openCount(), config: state.config },
  }));
}
