import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { RequestBudget } from '../../src/broker/request-budget';

describe('RequestBudget (a rolling minute per account key)', () => {
  it('lets the budget through at once, then holds the next request until the oldest answer is 60 s old', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    try {
      const budget = new RequestBudget(3);
      // Three requests answered at t = 0, 1,000 and 2,000 ms.
      for (const at of [0, 1_000, 2_000]) {
        mock.timers.tick(at - Date.now());
        (await budget.acquire())();
      }
      let fourth = false;
      const waiting = budget.acquire().then((release) => {
        fourth = true;
        release();
      });
      mock.timers.tick(57_999); // t = 59,999: the answer of t = 0 is still inside the minute
      await Promise.resolve();
      assert.equal(fourth, false);
      mock.timers.tick(2); // t = 60,001: it has left the window
      await waiting;
      assert.equal(fourth, true);
      // It asked at 2,000 and got its slot at 60,001: the window (0, 60,000] still held 3.
      assert.deepEqual(budget.pacing(), { perMinute: 3, requests: 4, delayed: 1, waitedMs: 58_001, maxWaitMs: 58_001 });
    } finally {
      mock.timers.reset();
    }
  });

  it('counts requests in flight: never more than the budget at once, whatever their speed', async () => {
    const budget = new RequestBudget(2);
    const first = await budget.acquire();
    await budget.acquire();
    let third = false;
    const pending = budget.acquire().then(() => {
      third = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(third, false, 'two in flight fill a budget of two');
    first();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(third, false, 'an answered request still counts for 60 s');
    assert.equal(budget.pacing().requests, 2);
    void pending;
  });

  it('refuses a budget that is not a positive whole number', () => {
    assert.throws(() => new RequestBudget(0), /positive integer/);
    assert.throws(() => new RequestBudget(1.5), /positive integer/);
  });
});
