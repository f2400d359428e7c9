/**
 * The simulator's HTTP server: fastify with Alpaca's auth, headers and error envelope on /v2, fault injection
 * around every Alpaca route (/v2 and /v3/clock), the trade_updates stream, and the admin API beside them.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { registerActivityRoutes } from './account-activities';
import { registerAdminRoutes } from './admin';
import { registerClockRoutes } from './clock-routes';
import { registerDataRoutes } from './data-routes';
import { errorResult, type RouteHandler, type RouteResult } from './http';
import { RateLimiter } from './rate-limit';
import { DROPPED, isAdminPath, routeName } from './request-stats';
import type { SimState } from './state';
import { attachTradeStream } from './stream';
import { INVALID_JSON, registerTradingRoutes, type Register } from './trading-routes';
import { registerWatchlistRoutes } from './watchlists';

const UNAUTHORIZED = { code: 40110000, message: 'request is not authorized' };

function header(request: FastifyRequest, name: string): string {
  const v = request.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Builds (but does not start) the fastify app for one simulator state. */
export function buildServer(state: SimState): FastifyInstance {
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    return503OnClosing: true,
    // Router-level failures (a malformed %-escape, say) get Alpaca's envelope too.
    frameworkErrors: (error, _request, reply) => {
      void (reply as unknown as FastifyReply).code(400).send({ code: 40010000, message: error.message });
    },
  });

  // Tolerate empty and malformed JSON: the routes answer Alpaca's error instead of fastify's.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body ?? '').trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(null, INVALID_JSON);
    }
  });

  // Requests counted by the stats, so their answers are counted too (a router-level failure may skip onRequest).
  const counted = new WeakSet<object>();
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-ID', randomUUID().replace(/-/g, ''));
    if (isAdminPath(request.url)) return;
    const keyId = header(request, 'apca-api-key-id');
    state.stats.request(routeName(request.method, request.routeOptions.url), keyId);
    counted.add(request.raw);
    if (!request.url.startsWith('/v2/')) return;
    const secret = header(request, 'apca-api-secret-key');
    if (!state.secrets.admit(keyId, secret)) return reply.code(401).send(UNAUTHORIZED);

    const budget = state.limiter.hit(keyId, RateLimiter.apiOf(request.url));
    reply.header('X-RateLimit-Limit', String(budget.limit));
    reply.header('X-RateLimit-Remaining', String(budget.remaining));
    reply.header('X-RateLimit-Reset', String(budget.reset));
    if (budget.limited) {
      reply.header('Retry-After', String(budget.retryAfter));
      return reply.code(429).send({ code: 42910000, message: 'rate limit exceeded' });
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    if (counted.delete(request.raw)) state.stats.answered(reply.statusCode);
  });
  /** A connection closed without an answer (onResponse does not run for a hijacked reply). */
  const dropped = (request: FastifyRequest) => {
    if (counted.delete(request.raw)) state.stats.answered(DROPPED);
  };

  app.setErrorHandler((error, _request, reply) => {
    const { status, body } = errorResult(error);
    void reply.code(status).send(body);
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send({ code: 40410000, message: 'endpoint not found' });
  });

  const route: Register = (method, url, handler: RouteHandler) => {
    app.route({
      method, url,
      handler: async (request, reply) => {
        const plan = state.faults.take(method, url, request.url.split('?')[0] ?? '');
        if (plan.latencyMs > 0) await sleep(plan.latencyMs);
        if (plan.failStatus === 429) {
          reply.header('Retry-After', '1');
          return reply.code(429).send({ code: 42910000, message: 'rate limit exceeded' });
        }
        if (plan.reset) {
          // Nothing ran; the client sees ECONNRESET.
          dropped(request);
          reply.hijack();
          request.raw.socket?.resetAndDestroy();
          return reply;
        }
        if (plan.failStatus !== null) {
          return reply.code(plan.failStatus).send({ code: plan.failStatus * 100_000, message: 'simulated server error' });
        }
        let result: RouteResult;
        try {
          result = await handler(request, reply);
        } catch (error) {
          result = errorResult(error);
        }
        // Write-through: what the handler changed is on disk before anyone hears about it.
        state.commit();
        if (plan.loseResponse) {
          // The request took effect; the client never hears about it.
          dropped(request);
          reply.hijack();
          request.raw.socket?.destroy();
          return reply;
        }
        if (result.status === 204) return reply.code(204).send();
        return reply.code(result.status ?? 200).send(result.body ?? null);
      },
    });
  };

  registerTradingRoutes(route, state);
  registerActivityRoutes(route, state);
  registerWatchlistRoutes(route, state);
  registerDataRoutes(route, state);
  registerClockRoutes(route, state);
  registerAdminRoutes(app, state);
  attachTradeStream(app, state);
  return app;
}
