/**
 * The simulator's HTTP server: fastify with Alpaca's auth, headers and error envelope on /v2, fault injection
 * around every /v2 handler, and the admin API beside it.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { registerAdminRoutes } from './admin';
import { registerDataRoutes } from './data-routes';
import { errorResult, type RouteHandler, type RouteResult } from './http';
import type { SimState } from './state';
import { INVALID_JSON, registerTradingRoutes, type Register } from './trading-routes';

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
  const windows = new Map<string, { start: number; count: number }>();

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

  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-ID', randomUUID().replace(/-/g, ''));
    if (!request.url.startsWith('/v2/')) return;
    const keyId = header(request, 'apca-api-key-id');
    const secret = header(request, 'apca-api-secret-key');
    if (!keyId || !secret) return reply.code(401).send(UNAUTHORIZED);
    const known = state.secrets.get(keyId);
    if (known === undefined) state.secrets.set(keyId, secret);
    else if (known !== secret) return reply.code(401).send(UNAUTHORIZED);

    const limit = state.config.rateLimitPerMinute;
    const t = Date.now();
    let w = windows.get(keyId);
    if (!w || t - w.start >= 60_000) {
      w = { start: t, count: 0 };
      windows.set(keyId, w);
    }
    w.count += 1;
    const reset = Math.ceil((w.start + 60_000) / 1000);
    reply.header('X-RateLimit-Limit', String(limit));
    reply.header('X-RateLimit-Remaining', String(Math.max(0, limit - w.count)));
    reply.header('X-RateLimit-Reset', String(reset));
    if (state.config.enforceRateLimit && w.count > limit) {
      reply.header('Retry-After', String(Math.max(1, reset - Math.floor(t / 1000))));
      return reply.code(429).send({ code: 42910000, message: 'rate limit exceeded' });
    }
  });

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
        if (plan.failStatus !== null) {
          return reply.code(plan.failStatus).send({ code: plan.failStatus * 100_000, message: 'simulated server error' });
        }
        let result: RouteResult;
        try {
          result = await handler(request, reply);
        } catch (error) {
          result = errorResult(error);
        }
        if (plan.loseResponse) {
          // The request took effect; the client never hears about it.
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
  registerDataRoutes(route, state);
  registerAdminRoutes(app, state);
  return app;
}
