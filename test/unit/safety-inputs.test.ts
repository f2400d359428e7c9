import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayInputProblems } from '../../src/domain/day-input';
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
    const { durationOption } = await import('../../src/cli/commands');
    assert.equal(durationOption('20', '--answer-timeout'), 20_000);
    assert.equal(durationOption('20s', '--answer-timeout'), 20_000);
    assert.equal(durationOption('1m', '--answer-timeout'), 60_000);
    assert.equal(durationOption('500ms', '--answer-timeout'), 500);
    assert.equal(durationOption(20, '--answer-timeout'), 20_000);
  });

  it('names the option on a bad value', async () => {
    const { durationOption } = await import('../../src/cli/commands');
    for (const bad of ['soon', '-5', '0', '2h']) assert.throws(() => durationOption(bad, '--answer-timeout'), /--answer-timeout/);
  });
});
