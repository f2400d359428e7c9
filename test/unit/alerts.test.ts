import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertRefused, configForWorkflow, createAlertActivities } from '../../src/activities/alerts';
import { parseExecutionConfig } from '../../src/config';
import {
  alertBody, alertLines, alertText, alertTitle, ALERT_KINDS, clip, REDACTED_WEBHOOK, slackEscape, wantsAlert,
  type AlertEvent, type JsonAlertBody, type SlackAlertBody,
} from '../../src/domain/alerts';

const DAY = { account: 'main', tradingDate: '2026-11-27', workflowId: 'trading-main-2026-11-27' };
const AT = '2026-11-27T15:00:00.000Z';
const URL_WITH_TOKEN = 'https://hooks.example.com/services/T000/B000/sEcReTtOkEn123';

const completed: AlertEvent = {
  kind: 'summary', ...DAY, at: AT, status: 'completed', reason: null, tradingState: 'ACTIVE', signals: 6, orders: 5,
  filled: 4, open: 0, rejected: 2, dailyPl: -1234.5, equity: 98_765.5, stop: null, dailyLoss: null,
};

describe('alert messages', () => {
  it('a completed day: counts, P&L and equity', () => {
    assert.equal(alertTitle(completed), 'tradeflow: main 2026-11-27 completed: 5 orders, 4 filled, 2 rejected');
    assert.deepEqual(alertLines(completed), [
      'status: completed', 'trading state: ACTIVE', 'signals: 6', 'orders: 5 (4 filled, 0 open, 2 rejected)',
      'daily P&L: -$1,234.50', 'equity: $98,765.50', 'workflow: trading-main-2026-11-27', `at: ${AT}`,
    ]);
  });

  it('a day that did not trade says why in its title', () => {
    const closed: AlertEvent = { ...completed, status: 'market_closed', reason: 'no session on 2026-11-27', orders: 0, filled: 0, rejected: 0 };
    assert.equal(alertTitle(closed), 'tradeflow: main 2026-11-27 market_closed: no session on 2026-11-27');
    assert.ok(alertLines(closed).includes('reason: no session on 2026-11-27'));
  });

  it('a stopped day lists what its stop did', () => {
    const stopped: AlertEvent = {
      ...completed, status: 'stopped', tradingState: 'HALTED', reason: 'emergency stop: desk said so',
      stop: { reason: 'desk said so', canceledOrders: 3, sweptOrders: 5, closingOrders: 0 },
    };
    assert.match(alertTitle(stopped), /^tradeflow: main 2026-11-27 stopped: 5 orders/);
    assert.ok(alertLines(stopped).includes('stop: desk said so: 3 cancelled, 5 swept, 0 closing'));
  });

  it('the kill switch, a halt, a day stop, a daily loss breach and a failure', () => {
    const killSwitch: AlertEvent = {
      kind: 'halt', scope: 'account', at: AT, account: 'main', reason: 'risk desk', by: 'cli', killSwitch: true, flatten: true,
      days: [{ workflowId: DAY.workflowId, tradingDate: DAY.tradingDate, confirmation: 'stopped' }], canceledOrders: 4, closingOrders: 2,
    };
    assert.equal(alertTitle(killSwitch), 'tradeflow: account main HALTED by the kill switch: risk desk');
    assert.deepEqual(alertLines(killSwitch).slice(0, 6), [
      'reason: risk desk', 'by: cli', 'flatten: yes', 'days stopped: 2026-11-27 (stopped)', 'orders cancelled: 4', 'closing orders: 2',
    ]);
    const halt: AlertEvent = { kind: 'halt', scope: 'account', at: AT, account: 'main', reason: 'DAILY_LOSS_LIMIT', by: 'x', killSwitch: false };
    assert.equal(alertTitle(halt), 'tradeflow: account main HALTED: DAILY_LOSS_LIMIT');
    assert.ok(!alertLines(halt).some((line) => line.startsWith('orders cancelled')));

    const dayStop: AlertEvent = { kind: 'halt', scope: 'day', ...DAY, at: AT, reason: 'manual', origin: 'direct', flatten: false, phase: 'awaiting_fills' };
    assert.equal(alertTitle(dayStop), 'tradeflow: main 2026-11-27 STOPPED: manual');
    assert.ok(alertLines(dayStop).includes('phase: awaiting_fills'));

    const loss: AlertEvent = {
      kind: 'daily_loss', ...DAY, at: AT, detail: '-2.3% of start equity $100,000 (equity $97,700; max_daily_loss 2%)',
      plPct: -0.023, startEquity: 100_000, equity: 97_700, tradingState: 'REDUCING', cancelling: 2,
    };
    assert.equal(alertTitle(loss), 'tradeflow: main 2026-11-27 DAILY_LOSS_LIMIT: -2.3% of start equity $100,000 (equity $97,700; max_daily_loss 2%)');
    assert.ok(alertLines(loss).includes('orders cancelled: 2'));

    const failure: AlertEvent = { kind: 'failure', ...DAY, at: AT, phase: 'submitting', error: 'broker down' };
    assert.equal(alertTitle(failure), 'tradeflow: main 2026-11-27 FAILED in submitting: broker down');
  });

  it('long free text is cut', () => {
    const failure: AlertEvent = { kind: 'failure', ...DAY, at: AT, phase: 'planning', error: 'x'.repeat(5000) };
    assert.ok(alertTitle(failure).length < 300);
    assert.ok(alertText(failure).length < 1000);
    assert.equal(clip('abcdef', 4), 'abc…');
  });

  it('json: the text for humans and the event for machines', () => {
    const body = alertBody(completed, 'json') as JsonAlertBody;
    assert.equal(body.source, 'tradeflow');
    assert.equal(body.kind, 'summary');
    assert.equal(body.text, alertText(completed));
    assert.deepEqual(body.event, completed);
  });

  it('slack: text and mrkdwn blocks, with &, < and > escaped', () => {
    const failure: AlertEvent = { kind: 'failure', ...DAY, at: AT, phase: 'planning', error: '<!channel> P&L > 0' };
    const body = alertBody(failure, 'slack') as SlackAlertBody;
    assert.equal(body.text, alertTitle(failure));
    assert.equal(body.blocks.length, 2);
    const texts = body.blocks.map((block) => (block as { text: { type: string; text: string } }).text);
    assert.ok(texts.every((text) => text.type === 'mrkdwn'));
    assert.ok(texts[0]!.text.startsWith('*tradeflow: main 2026-11-27 FAILED'));
    assert.ok(texts.every((text) => !text.text.includes('<!channel>')));
    assert.match(texts[1]!.text, /error: &lt;!channel&gt; P&amp;L &gt; 0/);
    assert.equal(slackEscape('a<b>&c'), 'a&lt;b&gt;&amp;c');
  });

  it('wantsAlert: a webhook and a subscribed kind', () => {
    assert.equal(wantsAlert(undefined, 'summary'), false);
    assert.equal(wantsAlert({}, 'summary'), false);
    assert.equal(wantsAlert({ webhook_url: URL_WITH_TOKEN }, 'failure'), true);
    assert.equal(wantsAlert({ webhook_url: REDACTED_WEBHOOK, events: ['halt'] }, 'halt'), true);
    assert.equal(wantsAlert({ webhook_url: REDACTED_WEBHOOK, events: ['halt'] }, 'summary'), false);
  });
});

describe('alerts config', () => {
  it('is optional; a section defaults to json and every kind', () => {
    assert.equal(parseExecutionConfig({}).alerts, undefined);
    assert.deepEqual(parseExecutionConfig({ alerts: { webhook_url: URL_WITH_TOKEN } }).alerts, {
      webhook_url: URL_WITH_TOKEN, format: 'json', events: [...ALERT_KINDS],
    });
  });

  it('refuses a non-http URL, an unknown format or kind, and never echoes the URL', () => {
    assert.throws(() => parseExecutionConfig({ alerts: { webhook_url: 'ftp://x.example/sEcReT' } }), (error: Error) => {
      assert.match(error.message, /alerts\.webhook_url: an http\(s\) URL/);
      assert.ok(!error.message.includes('sEcReT'));
      return true;
    });
    assert.throws(() => parseExecutionConfig({ alerts: { format: 'xml' } }), /alerts\.format/);
    assert.throws(() => parseExecutionConfig({ alerts: { events: ['everything'] } }), /alerts\.events\.0/);
    assert.throws(() => parseExecutionConfig({ alerts: { events: [] } }), /alerts\.events: at least one kind/);
  });

  it('the workflow gets the config without the URL', () => {
    const config = parseExecutionConfig({ alerts: { webhook_url: URL_WITH_TOKEN, format: 'slack' } });
    const seen = configForWorkflow(config);
    assert.ok(!JSON.stringify(seen).includes('sEcReTtOkEn123'));
    assert.deepEqual(seen.alerts, { webhook_url: REDACTED_WEBHOOK, format: 'slack', events: [...ALERT_KINDS] });
    assert.equal(config.alerts?.webhook_url, URL_WITH_TOKEN, 'the worker keeps its own copy');
    const off = parseExecutionConfig({});
    assert.equal(configForWorkflow(off), off);
  });
});

describe('sendAlert', () => {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const answering = (status: number): typeof fetch => async (url, init) => {
    calls.push({ url: String(url), init: init! });
    return new Response(status === 204 ? null : 'ok', { status });
  };
  const send = (status: number | typeof fetch, alerts: Record<string, unknown> | null = { webhook_url: URL_WITH_TOKEN }) => {
    const config = parseExecutionConfig(alerts ? { alerts } : {});
    return createAlertActivities({ config }, typeof status === 'number' ? answering(status) : status).sendAlert(completed);
  };

  it('does nothing when alerts are off or the kind is not wanted', async () => {
    calls.length = 0;
    assert.deepEqual(await send(200, null), { sent: false, skipped: 'alerts off' });
    assert.deepEqual(await send(200, { events: ['halt'] }), { sent: false, skipped: 'alerts off' });
    assert.deepEqual(await send(200, { webhook_url: URL_WITH_TOKEN, events: ['halt'] }), { sent: false, skipped: 'kind not subscribed' });
    assert.equal(calls.length, 0);
  });

  it('posts the formatted body as JSON', async () => {
    calls.length = 0;
    assert.deepEqual(await send(204, { webhook_url: URL_WITH_TOKEN, format: 'slack' }), { sent: true, status: 204 });
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.url, URL_WITH_TOKEN);
    assert.equal(calls[0]!.init.method, 'POST');
    assert.equal((calls[0]!.init.headers as Record<string, string>)['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(String(calls[0]!.init.body)), alertBody(completed, 'slack'));
    assert.ok(calls[0]!.init.signal instanceof AbortSignal, 'with a timeout');
  });

  it('5xx, 408 and 429 fail the attempt (retried); another 4xx is refused for good; neither names the URL', async () => {
    for (const status of [500, 503, 408, 429]) {
      await assert.rejects(send(status), (error: Error) => {
        assert.ok(!(error instanceof AlertRefused), `${status} is retried`);
        assert.equal(error.message, `the alert webhook answered HTTP ${status}`);
        return true;
      });
    }
    for (const status of [400, 403, 404]) {
      await assert.rejects(send(status), (error: Error) => {
        assert.ok(error instanceof AlertRefused, `${status} is final`);
        assert.equal(error.name, 'AlertRefused');
        assert.ok(!error.message.includes('hooks.example.com'));
        return true;
      });
    }
  });

  it('a network error or a timeout says what went wrong, not where', async () => {
    const refused: typeof fetch = async (url) => {
      throw new TypeError(`fetch failed for ${String(url)}`, { cause: Object.assign(new Error(`connect ECONNREFUSED ${String(url)}`), { code: 'ECONNREFUSED' }) });
    };
    await assert.rejects(send(refused), (error: Error) => {
      assert.equal(error.message, 'the alert webhook could not be reached: ECONNREFUSED');
      return true;
    });
    const slow: typeof fetch = async () => {
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    };
    await assert.rejects(send(slow), /could not be reached: no answer within 8 s/);
  });
});
