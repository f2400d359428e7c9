import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayInputProblems, parseDayInput } from '../../src/domain/day-input';
import { lastSubmitTime, sessionRefusal } from '../../src/domain/session';
import { DEFAULT_STOP_REASON, readStopRequest } from '../../src/domain/stop-request';

describe('a stop request is read from any payload', () => {
  it('takes a bare string as the reason', () => {
    assert.deepEqual(readStopRequest('desk says stop'), { reason: 'desk says stop', flatten: false, problem: null });
  });

  it('gives anything else a default reason and says what was wrong', () => {
    for (const payload of [undefined, null, 42, [], {}, { reason: 7 }, { reason: '  ' }, '']) {
      const request = readStopRequest(payload);
      assert.equal(request.reason, DEFAULT_STOP_REASON, JSON.stringify(payload));
      assert.equal(request.flatten, false);
      assert.ok(request.problem, `a problem is named for ${JSON.stringify(payload)}`);
    }
  });

  it('flattens only on a real true', () => {
    assert.equal(readStopRequest({ reason: 'x', flatten: true }).flatten, true);
    assert.equal(readStopRequest({ reason: 'x', flatten: 'yes' }).flatten, false);
    assert.match(readStopRequest({ reason: 'x', flatten: 'yes' }).problem ?? '', /flatten/);
  });
});

describe('the day input is checked whole', () => {
  const valid = { account: 'main', tradingDate: '2026-12-01', signals: [{ symbol: 'AAPL', strength: 0.5 }] };

  it('accepts a valid input', () => {
    assert.equal(dayInputProblems(valid), null);
  });

  it('names every bad field', () => {
    const problems = dayInputProblems({ tradingDate: '2026-02-30', signals: [] }) ?? [];
    assert.ok(problems.some((problem) => problem.startsWith('account:')), problems.join('; '));
    assert.ok(problems.some((problem) => problem.startsWith('tradingDate:') && /calendar/.test(problem)), problems.join('; '));
    assert.ok(problems.some((problem) => problem.startsWith('signals:')), problems.join('; '));
  });

  it('refuses a datetime for the date and an account name that cannot be an id', () => {
    assert.match((dayInputProblems({ ...valid, tradingDate: '2026-12-01T09:30:00Z' }) ?? []).join(), /tradingDate/);
    assert.match((dayInputProblems({ ...valid, account: 'Main Account' }) ?? []).join(), /account/);
    assert.match((dayInputProblems(null) ?? []).join(), /input/);
  });
});

describe('no order outside its session', () => {
  const clock = (timestamp: string, isOpen = true) => ({ timestamp, isOpen, nextOpen: '2026-12-02T14:30:00Z', nextClose: '2026-12-01T21:00:00Z' });
  const notAfter = lastSubmitTime('2026-12-01T21:00:00Z', 10);

  it('computes the last submit time from the close and the margin', () => {
    assert.equal(notAfter, '2026-12-01T20:50:00.000Z');
  });

  it('allows an open session on the trading date before the last submit time', () => {
    assert.equal(sessionRefusal(clock('2026-12-01T15:00:00Z'), '2026-12-01', notAfter), null);
  });

  it('refuses another date, a closed market, and the margin before the close', () => {
    assert.match(sessionRefusal(clock('2026-12-02T15:00:00Z'), '2026-12-01', notAfter) ?? '', /2026-12-02/);
    assert.match(sessionRefusal(clock('2026-12-01T22:00:00Z', false), '2026-12-01', notAfter) ?? '', /closed/);
    assert.match(sessionRefusal(clock('2026-12-01T20:55:00Z'), '2026-12-01', notAfter) ?? '', /last submit time/);
  });
});

describe('the stop command\'s answer timeout', () => {
  it('reads plain seconds and durations with a unit', async () => {
    const { durationOption } = await import('../../src/cli/options');
    assert.equal(durationOption('20', '--answer-timeout'), 20_000);
    assert.equal(durationOption('20s', '--answer-timeout'), 20_000);
    assert.equal(durationOption('1m', '--answer-timeout'), 60_000);
    assert.equal(durationOption('500ms', '--answer-timeout'), 500);
    assert.equal(durationOption(20, '--answer-timeout'), 20_000);
  });

  it('names the option on a bad value', async () => {
    const { durationOption } = await import('../../src/cli/options');
    for (const bad of ['soon', '-5', '0', '2h']) assert.throws(() => durationOption(bad, '--answer-timeout'), /--answer-timeout/);
  });
});

describe('the day input takes the signal file\'s map form too', () => {
  it('turns {"AAPL": 0.8} into the list, in order', () => {
    const result = parseDayInput({ account: 'main', tradingDate: '2026-12-01', signals: { AAPL: 0.8, MSFT: -0.6 } });
    assert.ok(result.ok);
    assert.deepEqual(result.input.signals, [{ symbol: 'AAPL', strength: 0.8 }, { symbol: 'MSFT', strength: -0.6 }]);
  });

  it('names a bad entry of the map by its symbol', () => {
    const result = parseDayInput({ account: 'main', tradingDate: '2026-12-01', signals: { AAPL: 0.8, MSFT: 7 } });
    assert.ok(!result.ok);
    assert.match(result.problems.join(), /signals\."MSFT"\.strength: strength must be between -1 and 1/);
  });

  it('refuses more signals than the limit', () => {
    const signals = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`S${String.fromCharCode(65 + (i % 26))}${i.toString(36).toUpperCase().replace(/[0-9]/g, (d) => String.fromCharCode(75 + Number(d)))}`, 0.1]));
    const result = parseDayInput({ account: 'main', tradingDate: '2026-12-01', signals });
    assert.ok(!result.ok);
    assert.match(result.problems.join(), /at most 10000 signals/);
  });
});

describe('the published JSON Schema of the day\'s input', () => {
  it('is the one the zod schema generates (run npm run json-schema after changing it)', async () => {
    const { readFileSync } = await import('node:fs');
    const path = await import('node:path');
    const { dayInputJsonSchemaText } = await import('../../src/domain/day-input-json-schema');
    const published = readFileSync(path.resolve(__dirname, '..', '..', 'schemas', 'daily-trading-input.schema.json'), 'utf8');
    assert.equal(published, dayInputJsonSchemaText());
  });
});
