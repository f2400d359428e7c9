/**
 * Records the histories the replay test replays: a completed day and an emergency-stopped day, run on a real
 * Temporal server and the simulator. Run it when a workflow change is meant to be incompatible (a new workflow
 * type or a patched() branch): `node --import tsx scripts/record-histories.ts`. Old files stay: they are the
 * running workflows a change must not break.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { dayResult, startDay } from '../src/client/start-day';
import { todayInNewYork } from '../src/cli/dates';
import { emergencyStopSignal, statusQuery } from '../src/workflows/messages';
import { simAdmin, startHarness, testConfig, uniqueAccount, withWorker } from '../test/support/trading-harness';

const OUT = path.resolve(__dirname, '..', 'test', 'histories');

async function main(): Promise<void> {
  const harness = await startHarness();
  const stamp = new Date().toISOString().slice(0, 16).replace(/:/g, '');
  try {
    const signals = [{ symbol: 'AAPL', strength: 0.7 }, { symbol: 'MSFT', strength: 0.4 }, { symbol: 'KO', strength: 0.02 }];
    const account = uniqueAccount('rec');
    const completed = await withWorker(harness, testConfig(account), `q-${account}`, async () => {
      const handle = await startDay(harness.client, { account, tradingDate: todayInNewYork(), signals, mode: 'paper', taskQueue: `q-${account}` });
      await dayResult(handle);
      return handle;
    });
    writeFileSync(path.join(OUT, `${stamp}-completed-day.json`), historyToJSON(await completed.fetchHistory()));

    const stoppedAccount = uniqueAccount('rec');
    await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'hold' });
    const stopped = await withWorker(harness, testConfig(stoppedAccount, { timing: { max_fill_wait_minutes: 5 } }), `q-${stoppedAccount}`, async () => {
      const handle = await startDay(harness.client, { account: stoppedAccount, tradingDate: todayInNewYork(), signals, mode: 'paper', taskQueue: `q-${stoppedAccount}` });
      while ((await handle.query(statusQuery)).phase !== 'awaiting_fills') await new Promise((resolve) => setTimeout(resolve, 200));
      await handle.signal(emergencyStopSignal, { reason: 'recorded stop', flatten: true });
      await dayResult(handle);
      return handle;
    });
    await simAdmin(harness, 'POST', '/admin/fill-mode', { mode: 'auto' });
    writeFileSync(path.join(OUT, `${stamp}-stopped-day.json`), historyToJSON(await stopped.fetchHistory()));
    console.log(`recorded 2 histories in ${OUT}`);
  } finally {
    await harness.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
