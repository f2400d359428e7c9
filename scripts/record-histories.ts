/**
 * Records the histories the replay test replays, one per path through each workflow type, run on a real Temporal
 * server and the simulator: a completed day, a second run of it (a duplicate), a day stopped by the kill switch
 * (update, with flatten) and its account's kill switch, a day of a halted account, the account's trading-state
 * workflow, and a scheduled day. Run it when workflow code changes
 * (`npm run record-histories`); old files stay, since they stand for the running workflows a change must not break.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporalAccountStateStore } from '../src/operations/account-state';
import { createTradingSchedule, deleteTradingSchedule } from '../src/operations/schedule';
import { dayResult, startDay } from '../src/operations/start-day';
import { todayInNewYork } from '../src/cli/dates';
import { accountWorkflowId, DAILY_TRADING_WORKFLOW, scheduleId } from '../src/names';
import { emergencyStopUpdate, statusQuery } from '../src/workflows/messages';
import {
  buyDollars, keyIdFor, setMarginMultiplier, simAdmin, startHarness, testConfig, uniqueAccount, withWorker, type Harness,
} from '../test/support/trading-harness';
import { slowWebhook } from '../test/support/slow-webhook';

const OUT = path.resolve(__dirname, '..', 'test', 'histories');
const SIGNALS = [{ symbol: 'AAPL', strength: 0.7 }, { symbol: 'MSFT', strength: 0.4 }, { symbol: 'KO', strength: 0.02 }];

async function main(): Promise<void> {
  const harness = await startHarness();
  const stamp = new Date().toISOString().slice(0, 16).replace(/:/g, '');
  const save = async (name: string, handle: WorkflowHandle) => {
    writeFileSync(path.join(OUT, `${stamp}-${name}.json`), historyToJSON(await handle.fetchHistory()));
    console.log(`recorded ${stamp}-${name}.json`);
  };
  try {
    const completed = uniqueAccount('rec');
    const completedDay = await runDay(harness, completed, async (handle) => {
      await dayResult(handle);
    });
    await save('completed-day', completedDay);
    await save('duplicate-day', await withWorker(harness, testConfig(completed), `q-${completed}`, async () => {
      // Started again with a client's default id-reuse policy: the account's ledger ends it as a duplicate.
      const again = await harness.client.workflow.start(DAILY_TRADING_WORKFLOW, {
        workflowId: completedDay.workflowId, taskQueue: `q-${completed}`,
        args: [{ account: completed, tradingDate: todayInNewYork(), signals: SIGNALS }],
      });
      await again.result();
      return again;
    }));

    const stopped = uniqueAccount('rec');
    await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'hold', account: keyIdFor(stopped) });
    await save('stopped-day', await runDay(harness, stopped, async (handle) => {
      while ((await handle.query(statusQuery)).phase !== 'awaiting_fills') await sleep(100);
      await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'auto', account: keyIdFor(stopped) });
      await handle.executeUpdate(emergencyStopUpdate, { args: [{ reason: 'recorded stop', flatten: true }] });
      await dayResult(handle);
    }));
    await save('account-kill-switch', harness.client.workflow.getHandle(accountWorkflowId(stopped)));

    const halted = uniqueAccount('rec');
    const store = temporalAccountStateStore(harness.client, `q-${halted}`);
    await save('halted-day', await runDay(harness, halted, async (handle) => {
      await dayResult(handle);
    }, () => store.halt(halted, 'recorded halt', 'record-histories').then(() => undefined)));
    await withWorker(harness, testConfig(halted), `q-${halted}`, () => store.resume(halted, 'record-histories'));
    await save('account-trading-state', harness.client.workflow.getHandle(accountWorkflowId(halted)));

    // A rebalance on a cash account whose XOM sale funds its buys: the second wave goes once the sale filled.
    const waves = uniqueAccount('rec');
    await setMarginMultiplier(harness.sim.url, keyIdFor(waves), '1');
    await buyDollars(harness, waves, 'XOM', 65_000);
    await save('wave-day', await withWorker(harness, testConfig(waves, {
      position_sizing: { max_trade_size: 100_000 }, risk_management: { max_order_notional: 100_000 }, timing: { max_fill_wait_minutes: 5 },
    }), `q-${waves}`, async () => {
      const handle = await startDay(harness.client, {
        account: waves, tradingDate: todayInNewYork(), mode: 'paper', taskQueue: `q-${waves}`,
        signals: [...['AAPL', 'JPM', 'KO', 'MSFT', 'PEP', 'UNH'].map((symbol) => ({ symbol, strength: 1 })), { symbol: 'XOM', strength: 0.2 }],
      });
      await dayResult(handle);
      return handle;
    }));

    // A day of 150 orders in batches: its plan's orders travel as a table, its closing answer and report as tables.
    const large = uniqueAccount('rec');
    const symbols = readFileSync(path.resolve(__dirname, '..', 'data', 'sp500-constituents.csv'), 'utf8').split('\n').slice(1)
      .map((line) => line.split(',')[0]!.trim()).filter((symbol) => /^[A-Z]+$/.test(symbol)).slice(0, 150);
    await save('large-day', await withWorker(harness, testConfig(large, {
      position_sizing: { method: 'signal_proportional', max_position_size: 0.005, fractional: true, min_trade_size: 1, rebalance_band: 0 },
      timing: { max_fill_wait_minutes: 2 },
      risk_management: { max_orders_per_day: 1000 },
    }), `q-${large}`, async () => {
      const handle = await startDay(harness.client, {
        account: large, tradingDate: todayInNewYork(), mode: 'paper', taskQueue: `q-${large}`,
        signals: symbols.map((symbol) => ({ symbol, strength: 1 })),
      });
      await dayResult(handle);
      return handle;
    }));

    // A day whose alerts go to a webhook (a local receiver): the summary alert is an activity of its own.
    const alerted = uniqueAccount('rec');
    const receiver = await slowWebhook(0);
    try {
      await save('alerted-day', await withWorker(harness, testConfig(alerted, { alerts: { webhook_url: receiver.url } }), `q-${alerted}`, async () => {
        const handle = await startDay(harness.client, { account: alerted, tradingDate: todayInNewYork(), signals: SIGNALS, mode: 'paper', taskQueue: `q-${alerted}` });
        await dayResult(handle);
        return handle;
      }));
    } finally {
      receiver.close();
    }

    // A stop that comes after the day traded, while its summary alert waits on a slow webhook: carried out late.
    const late = uniqueAccount('rec');
    const slow = await slowWebhook(3_000);
    try {
      await save('late-stop-day', await withWorker(harness, testConfig(late, { alerts: { webhook_url: slow.url } }), `q-${late}`, async () => {
        const handle = await startDay(harness.client, { account: late, tradingDate: todayInNewYork(), signals: SIGNALS, mode: 'paper', taskQueue: `q-${late}` });
        while ((await handle.query(statusQuery)).phase !== 'completed') await new Promise((resolve) => setTimeout(resolve, 100));
        await handle.executeUpdate(emergencyStopUpdate, { args: [{ reason: 'recorded: a late stop', flatten: true }] });
        await dayResult(handle);
        return handle;
      }));
    } finally {
      slow.close();
    }

    // A day that fails: its account is not one this worker trades (UnknownAccount, final); RunState becomes failed.
    const failing = uniqueAccount('rec');
    const stranger = uniqueAccount('rec');
    await save('failed-day', await withWorker(harness, testConfig(failing), `q-${failing}`, async () => {
      const handle = await startDay(harness.client, { account: stranger, tradingDate: todayInNewYork(), signals: SIGNALS, mode: 'paper', taskQueue: `q-${failing}` });
      await dayResult(handle).catch(() => undefined);
      return handle;
    }));

    // A day that fails (the broker keeps failing the account read, planning gives up) and is stopped while its failure
    // alert waits on a slow webhook: the stop is carried out beside the cleanup, and the day still fails.
    const failingStopped = uniqueAccount('rec');
    const slowAlerts = await slowWebhook(3_000);
    await simAdmin(harness, 'POST', '/admin/faults', { route: 'GET /v2/account', kind: 'error-500', count: 0 });
    try {
      const config = testConfig(failingStopped, { alerts: { webhook_url: slowAlerts.url } });
      await save('failed-stop-day', await withWorker(harness, config, `q-${failingStopped}`, async () => {
        const handle = await startDay(harness.client, { account: failingStopped, tradingDate: todayInNewYork(), signals: SIGNALS, mode: 'paper', taskQueue: `q-${failingStopped}` });
        while (!slowAlerts.received.some((body) => body.includes('"failure"'))) await sleep(100);
        await simAdmin(harness, 'DELETE', '/admin/faults');
        await handle.executeUpdate(emergencyStopUpdate, { args: [{ reason: 'recorded: a stop as the day fails', flatten: true }] });
        await dayResult(handle).catch(() => undefined);
        return handle;
      }));
    } finally {
      await simAdmin(harness, 'DELETE', '/admin/faults');
      slowAlerts.close();
    }

    // A day whose equity falls through max_daily_loss while its orders rest: REDUCING, buys cancelled, account halted.
    const losing = uniqueAccount('rec');
    const aapl = await buyDollars(harness, losing, 'AAPL', 50_000);
    await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'hold', account: keyIdFor(losing) });
    try {
      await save('daily-loss-day', await withWorker(harness, testConfig(losing, {
        risk_management: { on_daily_loss_breach: 'REDUCING', halt_account_on_daily_loss: true },
        position_sizing: { max_position_size: 0.05, max_trade_size: 5_000 }, timing: { max_fill_wait_minutes: 1 },
      }), `q-${losing}`, async () => {
        const handle = await startDay(harness.client, {
          account: losing, tradingDate: todayInNewYork(), mode: 'paper', taskQueue: `q-${losing}`,
          signals: [{ symbol: 'XOM', strength: 1 }, { symbol: 'JNJ', strength: 1 }, { symbol: 'AAPL', strength: 0.2 }],
        });
        while ((await handle.query(statusQuery)).phase !== 'awaiting_fills') await sleep(100);
        await simAdmin(harness, 'POST', '/admin/prices', { symbol: 'AAPL', price: Math.round(aapl * 80) / 100 });
        while ((await handle.query(statusQuery)).tradingState !== 'REDUCING') await sleep(100);
        await sleep(1000);
        await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'auto', account: keyIdFor(losing) });
        await dayResult(handle);
        return handle;
      }));
    } finally {
      await simAdmin(harness, 'POST', '/admin/prices', { symbol: 'AAPL', price: null });
    }

    const scheduled = uniqueAccount('rec');
    const dir = mkdtempSync(path.join(tmpdir(), 'record-'));
    writeFileSync(path.join(dir, `${todayInNewYork()}.json`), JSON.stringify({ AAPL: 0.5 }));
    await createTradingSchedule(harness.client, {
      account: scheduled, mode: 'paper', cron: '35 9 * * 1-5', timezone: 'America/New_York', taskQueue: `q-${scheduled}`,
      source: 'recorded',
    });
    try {
      const sources = { signal_sources: { recorded: { file: path.join(dir, '{date}.json') } } };
      const launcher = await withWorker(harness, testConfig(scheduled, sources), `q-${scheduled}`, async () => {
        const schedule = harness.client.schedule.getHandle(scheduleId(scheduled));
        await schedule.trigger();
        for (;;) {
          const run = (await schedule.describe()).info.recentActions[0];
          if (run) {
            const handle = harness.client.workflow.getHandle(run.action.workflow.workflowId);
            await handle.result();
            return handle;
          }
          await sleep(100);
        }
      });
      await save('scheduled-day', launcher);
    } finally {
      await deleteTradingSchedule(harness.client, scheduled);
    }
  } finally {
    await harness.close();
  }
}

/** Starts a day for `account` on its own task queue and lets `drive` take it to its end under a worker. */
async function runDay(
  harness: Harness, account: string, drive: (handle: WorkflowHandle) => Promise<void>, before?: () => Promise<void>,
): Promise<WorkflowHandle> {
  return withWorker(harness, testConfig(account, { timing: { max_fill_wait_minutes: 5 } }), `q-${account}`, async () => {
    await before?.();
    const handle = await startDay(harness.client, { account, tradingDate: todayInNewYork(), signals: SIGNALS, mode: 'paper', taskQueue: `q-${account}` });
    await drive(handle);
    return handle;
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
