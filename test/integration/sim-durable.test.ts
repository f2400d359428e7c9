/**
 * Durable simulator state: a simulator restarted on the same SQLite file continues where the last one stopped,
 * after a clean close and after a SIGKILL (write-through means a response is only sent once it is on disk).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from 'alpaca-sim';
import { createAlpacaBroker } from '../../src/broker/alpaca';
import { DuplicateClientOrderId, BrokerUnauthorized } from '../../src/broker/errors';
import type { BrokerOrder, OrderIntent } from '../../src/domain/types';
import { tempDir } from '../support/temp-dir';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'tradeflow.cjs');
let dir: string;

before(() => {
  dir = tempDir('tradeflow-sim-state-');
});

function intent(clientOrderId: string, symbol: string, side: 'buy' | 'sell', qty: number, extra: Partial<OrderIntent> = {}): OrderIntent {
  return { clientOrderId, symbol, side, qty, type: 'market', timeInForce: 'day', ...extra } as OrderIntent;
}

function brokerAt(url: string, keyId: string, secretKey = `secret-${keyId}`) {
  return createAlpacaBroker({ keyId, secretKey, tradingUrl: url, dataUrl: url, timeoutMs: 5000 });
}

async function until<T>(probe: () => Promise<T | null | undefined>, what: string, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function filled(broker: ReturnType<typeof brokerAt>, id: string): Promise<BrokerOrder> {
  return until(async () => {
    const o = await broker.getOrder(id);
    return o?.status === 'filled' ? o : null;
  }, `order ${id} filled`);
}

async function json(url: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(url, init);
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

describe('a simulator with a state file', () => {
  const base: SimulatorOptions = { port: 0, seed: 11, partialFillRate: 0, fillLatencyMs: 0 };
  let sim: RunningSimulator | undefined;
  after(async () => {
    await sim?.close();
  });

  test('orders, fills, positions, cash, secrets and client_order_id uniqueness survive a restart', async () => {
    const file = path.join(dir, 'restart.db');
    sim = await startSimulator({ ...base, stateFile: file });
    let broker = brokerAt(sim.url, 'dur-1');
    const bought = await filled(broker, (await broker.submitOrder(intent('dur-buy', 'AAPL', 'buy', 10))).id);
    await filled(broker, (await broker.submitOrder(intent('dur-sell', 'AAPL', 'sell', 4))).id);
    const resting = await broker.submitOrder(intent('dur-rest', 'MSFT', 'buy', 3, { type: 'limit', limitPrice: 1 }));
    const other = brokerAt(sim.url, 'dur-2');
    await filled(other, (await other.submitOrder(intent('dur2-buy', 'XOM', 'buy', 5))).id);
    const before = {
      account: await broker.getAccount(),
      positions: await broker.getPositions(),
      orders: await broker.listOrders({ status: 'all' }),
      fills: await json(`${sim.url}/v2/account/activities/FILL?direction=asc`, {
        headers: { 'APCA-API-KEY-ID': 'dur-1', 'APCA-API-SECRET-KEY': 'secret-dur-1' },
      }),
    };
    assert.equal(before.orders.length, 3);
    await sim.close();

    sim = await startSimulator({ ...base, stateFile: file });
    broker = brokerAt(sim.url, 'dur-1');
    const account = await broker.getAccount();
    assert.equal(account.cash, before.account.cash);
    assert.equal(account.id, before.account.id);
    assert.deepEqual(
      (await broker.getPositions()).map((p) => [p.symbol, p.qty, p.avgEntryPrice]),
      before.positions.map((p) => [p.symbol, p.qty, p.avgEntryPrice]),
    );
    assert.deepEqual([['AAPL', 6]], before.positions.map((p) => [p.symbol, p.qty]));
    const orders = await broker.listOrders({ status: 'all' });
    assert.deepEqual(orders.map((o) => [o.id, o.clientOrderId, o.status, o.filledQty]),
      before.orders.map((o) => [o.id, o.clientOrderId, o.status, o.filledQty]));
    assert.equal((await broker.getOrderByClientOrderId('dur-buy'))?.id, bought.id);
    const fills = await json(`${sim.url}/v2/account/activities/FILL?direction=asc`, {
      headers: { 'APCA-API-KEY-ID': 'dur-1', 'APCA-API-SECRET-KEY': 'secret-dur-1' },
    });
    assert.deepEqual(fills, before.fills);

    await assert.rejects(broker.submitOrder(intent('dur-buy', 'AAPL', 'buy', 1)), DuplicateClientOrderId);
    await assert.rejects(brokerAt(sim.url, 'dur-1', 'another-secret').getAccount(), BrokerUnauthorized);
    // The resting order is open again: it can be canceled, and a new order gets a fresh id.
    assert.equal((await broker.getOrder(resting.id))?.status, 'new');
    await broker.cancelOrder(resting.id);
    const fresh = await broker.submitOrder(intent('dur-new', 'AAPL', 'buy', 1));
    assert.ok(!before.orders.some((o) => o.id === fresh.id), 'no order id is reused after a restart');
    assert.equal((await brokerAt(sim.url, 'dur-2').getPositions())[0]?.qty, 5);
    await filled(broker, fresh.id);
    await sim.close();

    // And once more: what the second run did is there too.
    sim = await startSimulator({ ...base, stateFile: file });
    broker = brokerAt(sim.url, 'dur-1');
    assert.equal((await broker.getOrder(resting.id))?.status, 'canceled');
    assert.equal((await broker.getPositions())[0]?.qty, 7);
    await sim.close();
    sim = undefined;
  });

  test('an account reset is durable, and a simulated clock continues where it stopped', async () => {
    const file = path.join(dir, 'reset.db');
    sim = await startSimulator({ ...base, stateFile: file });
    const broker = brokerAt(sim.url, 'dur-r');
    await filled(broker, (await broker.submitOrder(intent('r-1', 'KO', 'buy', 2))).id);
    await json(`${sim.url}/admin/accounts/reset`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: 'dur-r' }),
    });
    await json(`${sim.url}/admin/clock`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ time: '2025-06-24T14:00:00Z', freeze: true }),
    });
    await sim.close();

    sim = await startSimulator({ ...base, stateFile: file });
    assert.equal(Date.parse((await brokerAt(sim.url, 'dur-r').getClock()).timestamp), Date.parse('2025-06-24T14:00:00Z'));
    assert.deepEqual(await brokerAt(sim.url, 'dur-r').getPositions(), []);
    assert.equal(await brokerAt(sim.url, 'dur-r').getOrderByClientOrderId('r-1'), null);
    await sim.close();
    sim = undefined;
  });
});

describe('the sim command with --state, killed with SIGKILL', () => {
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  function startCli(file: string): Promise<{ url: string; child: ChildProcess }> {
    const child = spawn(process.execPath, [BIN, 'sim', '--port', '0', '--seed', '5', '--state', file, '--no-rate-limit'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`sim did not start: ${out}`)), 30_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listening on (http:\/\/[^\s]+)/.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve({ url: m[1], child });
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => { out += chunk.toString(); });
      child.on('exit', (code) => reject(new Error(`sim exited ${String(code)}: ${out}`)));
    });
  }

  test('every order that was acknowledged is there after a crash', async () => {
    const file = path.join(dir, 'crash.db');
    const first = await startCli(file);
    const broker = brokerAt(first.url, 'crash-1');
    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i++) acknowledged.push((await broker.submitOrder(intent(`crash-${i}`, 'JPM', 'buy', 1))).id);
    await filled(broker, acknowledged[acknowledged.length - 1] ?? '');
    const cash = (await broker.getAccount()).cash;
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await startCli(file);
    const again = brokerAt(second.url, 'crash-1');
    const ids = (await again.listOrders({ status: 'all', limit: 500 })).map((o) => o.id);
    assert.deepEqual([...ids].sort(), [...acknowledged].sort());
    await until(async () => ((await again.getPositions())[0]?.qty === 20 ? true : null), 'all 20 filled');
    assert.equal((await again.getAccount()).cash, cash);
    await assert.rejects(again.submitOrder(intent('crash-3', 'JPM', 'buy', 1)), DuplicateClientOrderId);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  });
});
