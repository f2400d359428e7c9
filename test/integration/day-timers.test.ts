import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { createActivities } from '../../src/activities';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { memoryAccountStore } from '../support/memory-account-store';
import { parseExecutionConfig } from '../../src/config';
import { DAILY_TRADING_WORKFLOW, dailyWorkflowId } from '../../src/names';
import { accountDeps, loadSectors, WORKFLOWS_PATH } from '../../src/worker';
import { newYorkDate } from '../../src/domain/market-time';
import type { dailyTrading } from '../../src/workflows';
import { RestingBroker } from '../support/resting-broker';
import { timeSkippingServerBinary } from '../support/test-server-binary';

const HOUR = 3_600_000;

const activeAccounts = memoryAccountStore();

/** The day's durable timers under time skipping: hours of market time pass in seconds of test time. */
describe('the day\'s timers (time-skipping test server)', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundleWithSourceMap;
  before(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: timeSkippingServerBinary() } } });
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(Object.keys(SEARCH_ATTRIBUTES).map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
    });
    workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  });
  after(async () => {
    await env?.teardown();
  });

  it('waits for the open, keeps checking fills, and cancels what is unfilled 10 minutes before the close', async () => {
    const start = await env.currentTimeMs();
    const session = { openMs: start + 2 * HOUR, closeMs: start + 8.5 * HOUR };
    const broker = new RestingBroker(() => env.currentTimeMs(), session);
    const config = parseExecutionConfig({ execution: { account: 'timers' }, timing: { cancel_before_close_minutes: 10 } });
    const taskQueue = 'timers';
    const worker = await Worker.create({
      connection: env.nativeConnection, taskQueue, workflowBundle,
      activities: createActivities(accountDeps(config, { timers: broker }, activeAccounts, loadSectors())),
    });
    const wallStart = Date.now();
    const report = await worker.runUntil(env.client.workflow.execute<typeof dailyTrading>(DAILY_TRADING_WORKFLOW, {
      workflowId: dailyWorkflowId('timers', newYorkDate(session.openMs)), taskQueue,
      args: [{ account: 'timers', tradingDate: newYorkDate(session.openMs), signals: [{ symbol: 'AAPL', strength: 0.5 }, { symbol: 'MSFT', strength: 0.3 }] }],
    }));
    console.log(`timers: a ${((session.closeMs - start) / HOUR).toFixed(1)}-hour market day played in ${Date.now() - wallStart} ms`);

    assert.equal(report.status, 'completed');
    const submits = broker.events.filter((event) => event.kind === 'submit');
    const cancels = broker.events.filter((event) => event.kind === 'cancel');
    assert.equal(submits.length, 2);
    assert.ok(submits.every((event) => event.at >= session.openMs), 'nothing is submitted before the open');
    assert.equal(cancels.length, 2, 'both resting orders are cancelled');
    const cutoff = session.closeMs - 10 * 60_000;
    for (const cancel of cancels) {
      assert.ok(cancel.at >= cutoff && cancel.at < session.closeMs, `cancelled between the cutoff and the close (${new Date(cancel.at).toISOString()})`);
    }
    assert.ok(report.orders.every((order) => order.status === 'canceled'));
  });
});
