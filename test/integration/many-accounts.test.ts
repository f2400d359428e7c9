import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dayResult, startDay } from '../../src/operations/start-day';
import { todayInNewYork } from '../../src/cli/dates';
import { dailyWorkflowId } from '../../src/names';
import {
  simBroker, simOrderLog, startHarness, testConfig, uniqueAccount, withAccountsWorker, type Harness,
} from '../support/trading-harness';

const ACCOUNTS = 20;

describe('many accounts on one worker', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness?.close();
  });

  it(`trades ${ACCOUNTS} accounts on the same day, each its own workflow and broker account`, async () => {
    const accounts = Array.from({ length: ACCOUNTS }, () => uniqueAccount('m'));
    const config = testConfig(accounts[0]!);
    const brokers = Object.fromEntries(accounts.map((account) => [account, simBroker(harness, account)]));
    const taskQueue = `q-many-${accounts[0]}`;
    const tradingDate = todayInNewYork();
    const started = Date.now();
    const reports = await withAccountsWorker(harness, config, brokers, taskQueue, async () => {
      const handles = await Promise.all(accounts.map((account, index) => startDay(harness.client, {
        account, tradingDate, mode: 'paper', taskQueue,
        signals: [{ symbol: 'AAPL', strength: 0.5 }, { symbol: index % 2 === 0 ? 'MSFT' : 'JPM', strength: 0.4 }],
      })));
      return Promise.all(handles.map((handle) => dayResult(handle)));
    });
    console.log(`many accounts: ${ACCOUNTS} days completed in ${Date.now() - started} ms on one worker`);

    for (const [index, report] of reports.entries()) {
      const account = accounts[index]!;
      assert.equal(report.workflowId, dailyWorkflowId(account, tradingDate));
      assert.equal(report.status, 'completed', `${account}: ${report.reason}`);
      assert.equal(report.orders.length, 2);
      const log = await simOrderLog(harness, account);
      assert.equal(log.length, 2, `${account} sent exactly its own two orders`);
      const positions = await brokers[account]!.getPositions();
      assert.deepEqual(positions.map((p) => p.symbol).sort(), report.orders.map((o) => o.symbol).sort());
    }
  });
});
