/** Shared HTTP plumbing: the route result type, error bodies and query parsing. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalid, SimError } from './sim-error';

/** What a route handler produces; the wrapper sends it (or drops it, under a lose-response fault). */
export interface RouteResult {
  status?: number;
  body?: unknown;
}

export type RouteHandler = (request: FastifyRequest, reply: FastifyReply) => RouteResult | Promise<RouteResult>;

/** The error body for any thrown value: SimErrors keep their code, fastify's 4xx keep their status. */
export function errorResult(error: unknown): { status: number; body: Record<string, unknown> } {
  if (error instanceof SimError) return { status: error.status, body: error.body() };
  const status = typeof (error as { statusCode?: unknown })?.statusCode === 'number'
    ? (error as { statusCode: number }).statusCode : 500;
  if (status >= 400 && status < 500) {
    const message = error instanceof Error ? error.message : 'bad request';
    return { status, body: { code: status * 100_000, message } };
  }
  return { status: 500, body: { code: 50010000, message: 'internal server error' } };
}

export type Query = Record<string, string | undefined>;

export function queryOf(request: FastifyRequest): Query {
  const q = (request.query ?? {}) as Record<string, unknown>;
  const out: Query = {};
  for (const [k, v] of Object.entries(q)) out[k] = Array.isArray(v) ? String(v[v.length - 1]) : v === undefined ? undefined : String(v);
  return out;
}

export function paramOf(request: FastifyRequest, name: string): string {
  return String((request.params as Record<string, unknown> | undefined)?.[name] ?? '');
}

/** RFC-3339 or YYYY-MM-DD to epoch ms; 422 naming the field when unparsable. */
export function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid(`invalid ${field}: ${value}`);
  return ms;
}

export function parseIntParam(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw invalid(`invalid ${field}: ${value}`);
  return Number(value);
}

export function parseNumberParam(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw invalid(`invalid ${field}: ${value}`);
  return n;
}

export function symbolsParam(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== '');
}
