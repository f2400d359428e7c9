/**
 * The batch submit (one activity, many orders) against the simulator over HTTP through the real adapter: every
 * order once, through lost answers and retries; a stop mid-batch sends nothing more; refusals and the session's
 * end are answered per order. Judged by the simulator's own order log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type RunningSimulator } from 'alpaca-sim';
import { submitBatch, type BatchContext } from '../../src/activities/submit-batch';
import { createAlpacaBroker } from '../../src/broker/alpaca';
import type { BrokerPort } from '../../src/broker/port';
import type { SubmitBatchRequest, SubmitOutcome } from '../../src/contracts/day';
import type { MarketClock, OrderIntent } from '../../src/domain/types';

const SYMBOLS = ['AAPL', 'MSFT', 'JPM', 'XOM', 'KO', 'PEP', 'WMT', 'HD', 'UNH', 'JNJ', 'PG', 'V', 'MA', 'CVX', 'MRK', 'ABBV'];

let sim: RunningSimulator;
before(async () => {
  sim = await startSimulator({ port: 0, seed: 3, market: 'always-open' });
});
after(async () => {
  await sim?.close();
});

function brokerFor(key: string): BrokerPort {
  return createAlpacaBroker({ keyId: key, secretKey: `secret-${key}`, tradingUrl: sim.url, dataUrl: sim.url });
}

function intents(run: string, symbols = SYMBOLS): OrderIntent[] {
  return symbols.map((symbol) => ({ clientOrderId: `${run}.${symbol}.buy.rebalance`, symbol, side: 'buy', type: 'market', timeInForce: 'day', qty: 1 }));
}

function request(list: OrderIntent[], extra: Partial<SubmitBatchRequest> = {}): SubmitBatchRequest {
  return { intents: list, concurrency: 4, submittedAfter: new Date(Date.now() - 60_000).toISOString(), ...extra };
}

function context(broker: BrokerPort, extra: Partial<BatchContext> = {}): BatchContext {
  return { attempt: 1, clock: () => broker.getClock(), heartbeat: () => {}, cancelled: () => false, ...extra };
}

async function admin(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sim.url}${path}`, {
    method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

async function brokerLog(key: string): Promise<string[]> {
  const orders = await admin('GET', `/admin/orders?account=${key}`) as Array<{ client_order_id: string }>;
  return orders.map((order) => order.client_order_id);
}

const kinds = (outcomes: SubmitOutcome[]) => outcomes.map((outcome) => Object.keys(outcome).find((key) => key !== 'clientOrderId'));

describe('submitBatch over the simulator', () => {
  test('sends every order once and answers with the broker\'s orders, in the batch\'s order', async () => {
    const broker = brokerFor('batch-all');
    const list = intents('b1');
    const outcomes = await submitBatch(broker, request(list), context(broker));
    assert.deepEqual(outcomes.map((outcome) => outcome.clientOrderId), list.map((intent) => intent.clientOrderId));
    assert.ok(kinds(outcomes).every((kind) => kind === 'order'));
    assert.deepEqual((await brokerLog('batch-all')).sort(), list.map((intent) => intent.clientOrderId).sort());
  });

  test('lost answers: the attempt fails, the retry lists what went through and sends only the rest; none twice', async () => {
    const key = 'batch-lost';
    const broker = brokerFor(key);
    const list = intents('b2');
    const fault = await admin('POST', '/admin/faults', { route: 'POST /v2/orders', kind: 'lose-response', count: 3 }) as { id: string };
    await assert.rejects(submitBatch(broker, request(list), context(broker)));
    await admin('DELETE', `/admin/faults/${fault.id}`);
    const afterFirst = await brokerLog(key);
    assert.ok(afterFirst.length >= 3 && afterFirst.length < list.length, `first attempt: ${afterFirst.length} orders`);
    const outcomes = await submitBatch(broker, request(list), context(broker, { attempt: 2 }));
    assert.ok(kinds(outcomes).every((kind) => kind === 'order'), JSON.stringify(kinds(outcomes)));
    const ids = await brokerLog(key);
    assert.equal(ids.length, list.length, 'every order exactly once');
    assert.equal(new Set(ids).size, ids.length, 'no duplicate');
  });

  test('a stop mid-batch: no order leaves after the batch sees it; the rest are answered as not sent', async () => {
    const key = 'batch-stop';
    const broker = brokerFor(key);
    const list = intents('b3');
    let beats = 0;
    const outcomes = await submitBatch(broker, request(list, { concurrency: 2 }), context(broker, {
      heartbeat: () => { beats += 1; },
      cancelled: () => beats > 5,
    }));
    const sent = outcomes.filter((outcome) => 'order' in outcome).map((outcome) => outcome.clientOrderId);
    const notSent = outcomes.filter((outcome) => 'notSent' in outcome);
    assert.equal(sent.length, 5, `sent before the stop: ${sent.length}`);
    assert.equal(notSent.length, list.length - 5);
    assert.deepEqual((await brokerLog(key)).sort(), [...sent].sort(), 'the broker holds exactly the orders answered as sent');
  });

  test('a refusal is final for its order only; the others go through', async () => {
    const key = 'batch-refused';
    const broker = brokerFor(key);
    const list = [...intents('b4', ['AAPL', 'MSFT']), { ...intents('b4', ['NOSUCHSYM'])[0]! }];
    const outcomes = await submitBatch(broker, request(list), context(broker));
    assert.deepEqual(kinds(outcomes), ['order', 'order', 'refused']);
    const refused = outcomes[2] as { refused: { type: string; message: string } };
    assert.equal(refused.refused.type, 'BrokerRejected');
    assert.equal((await brokerLog(key)).length, 2);
  });

  test('the session guard: a closed market answers every order as not sent, and none is sent', async () => {
    const key = 'batch-closed';
    const broker = brokerFor(key);
    const closed: MarketClock = { timestamp: new Date().toISOString(), isOpen: false, nextOpen: new Date(Date.now() + 3600_000).toISOString(), nextClose: new Date(Date.now() + 7200_000).toISOString() };
    const tradingDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(new Date());
    const outcomes = await submitBatch(broker, request(intents('b5'), { guard: { tradingDate, notAfter: null } }), context(broker, { clock: async () => closed }));
    assert.ok(kinds(outcomes).every((kind) => kind === 'sessionOver'));
    assert.equal((await brokerLog(key)).length, 0);
  });
});
