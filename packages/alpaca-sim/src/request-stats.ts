/**
 * Request counters (`GET /admin/stats`, `RunningSimulator.stats()`): every request to an Alpaca route (/v2, /v3,
 * the `/stream` upgrade, and unmatched paths), by method and route pattern, by response status and by API key id.
 * The admin API is not counted. A request is counted when it arrives; its status when it is answered, so a
 * request still in flight has no status yet.
 */

/** The counters of one key id. */
export interface AccountStats {
  total: number;
  /** Requests by `METHOD /route/pattern`, e.g. `DELETE /v2/orders/:id`. */
  routes: Record<string, number>;
}

/** What `GET /admin/stats` answers. */
export interface SimStats {
  /** When counting started (the simulator's start, or the last reset): an ISO-8601 instant of the real clock. */
  since: string;
  total: number;
  /** Requests by `METHOD /route/pattern`: `POST /v2/orders`, `GET /v2/orders:by_client_order_id`, `GET /stream`. */
  routes: Record<string, number>;
  /**
   * Answers by HTTP status (`"200"`, `"429"`, `"101"` for a stream upgrade), and `"dropped"` for a connection
   * closed without an answer (the `reset` and `lose-response` faults).
   */
  statuses: Record<string, number>;
  /** By the `APCA-API-KEY-ID` the request sent (requests without one are in the totals only). */
  byAccount: Record<string, AccountStats>;
}

/** The route name of a request that matched no route. */
export const UNMATCHED = '(unmatched)';

/** The statuses key of a request whose connection was closed without an answer. */
export const DROPPED = 'dropped';

/** The admin API (`/admin/...`) is not counted. */
export function isAdminPath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return path === '/admin' || path.startsWith('/admin/');
}

/**
 * A route as fastify spells it, shown as Alpaca writes it: fastify escapes a literal colon as `::`
 * (`/v2/orders::by_client_order_id`), which reads `/v2/orders:by_client_order_id`.
 */
export function routeName(method: string, pattern: string | undefined): string {
  return `${method.toUpperCase()} ${pattern === undefined || pattern === '' ? UNMATCHED : pattern.replace(/::/g, ':')}`;
}

type Counts = Map<string, number>;

function bump(counts: Counts, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Counts as a plain object, keys sorted. */
function sorted(counts: Counts): Record<string, number> {
  return Object.fromEntries([...counts].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

export class RequestStats {
  private since: number;
  private total = 0;
  private routes: Counts = new Map();
  private statuses: Counts = new Map();
  private byAccount = new Map<string, { total: number; routes: Counts }>();

  constructor(private readonly wall: () => number = Date.now) {
    this.since = wall();
  }

  /** Counts one request to `route` (see `routeName`), of `keyId` when it sent one. */
  request(route: string, keyId: string): void {
    this.total += 1;
    bump(this.routes, route);
    if (keyId === '') return;
    let a = this.byAccount.get(keyId);
    if (!a) {
      a = { total: 0, routes: new Map() };
      this.byAccount.set(keyId, a);
    }
    a.total += 1;
    bump(a.routes, route);
  }

  /** Counts one answer by status (a number), or `DROPPED`. */
  answered(status: number | typeof DROPPED): void {
    bump(this.statuses, String(status));
  }

  /** A copy of the counters, keys sorted. */
  snapshot(): SimStats {
    // fromEntries, not assignment: a key id may be any string, `__proto__` included.
    const byAccount: Record<string, AccountStats> = Object.fromEntries([...this.byAccount]
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([key, a]) => [key, { total: a.total, routes: sorted(a.routes) }]));
    return {
      since: new Date(this.since).toISOString(), total: this.total,
      routes: sorted(this.routes), statuses: sorted(this.statuses), byAccount,
    };
  }

  /** Starts counting afresh; answers the counters as they were. */
  reset(): SimStats {
    const before = this.snapshot();
    this.since = this.wall();
    this.total = 0;
    this.routes = new Map();
    this.statuses = new Map();
    this.byAccount = new Map();
    return before;
  }
}
