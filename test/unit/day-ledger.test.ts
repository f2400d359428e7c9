import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DayLedger } from '../../src/domain/day-ledger';

const NOW = '2026-12-01T14:00:00.000Z';
const day = (runId: string, tradingDate = '2026-12-01') => ({ tradingDate, workflowId: `trading-main-${tradingDate}`, runId });

describe('the day ledger: a date trades once', () => {
  it('grants a new date, and the same run again (a retried claim)', () => {
    const ledger = new DayLedger();
    assert.deepEqual(ledger.claim(day('r1'), false, NOW), { granted: true, generation: 1, resumedFrom: null });
    assert.deepEqual(ledger.claim(day('r1'), false, NOW), { granted: true, generation: 1, resumedFrom: null });
    assert.equal(ledger.trading().length, 1);
  });

  it('refuses a second run of a completed or stopped date and points to the first', () => {
    for (const status of ['completed', 'stopped'] as const) {
      const ledger = new DayLedger();
      ledger.claim(day('r1'), false, NOW);
      ledger.finish('2026-12-01', 'r1', status, NOW);
      const answer = ledger.claim(day('r2'), false, NOW);
      assert.equal(answer.granted, false);
      assert.ok(!answer.granted && answer.refusal === 'duplicate' && answer.firstRun.runId === 'r1' && answer.firstRun.status === status);
    }
  });

  it('refuses a duplicate even while the account is halted, and says halted for a new date', () => {
    const ledger = new DayLedger();
    ledger.claim(day('r1'), false, NOW);
    ledger.finish('2026-12-01', 'r1', 'completed', NOW);
    const duplicate = ledger.claim(day('r2'), true, NOW);
    assert.ok(!duplicate.granted && duplicate.refusal === 'duplicate');
    const halted = ledger.claim(day('r3', '2026-12-02'), true, NOW);
    assert.ok(!halted.granted && halted.refusal === 'halted');
    assert.equal(ledger.get('2026-12-02'), null, 'a refused claim records nothing');
  });

  it('lets a new run resume a date whose run failed or died, with the next generation', () => {
    const failed = new DayLedger();
    failed.claim(day('r1'), false, NOW);
    failed.finish('2026-12-01', 'r1', 'failed', NOW);
    const resumed = failed.claim(day('r2'), false, NOW);
    assert.ok(resumed.granted && resumed.generation === 2 && resumed.resumedFrom?.runId === 'r1');

    const died = new DayLedger();
    died.claim(day('r1'), false, NOW);
    const afterCrash = died.claim(day('r2'), false, NOW);
    assert.ok(afterCrash.granted && afterCrash.generation === 2, 'a run that never reported is resumable');
  });

  it('lets a date that placed no order (halted, market closed) run again in the same generation', () => {
    const ledger = new DayLedger();
    ledger.claim(day('r1'), false, NOW);
    ledger.finish('2026-12-01', 'r1', 'untraded', NOW);
    assert.deepEqual(ledger.claim(day('r2'), false, NOW), { granted: true, generation: 1, resumedFrom: null });
  });

  it('ignores the report of a run that no longer holds its date, and keeps a stopped day stopped', () => {
    const ledger = new DayLedger();
    ledger.claim(day('r1'), false, NOW);
    ledger.claim(day('r2'), false, NOW);
    assert.equal(ledger.finish('2026-12-01', 'r1', 'completed', NOW), null);
    ledger.finish('2026-12-01', 'r2', 'stopped', NOW);
    assert.equal(ledger.finish('2026-12-01', 'r2', 'failed', NOW)?.status, 'stopped');
  });

  it('keeps the newest days across continue-as-new', () => {
    const ledger = new DayLedger();
    for (let i = 1; i <= 30; i++) ledger.claim(day(`r${i}`, `2026-01-${String(i).padStart(2, '0')}`), false, NOW);
    const kept = ledger.records(10);
    assert.equal(kept.length, 10);
    assert.equal(kept[0]!.tradingDate, '2026-01-21');
    assert.equal(new DayLedger(kept).get('2026-01-30')?.runId, 'r30');
  });
});
