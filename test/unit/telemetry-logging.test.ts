import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Context } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import type { ActivityExecuteInput } from '@temporalio/worker';
import { createRedactor } from '../../src/activities/redaction';
import { activityTelemetry, logAttributesOf } from '../../src/telemetry/activity';
import { createLogger, humanLine, LoggingConfigError, loggingSettings, TemporalLogAdapter } from '../../src/telemetry/logging';
import { metricsBindAddress, MetricsConfigError, TradeflowMetrics } from '../../src/telemetry/metrics';

const SECRET = 'sk-unit-9d2c7e11ab';

function capture(format: 'json' | 'human' = 'json', level: 'info' | 'debug' | 'warn' = 'info') {
  const lines: string[] = [];
  const logger = createLogger({ level, format, redact: createRedactor([SECRET, 'KEY-UNIT-ID']), write: (text) => lines.push(text) });
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('the worker log (pino)', () => {
  it('writes one JSON object a line, with level, time, message and fields', () => {
    const { logger, lines, records } = capture();
    logger.info({ account: 'main', clientOrderId: 'run-1.AAPL' }, 'order sent');
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.endsWith('\n'));
    const [record] = records();
    assert.equal(record!.level, 'info');
    assert.equal(record!.msg, 'order sent');
    assert.equal(record!.account, 'main');
    assert.equal(record!.clientOrderId, 'run-1.AAPL');
    assert.match(String(record!.time), /^\d{4}-\d\d-\d\dT/);
  });

  it('never writes a secret of the worker, wherever it hides (message, field, nested error, JSON-escaped)', () => {
    const { logger, lines } = capture();
    logger.warn({ detail: { header: `APCA-API-SECRET-KEY: ${SECRET}` }, err: new Error(`key KEY-UNIT-ID refused (${SECRET})`) }, `echo ${SECRET}`);
    const quoted = 'ab"cd\\ef-secret';
    const escaping = createLogger({ level: 'info', format: 'json', redact: createRedactor([quoted, JSON.stringify(quoted).slice(1, -1)]), write: (text) => lines.push(text) });
    escaping.info({ value: quoted }, 'quoted');
    const all = lines.join('');
    assert.ok(!all.includes(SECRET), all);
    assert.ok(!all.includes('KEY-UNIT-ID'), all);
    assert.ok(!all.includes(JSON.stringify(quoted).slice(1, -1)), all);
    assert.match(all, /\[redacted\]/);
  });

  it('routes the Temporal SDK logger into it: levels, the workflow id the SDK attaches, errors, no task token', () => {
    const { logger, records } = capture('json', 'info');
    const sdk = new TemporalLogAdapter(logger);
    sdk.debug('Activity started', { workflowId: 'trading-main-2026-12-01' });
    sdk.info('day completed', { workflowId: 'trading-main-2026-12-01', runId: 'r1', workflowType: 'dailyTrading', sdkComponent: 'workflow' });
    sdk.warn('Activity failed', { error: new Error(`boom ${SECRET}`), taskToken: 'CiQ0ZGE...', activityType: 'submitOrders', account: 'main' });
    sdk.log('ERROR', 'fatal', {});
    const got = records();
    assert.deepEqual(got.map((record) => record.level), ['info', 'warn', 'error'], 'debug is below the level');
    assert.equal(got[0]!.workflowId, 'trading-main-2026-12-01');
    assert.equal(got[0]!.runId, 'r1');
    assert.equal(got[1]!.activityType, 'submitOrders');
    assert.equal(got[1]!.taskToken, undefined);
    const error = got[1]!.error as { type: string; message: string; stack: string };
    assert.equal(error.type, 'Error');
    assert.equal(error.message, 'boom [redacted]');
  });

  it('formats a line for people on a terminal', () => {
    const { logger, lines } = capture('human');
    logger.info({ workflowId: 'trading-main-2026-12-01', orders: 2, note: 'two words' }, 'day completed');
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\S+ INFO  day completed workflowId=trading-main-2026-12-01 orders=2 note="two words"\n$/);
    assert.ok(!lines[0]!.includes('pid='));
    assert.equal(humanLine('not json'), 'not json');
  });

  it('takes the level and format from flags, then the environment, then the terminal', () => {
    assert.deepEqual(loggingSettings({}, {}, false), { level: 'info', format: 'json' });
    assert.deepEqual(loggingSettings({}, {}, true), { level: 'info', format: 'human' });
    assert.deepEqual(loggingSettings({}, { TRADEFLOW_LOG_LEVEL: 'DEBUG', TRADEFLOW_LOG_FORMAT: 'json' }, true), { level: 'debug', format: 'json' });
    assert.deepEqual(loggingSettings({ logLevel: 'warn', logFormat: 'human' }, { TRADEFLOW_LOG_LEVEL: 'debug' }, false), { level: 'warn', format: 'human' });
    assert.throws(() => loggingSettings({ logLevel: 'loud' }, {}, false), (error: unknown) => error instanceof LoggingConfigError && /--log-level/.test(error.message));
    assert.throws(() => loggingSettings({}, { TRADEFLOW_LOG_FORMAT: 'xml' }, false), LoggingConfigError);
  });
});

describe('telemetry settings and attributes', () => {
  it('reads the metrics port: off when unset, a port on 127.0.0.1, or host:port', () => {
    assert.equal(metricsBindAddress(undefined), null);
    assert.equal(metricsBindAddress(' '), null);
    assert.equal(metricsBindAddress('9464'), '127.0.0.1:9464');
    assert.equal(metricsBindAddress('0.0.0.0:9464'), '0.0.0.0:9464');
    for (const bad of ['0', '70000', 'abc', 'host:', '-1']) assert.throws(() => metricsBindAddress(bad), MetricsConfigError, bad);
  });

  it('names the account and, for a single submit, the client order id on an activity\'s log lines', () => {
    assert.deepEqual(logAttributesOf('submitOrders', ['main', { intents: [] }]), { account: 'main' });
    assert.deepEqual(logAttributesOf('submitOrder', ['main', { clientOrderId: 'r.AAPL' }]), { account: 'main', clientOrderId: 'r.AAPL' });
    assert.deepEqual(logAttributesOf('planOrders', [{ account: 'alt', signals: [] }]), { account: 'alt' });
    assert.deepEqual(logAttributesOf('loadExecutionConfig', []), {});
  });
});

describe('tradeflow\'s counters, read from the activities\' answers', () => {
  function setup() {
    const points: Array<{ name: string; value: number; tags: Record<string, unknown> }> = [];
    const metric = (name: string) => ({
      add: (value: number, tags: Record<string, unknown> = {}) => points.push({ name, value, tags }),
      record: (value: number, tags: Record<string, unknown> = {}) => points.push({ name, value, tags }),
    });
    const meter = { createCounter: metric, createHistogram: metric } as unknown as MetricMeter;
    const metrics = new TradeflowMetrics(meter);
    const run = async (activityType: string, args: unknown[], answer: () => unknown) => {
      const context = { info: { activityType }, log: { debug: () => undefined } } as unknown as Context;
      const input = { args, headers: {} } as unknown as ActivityExecuteInput;
      return activityTelemetry(metrics)(context).inbound!.execute!(input, async () => answer());
    };
    const sum = (name: string, tags: Record<string, unknown> = {}) => points
      .filter((point) => point.name === name && Object.entries(tags).every(([key, value]) => point.tags[key] === value))
      .reduce((total, point) => total + point.value, 0);
    return { metrics, run, sum };
  }

  it('counts a batch\'s submits by side once per order, its refusals by reason, what was not sent, and fills once', async () => {
    const { run, sum } = setup();
    const intents = [
      { clientOrderId: 'd.A', side: 'buy' }, { clientOrderId: 'd.B', side: 'sell' }, { clientOrderId: 'd.C', side: 'buy' },
      { clientOrderId: 'd.D', side: 'buy' }, { clientOrderId: 'd.E', side: 'buy' },
    ];
    const outcomes = [
      { clientOrderId: 'd.A', order: { clientOrderId: 'd.A', status: 'filled' } },
      { clientOrderId: 'd.B', order: { clientOrderId: 'd.B', status: 'new' } },
      { clientOrderId: 'd.C', refused: { type: 'BrokerRejected', message: 'insufficient buying power' } },
      { clientOrderId: 'd.D', sessionOver: 'not sent: the session is over' },
      { clientOrderId: 'd.E', notSent: 'the day was stopped' },
    ];
    await run('submitOrders', ['main', { intents }], () => outcomes);
    // A retry answers the same orders again: nothing counts twice.
    await run('submitOrders', ['main', { intents: intents.slice(0, 2) }], () => outcomes.slice(0, 2));
    await run('awaitFills', ['main', {}], () => ({ ended: 'daily_loss', orders: [{ clientOrderId: 'd.A', status: 'filled' }, { clientOrderId: 'd.B', status: 'filled' }] }));
    assert.equal(sum('tradeflow_orders_submitted', { account: 'main' }), 2);
    assert.equal(sum('tradeflow_orders_submitted', { side: 'sell' }), 1);
    assert.equal(sum('tradeflow_orders_filled', { account: 'main' }), 2);
    assert.equal(sum('tradeflow_orders_rejected', { reason: 'BrokerRejected' }), 1);
    assert.equal(sum('tradeflow_orders_not_sent', { reason: 'session_over' }), 1);
    assert.equal(sum('tradeflow_orders_not_sent', { reason: 'stopped' }), 1);
    assert.equal(sum('tradeflow_risk_breaches', { account: 'main', kind: 'daily_loss' }), 1);
  });

  it('counts the plan\'s risk refusals by code, a single submit\'s final refusal, and broker requests by route', async () => {
    const { metrics, run, sum } = setup();
    await run('planOrders', [{ account: 'alt' }], () => ({ rejected: [{ symbol: 'TSLA', code: 'max_position_size' }, { symbol: 'GME', code: 'max_position_size' }] }));
    const refused = Object.assign(new Error('refused'), { name: 'BrokerRejected' });
    await assert.rejects(run('submitOrder', ['alt', { clientOrderId: 'x.A', side: 'buy' }], () => {
      throw refused;
    }), refused);
    assert.equal(sum('tradeflow_risk_rejections', { account: 'alt', code: 'max_position_size' }), 2);
    assert.equal(sum('tradeflow_orders_rejected', { account: 'alt', reason: 'BrokerRejected' }), 1);
    const observe = metrics.brokerObserver('alt');
    observe({ route: 'submitOrder', durationMs: 12.5 });
    observe({ route: 'getOrderByClientOrderId', durationMs: 3, error: 'NotFound' });
    assert.equal(sum('tradeflow_broker_request_latency', { route: 'submitOrder' }), 12.5);
    assert.equal(sum('tradeflow_broker_errors', { account: 'alt', route: 'getOrderByClientOrderId', error: 'NotFound' }), 1);
    // An answer of an unexpected shape is not counted and never fails the activity.
    assert.deepEqual(await run('awaitFills', ['alt', {}], () => ({ nothing: true })), { nothing: true });
  });
});
