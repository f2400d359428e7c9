/**
 * The simulator against Alpaca's own contract: every operation an equities paper account uses goes through the
 * real SDK's generated API classes, and every answer body is validated against that operation's response schema
 * in the published OpenAPI specs (openapi-response-validator: ajv with OpenAPI 3.0 `nullable` handling).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { marketData, trading } from '@alpacahq/alpaca-trade-api';
import OpenAPIResponseValidator from 'openapi-response-validator';
import { startSimulator, type RunningSimulator } from '../../src';

interface SpecOperation { method: string; path: string; responses: Record<string, unknown> }
interface Spec { paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>>; components: Record<string, unknown> }
interface Exchange { method: string; url: URL; status: number; body: unknown }

const SPEC_DIR = resolve(__dirname, '../../../../../shared/alpaca-openapi');
const SPEC_DIR_FALLBACK = '/work/shared/alpaca-openapi';

function loadSpec(file: string): Spec {
  for (const dir of [SPEC_DIR, SPEC_DIR_FALLBACK]) {
    try {
      return JSON.parse(readFileSync(resolve(dir, file), 'utf8')) as Spec;
    } catch {
      // try the next location
    }
  }
  throw new Error(`spec ${file} not found`);
}

const FORMATS = {
  'date-time': (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
  date: (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s),
  uuid: (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
  decimal: (s: string) => /^-?\d+(\.\d+)?$/.test(s),
};

/**
 * Corrections to the published spec, each a defect no real answer could pass. The FILL-by-type response is a
 * `oneOf` of TradingActivities and NonTradeActivities, but NonTradeActivities has no required field and allows
 * extra ones, so every FILL matches both and `oneOf` ("exactly one") rejects Alpaca's own FILL entries: read it
 * as `anyOf`, as the list endpoint beside it already says.
 */
function correctSpec(spec: Spec): Spec {
  const op = spec.paths['/v2/account/activities/{activity_type}']?.get;
  const items = (op?.responses?.['200'] as { content?: Record<string, { schema?: { items?: Record<string, unknown> } }> } | undefined)
    ?.content?.['application/json']?.schema?.items;
  if (items?.oneOf) {
    items.anyOf = items.oneOf;
    delete items.oneOf;
  }
  return spec;
}

/** One spec: operations by id, each with a response validator compiled on first use. */
class Contract {
  private readonly operations = new Map<string, SpecOperation>();
  private readonly validators = new Map<string, OpenAPIResponseValidator>();

  constructor(private readonly spec: Spec) {
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (op.operationId && op.responses) this.operations.set(op.operationId, { method: method.toUpperCase(), path, responses: op.responses });
      }
    }
  }

  operation(id: string): SpecOperation | undefined {
    return this.operations.get(id);
  }

  validator(id: string): OpenAPIResponseValidator {
    let v = this.validators.get(id);
    const op = this.operations.get(id);
    if (!v && op) {
      v = new OpenAPIResponseValidator({
        // The validator rewrites schemas in place (nullable → type arrays): give it its own copy.
        responses: structuredClone(op.responses) as never,
        components: structuredClone(this.spec.components) as never,
        customFormats: FORMATS,
      });
      this.validators.set(id, v);
    }
    assert.ok(v, `operation ${id} is in the spec`);
    return v;
  }
}

const tradingSpec = new Contract(correctSpec(loadSpec('trading-api.json')));
const dataSpec = new Contract(loadSpec('market-data-api.json'));

let sim: RunningSimulator;
const exchanges: Exchange[] = [];
const covered = new Set<string>();
const validated = new Set<string>();

/** Records every raw answer the SDK receives, so the body can be checked as sent on the wire. */
const recordingFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const text = await res.clone().text();
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  exchanges.push({ method: (init?.method ?? 'GET').toUpperCase(), url, status: res.status, body: text === '' ? null : JSON.parse(text) });
  return res;
};

const KEY = 'contract-1';
let t: {
  accounts: trading.AccountsApi; config: trading.AccountConfigurationsApi; activities: trading.AccountActivitiesApi;
  orders: trading.OrdersApi; positions: trading.PositionsApi; assets: trading.AssetsApi; calendar: trading.CalendarApi;
  clock: trading.ClockApi; history: trading.PortfolioHistoryApi; stocks: marketData.StockApi;
};

function idOf(o: { id?: string }): string {
  assert.ok(o.id, 'the order has an id');
  return o.id;
}

function pathMatches(template: string, path: string): boolean {
  const pattern = template.split(/(\{[^}]+\})/).map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${pattern}$`).test(path);
}

/** Runs one SDK call and validates the raw answer against the named operation's schema for its status. */
async function check<T>(contract: Contract, operationId: string, call: () => Promise<T>): Promise<T> {
  const op = contract.operation(operationId);
  assert.ok(op, `operation ${operationId} is in the spec`);
  const before = exchanges.length;
  const result = await call();
  const exchange = exchanges.slice(before).reverse().find((e) => e.method === op.method && pathMatches(op.path, decodeURIComponent(e.url.pathname)));
  assert.ok(exchange, `${operationId}: the SDK sent ${op.method} ${op.path}`);
  covered.add(operationId);
  const error = contract.validator(operationId).validateResponse(exchange.status, exchange.body);
  assert.equal(error, undefined, `${operationId} ${exchange.status} body breaks the spec: ${JSON.stringify(error?.errors)}\n${JSON.stringify(exchange.body).slice(0, 2000)}`);
  validated.add(operationId);
  return result;
}

async function admin(path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.ok(res.status < 300, `${path} answered ${res.status}`);
  return res.json();
}

async function until<T>(fn: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

before(async () => {
  sim = await startSimulator({ port: 0, seed: 11, partialFillRate: 0, fillLatencyMs: 10 });
  // A short deadline: the SDK keeps its per-request timer armed for bodiless (204) answers until it fires.
  const options = { basePath: sim.url, keyId: KEY, secret: `secret-${KEY}`, fetchApi: recordingFetch, timeoutMs: 2000 };
  const tc = new trading.Configuration(options);
  const mc = new marketData.Configuration(options);
  t = {
    accounts: new trading.AccountsApi(tc), config: new trading.AccountConfigurationsApi(tc),
    activities: new trading.AccountActivitiesApi(tc), orders: new trading.OrdersApi(tc), positions: new trading.PositionsApi(tc),
    assets: new trading.AssetsApi(tc), calendar: new trading.CalendarApi(tc), clock: new trading.ClockApi(tc),
    history: new trading.PortfolioHistoryApi(tc), stocks: new marketData.StockApi(mc),
  };
});

after(async () => {
  await sim.close();
});

test('every operation of an equities paper account answers per the spec', async () => {
  const T = tradingSpec;
  const D = dataSpec;
  await check(T, 'getAccount', () => t.accounts.getAccount());
  await check(T, 'getAccountConfig', () => t.config.getAccountConfig());
  const patched = await check(T, 'patchAccountConfig', () => t.config.patchAccountConfig({ accountConfigurations: { tradeConfirmEmail: 'none' } }));
  assert.equal(patched.tradeConfirmEmail, 'none');
  await check(T, 'LegacyClock', () => t.clock.legacyClock());
  const days = await check(T, 'LegacyCalendar', () => t.calendar.legacyCalendar({ start: new Date('2025-06-16T12:00:00Z'), end: new Date('2025-06-30T12:00:00Z') }));
  assert.equal(days.length, 10); // 19 June is a holiday
  const assets = await check(T, 'get-v2-assets', () => t.assets.getV2Assets({ status: 'active' }));
  assert.ok(assets.length > 400);
  await check(T, 'get-v2-assets-symbol_or_asset_id', () => t.assets.getV2AssetsSymbolOrAssetId({ symbolOrAssetId: 'AAPL' }));

  // Orders: a market buy that fills, a resting limit replaced and canceled, a bracket shown nested.
  await admin('/admin/prices', { symbol: 'AAPL', price: 200 });
  await admin('/admin/prices', { symbol: 'MSFT', price: 400 });
  const buy = await check(T, 'postOrder', () => t.orders.postOrder({
    postOrderRequest: { symbol: 'AAPL', qty: '10', side: 'buy', type: 'market', timeInForce: 'day', clientOrderId: 'c-buy-1' },
  }));
  await until(async () => (await t.orders.getOrderByOrderID({ orderId: idOf(buy) })).status === 'filled', 'market buy filled');
  await check(T, 'getOrderByOrderID', () => t.orders.getOrderByOrderID({ orderId: idOf(buy), nested: true }));
  await check(T, 'getOrderByClientOrderId', () => t.orders.getOrderByClientOrderId({ clientOrderId: 'c-buy-1' }));
  const resting = await t.orders.postOrder({
    postOrderRequest: { symbol: 'MSFT', qty: '3', side: 'buy', type: 'limit', limitPrice: '300', timeInForce: 'gtc' },
  });
  const replacement = await check(T, 'patchOrderByOrderId', () => t.orders.patchOrderByOrderId({
    orderId: idOf(resting), patchOrderRequest: { qty: '4', limitPrice: '301.5' },
  }));
  assert.notEqual(replacement.id, resting.id);
  assert.equal(replacement.replaces, resting.id);
  // The replace of a working order settles at the matcher's next step (pending_replace until then).
  await until(async () => (await t.orders.getOrderByOrderID({ orderId: idOf(resting) })).status === 'replaced', 'old order replaced');
  const old = await t.orders.getOrderByOrderID({ orderId: idOf(resting) });
  assert.equal(old.status, 'replaced');
  assert.equal(old.replacedBy, replacement.id);
  await check(T, 'deleteOrderByOrderID', () => t.orders.deleteOrderByOrderID({ orderId: idOf(replacement) }));
  const bracket = await t.orders.postOrder({
    postOrderRequest: {
      symbol: 'MSFT', qty: '2', side: 'buy', type: 'limit', limitPrice: '350', timeInForce: 'gtc', orderClass: 'bracket',
      takeProfit: { limitPrice: '420' }, stopLoss: { stopPrice: '340' },
    },
  });
  // Beyond the schema (which requires only three): every Order property is sent, null where it does not apply.
  const orderFields = Object.keys((loadSpec('trading-api.json').components as { schemas: Record<string, { properties: object }> }).schemas.Order?.properties ?? {});
  const rawOrder = [...exchanges].reverse().find((e) => e.method === 'PATCH')?.body as Record<string, unknown>;
  assert.deepEqual(orderFields.filter((f) => !(f in rawOrder)), [], 'every Order field is present');
  const nested = await check(T, 'getAllOrders', () => t.orders.getAllOrders({ status: 'all', nested: true, limit: 100, direction: 'asc' }));
  const shown = nested.find((o) => o.id === bracket.id);
  assert.equal(shown?.legs?.length, 2);
  await check(T, 'deleteAllOrders', () => t.orders.deleteAllOrders());

  // Positions, fills and history.
  await check(T, 'getAllOpenPositions', () => t.positions.getAllOpenPositions());
  await check(T, 'getOpenPosition', () => t.positions.getOpenPosition({ symbolOrAssetId: 'AAPL' }));
  const closing = await check(T, 'deleteOpenPosition', () => t.positions.deleteOpenPosition({ symbolOrAssetId: 'AAPL', qty: 4 }));
  assert.equal(closing.qty, '4');
  await until(async () => (await t.orders.getOrderByOrderID({ orderId: idOf(closing) })).status === 'filled', 'partial close filled');
  const closedAll = await check(T, 'deleteAllOpenPositions', () => t.positions.deleteAllOpenPositions({ cancelOrders: true }));
  assert.deepEqual(closedAll.map((r) => [r.symbol, r.status]), [['AAPL', 200]]);
  await until(async () => (await t.positions.getAllOpenPositions()).length === 0, 'flat');
  const activities = await check(T, 'getAccountActivities', () => t.activities.getAccountActivities({ direction: 'asc' }));
  assert.ok(activities.length >= 3);
  const fills = await check(T, 'getAccountActivitiesByActivityType', () => t.activities.getAccountActivitiesByActivityType({ activityType: 'FILL' }));
  assert.ok(fills.length >= 3);
  const history = await check(T, 'getAccountPortfolioHistory', () => t.history.getAccountPortfolioHistory({ period: '1W', timeframe: '1D' }));
  assert.equal(history.timestamp.length, history.equity.length);
  await check(T, 'getAccountPortfolioHistory', () => t.history.getAccountPortfolioHistory({ period: '1D', timeframe: '15Min' }));

  // Market data.
  await check(D, 'StockLatestTrades', () => t.stocks.stockLatestTrades({ symbols: 'AAPL,MSFT' }));
  await check(D, 'StockLatestTradeSingle', () => t.stocks.stockLatestTradeSingle({ symbol: 'AAPL' }));
  await check(D, 'StockLatestQuotes', () => t.stocks.stockLatestQuotes({ symbols: 'AAPL,MSFT' }));
  await check(D, 'StockLatestQuoteSingle', () => t.stocks.stockLatestQuoteSingle({ symbol: 'AAPL' }));
  await check(D, 'StockLatestBars', () => t.stocks.stockLatestBars({ symbols: 'AAPL,MSFT' }));
  await check(D, 'StockLatestBarSingle', () => t.stocks.stockLatestBarSingle({ symbol: 'AAPL' }));
  const start = new Date(Date.now() - 10 * 86_400_000);
  const page1 = await check(D, 'StockBars', () => t.stocks.stockBars({ symbols: 'AAPL,MSFT', timeframe: '1Day', start, limit: 3 }));
  assert.ok(page1.nextPageToken, 'a first page of 3 bars has a next_page_token');
  await check(D, 'StockBars', () => t.stocks.stockBars({ symbols: 'AAPL,MSFT', timeframe: '1Day', start, limit: 3, pageToken: page1.nextPageToken ?? '' }));
  await check(D, 'StockBarSingle', () => t.stocks.stockBarSingle({ symbol: 'AAPL', timeframe: '1Hour', start, limit: 5 }));
  await check(D, 'StockSnapshots', () => t.stocks.stockSnapshots({ symbols: 'AAPL,MSFT' }));
  await check(D, 'StockSnapshotSingle', () => t.stocks.stockSnapshotSingle({ symbol: 'AAPL' }));

  console.log(`contract: ${covered.size} operations, ${validated.size} validated`);
  assert.equal(validated.size, covered.size);
});

test('Alpaca error envelopes: unknown operations, missing things, bad input', async () => {
  const headers = { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': `secret-${KEY}` };
  const expectError = async (method: string, path: string, status: number, body?: unknown) => {
    const res = await fetch(`${sim.url}${path}`, {
      method, headers: { ...headers, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.equal(res.status, status, `${method} ${path}`);
    const json = await res.json() as { code: unknown; message: unknown };
    assert.equal(typeof json.code, 'number', `${method} ${path} has a numeric code`);
    assert.equal(typeof json.message, 'string');
    assert.equal(String(json.code).slice(0, 3), String(status));
  };
  await expectError('GET', '/v2/watchlists/nope/nothing', 404);
  await expectError('PUT', '/v2/orders', 404);
  await expectError('GET', '/v2/orders/00000000-0000-4000-8000-000000000000', 404);
  await expectError('GET', '/v2/positions/AAPL', 404);
  await expectError('GET', '/v2/assets/NOPE', 404);
  await expectError('DELETE', '/v2/orders/00000000-0000-4000-8000-000000000000', 404);
  await expectError('PATCH', '/v2/orders/00000000-0000-4000-8000-000000000000', 404, { qty: '1' });
  await expectError('POST', '/v2/orders', 422, { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', time_in_force: 'day', limit_price: '1.234' });
  await expectError('POST', '/v2/orders', 403, { symbol: 'AAPL', qty: '100000', side: 'buy', type: 'market', time_in_force: 'day' });
  await expectError('GET', '/v2/orders?status=weird', 422);
  await expectError('GET', '/v2/account/portfolio/history?period=7Q', 422);
  await expectError('GET', '/v2/account/activities/NOPE', 422);
  await expectError('PATCH', '/v2/account/configurations', 422, { dtbp_check: 'sometimes' });
  await expectError('DELETE', '/v2/positions/AAPL?qty=1&percentage=50', 422);
});
