/**
 * The admin API for tests, outside /v2: no auth, loopback callers only.
 *
 *   POST   /admin/faults     {route, kind, rate?, count?, latencyMs?} | {spec}   arm a fault (kinds: error-500, error-503,
 *                            rate-limit, latency, reset, lose-response; count defaults to 1, or unlimited with a rate)
 *   GET    /admin/faults                                                        armed faults (with ids and hits)
 *   DELETE /admin/faults[/:id]                                                  clear all, or one
 *   POST   /admin/rate-limit {limit?, enforce?, reset?, windowMs?}              change the request budget at run time
 *   GET    /admin/rate-limit                                                    the budget, and each key's use of its window
 *   GET    /admin/stats                                                         request counters (route, status, key)
 *   DELETE /admin/stats                                                         the counters, then zero them
 *   GET    /admin/orders?account=KEYID                                          every order ever created for a key
 *   POST   /admin/prices     {symbol, price}                                    pin a price (null unpins)
 *   GET    /admin/market?symbols=A,B                                            the model behind the prices (sector, beta, vols)
 *   POST   /admin/fill-mode  {mode: 'hold' | 'auto', account?}                  hold leaves orders open (one key or all)
 *   POST   /admin/tick                                                          run the matcher now, ignoring latency
 *   POST   /admin/clock      {time?, advanceMs?, freeze?, speed?, reset?}       move simulated time, change its speed
 *   POST   /admin/accounts/reset {account}                                      forget a key's account and orders
 *   GET    /admin/state                                                         clock, fill mode, open-order count, config
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorResult, queryOf } from './http';
import { parseFaultSpec, validateFaultRule, type Fault } from './faults';
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
          state.commit();
          if (result.status === 204 || result.body === undefined) return reply.code(result.status ?? 204).send();
          return reply.code(result.status ?? 200).send(result.body);
        } catch (error) {
          const { status, body } = errorResult(error);
          return reply.code(status).send(body);
        }
      },
    });
  };

  const faultJson = (f: Fault) => ({ ...f, remaining: Number.isFinite(f.remaining) ? f.remaining : null });

  admin('POST', '/admin/faults', (req) => {
    const b = bodyOf(req);
    let rule;
    try {
      rule = typeof b.spec === 'string' ? parseFaultSpec(b.spec) : validateFaultRule(b);
    } catch (error) {
      throw invalid((error as Error).message);
    }
    if (typeof b.spec !== 'string' && (typeof b.route !== 'string' || b.route.trim() === '')) throw invalid('route is required');
    return { status: 201, body: faultJson(state.faults.add(rule)) };
  });

  admin('GET', '/admin/faults', () => ({ body: state.faults.list().map(faultJson) }));

  admin('DELETE', '/admin/faults', () => {
    state.faults.clear();
    return { status: 204 };
  });

  admin('DELETE', '/admin/faults/:id', (req) => {
    const id = Number((req.params as { id?: string }).id);
    if (!state.faults.remove(id)) throw notFound(`no fault ${String(id)}`);
    return { status: 204 };
  });

  const rateLimitJson = () => ({ limit: state.limiter.limit, enforce: state.limiter.enforce, windowMs: state.limiter.windowMs });

  admin('POST', '/admin/rate-limit', (req) => {
    const b = bodyOf(req);
    if (b.limit !== undefined) {
      if (typeof b.limit !== 'number' || !Number.isInteger(b.limit) || b.limit < 1) throw invalid('limit must be a whole number >= 1');
      state.limiter.limit = b.limit;
    }
    if (b.enforce !== undefined) {
      if (typeof b.enforce !== 'boolean') throw invalid('enforce must be a boolean');
      state.limiter.enforce = b.enforce;
    }
    if (b.windowMs !== undefined) {
      if (typeof b.windowMs !== 'number' || !Number.isInteger(b.windowMs) || b.windowMs < 1 || b.windowMs > 3_600_000) {
        throw invalid('windowMs must be a whole number from 1 to 3600000');
      }
      state.limiter.windowMs = b.windowMs;
    }
    if (b.reset === true) state.limiter.clear();
    return { body: rateLimitJson() };
  });

  admin('GET', '/admin/rate-limit', () => ({ body: { ...rateLimitJson(), used: state.limiter.usage() } }));

  admin('GET', '/admin/stats', () => ({ body: state.stats.snapshot() }));

  admin('DELETE', '/admin/stats', () => ({ body: state.stats.reset() }));

  admin('GET', '/admin/market', (req) => {
    const symbols = (queryOf(req).symbols ?? '').split(',').map((x) => x.trim().toUpperCase()).filter((x) => x !== '');
    const out: Record<string, unknown> = {};
    for (const symbol of symbols) {
      if (!state.universe.find(symbol)) throw notFound(`symbol not found: ${symbol}`);
      out[symbol] = state.market.describe(symbol);
    }
    return { body: out };
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
    if (b.speed !== undefined) {
      if (typeof b.speed !== 'number' || !(b.speed > 0) || !Number.isFinite(b.speed)) throw invalid('speed must be a number > 0');
      state.time.setSpeed(b.speed);
    }
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
    state.secrets.forget(key);
    return { body: { account: key, existed: state.engine.resetAccount(key) } };
  });

  admin('GET', '/admin/state', () => ({
    body: { ...state.time.describe(), fillMode: state.engine.fillMode, openOrders: state.engine.openCount(), config: state.config },
  }));
}
