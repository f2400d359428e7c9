/**
 * Watchlists (`/v2/watchlists`, by id and `:by_name`), kept in memory per account: they are not written to the
 * state file, so a restarted simulator starts with none. Also the option-contract and corporate-announcement
 * routes, which answer empty for this equities-only broker: an empty list, and 404 for any one item.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { paramOf, parseTime, queryOf } from './http';
import { invalid, notFound, SimError } from './sim-error';
import type { SimState } from './state';
import { keyOf, type Register } from './trading-routes';
import type { SimAsset } from './universe';
import { assetJson } from './wire';

interface Watchlist {
  id: string;
  accountId: string;
  name: string;
  symbols: string[];
  createdAt: number;
  updatedAt: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerWatchlistRoutes(route: Register, state: SimState): void {
  const { engine, universe } = state;
  const now = () => state.time.now();
  const byKey = new Map<string, Watchlist[]>();
  const listsOf = (key: string): Watchlist[] => {
    let lists = byKey.get(key);
    if (!lists) byKey.set(key, (lists = []));
    return lists;
  };
  const json = (w: Watchlist) => ({
    id: w.id, account_id: w.accountId, name: w.name,
    created_at: new Date(w.createdAt).toISOString(), updated_at: new Date(w.updatedAt).toISOString(),
    assets: w.symbols.map((s) => universe.find(s)).filter((a): a is SimAsset => !!a).map(assetJson),
  });
  const bodyOf = (req: FastifyRequest): Record<string, unknown> => {
    const b = req.body;
    if (b === undefined || b === null) return {};
    if (typeof b !== 'object' || Array.isArray(b)) throw new SimError(400, 40010000, 'request body format is invalid');
    return b as Record<string, unknown>;
  };
  const asset = (symbol: unknown): SimAsset => {
    if (typeof symbol !== 'string' || symbol === '') throw invalid('symbol is required');
    const a = universe.find(symbol);
    if (!a) throw notFound(`asset not found: ${symbol}`);
    return a;
  };
  const nameOf = (value: unknown, lists: Watchlist[], self?: Watchlist): string => {
    if (typeof value !== 'string' || value.trim() === '') throw invalid('name is required');
    if (value.length > 64) throw invalid('name must be at most 64 characters');
    if (lists.some((w) => w.name === value && w !== self)) throw invalid(`watchlist name must be unique: ${value}`);
    return value;
  };
  const symbolsOf = (value: unknown): string[] => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw invalid('symbols must be an array');
    const out: string[] = [];
    for (const s of value) {
      const a = asset(s);
      if (!out.includes(a.symbol)) out.push(a.symbol);
    }
    return out;
  };
  /** The account's watchlist named by the `:id` parameter or the `name` query (`:by_name` routes). */
  const find = (req: FastifyRequest, byName: boolean): { w: Watchlist; lists: Watchlist[] } => {
    const lists = listsOf(keyOf(req.headers));
    engine.account(keyOf(req.headers), now());
    if (byName) {
      const name = queryOf(req).name;
      if (!name) throw invalid('name is required');
      const w = lists.find((x) => x.name === name);
      if (!w) throw notFound('watchlist not found');
      return { w, lists };
    }
    const id = paramOf(req, 'id');
    if (!UUID.test(id)) throw invalid(`invalid watchlist_id: ${id}`);
    const w = lists.find((x) => x.id === id);
    if (!w) throw notFound('watchlist not found');
    return { w, lists };
  };

  route('GET', '/v2/watchlists', (req) => ({ body: listsOf(keyOf(req.headers)).map(json) }));

  route('POST', '/v2/watchlists', (req) => {
    const key = keyOf(req.headers);
    const t = now();
    const account = engine.account(key, t);
    const lists = listsOf(key);
    const b = bodyOf(req);
    const w: Watchlist = {
      id: randomUUID(), accountId: account.id, name: nameOf(b.name, lists), symbols: symbolsOf(b.symbols),
      createdAt: t, updatedAt: t,
    };
    lists.push(w);
    return { body: json(w) };
  });

  for (const [path, byName] of [['/v2/watchlists/:id', false], ['/v2/watchlists::by_name', true]] as const) {
    route('GET', path, (req) => ({ body: json(find(req, byName).w) }));

    route('PUT', path, (req) => {
      const { w, lists } = find(req, byName);
      const b = bodyOf(req);
      const name = b.name === undefined ? w.name : nameOf(b.name, lists, w);
      const symbols = b.symbols === undefined ? w.symbols : symbolsOf(b.symbols);
      Object.assign(w, { name, symbols, updatedAt: now() });
      return { body: json(w) };
    });

    route('POST', path, (req) => {
      const { w } = find(req, byName);
      const a = asset(bodyOf(req).symbol);
      if (!w.symbols.includes(a.symbol)) w.symbols.push(a.symbol);
      w.updatedAt = now();
      return { body: json(w) };
    });

    route('DELETE', path, (req) => {
      const { w, lists } = find(req, byName);
      lists.splice(lists.indexOf(w), 1);
      return { status: 204 };
    });
  }

  route('DELETE', '/v2/watchlists/:id/:symbol', (req) => {
    const { w } = find(req, false);
    const symbol = paramOf(req, 'symbol').toUpperCase();
    if (!w.symbols.includes(symbol)) throw notFound(`symbol not in watchlist: ${symbol}`);
    w.symbols = w.symbols.filter((s) => s !== symbol);
    w.updatedAt = now();
    return { body: json(w) };
  });

  // An equities-only broker: no option contracts and no corporate announcements, answered in the spec's shapes.
  route('GET', '/v2/options/contracts', () => ({ body: { option_contracts: [], next_page_token: null } }));
  route('GET', '/v2/options/contracts/:id', (req) => {
    throw notFound(`option contract not found: ${paramOf(req, 'id')}`);
  });
  route('GET', '/v2/corporate_actions/announcements', (req) => {
    const q = queryOf(req);
    parseTime(q.since, 'since');
    parseTime(q.until, 'until');
    return { body: [] };
  });
  route('GET', '/v2/corporate_actions/announcements/:id', (req) => {
    throw notFound(`announcement not found: ${paramOf(req, 'id')}`);
  });
}
