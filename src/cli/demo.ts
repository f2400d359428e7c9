import { createServer } from 'node:net';
import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { startSimulator } from 'alpaca-sim';
import { createAlpacaBroker } from '../broker/alpaca';
import { temporalAccountStateStore } from '../operations/account-state';
import { dayResult, startDay } from '../operations/start-day';
import { PROJECT_ROOT } from '../config';
import { DEFAULT_TASK_QUEUE } from '../names';
import { findFreePort, startDevServer } from '../temporal/dev-server';
import { statusQuery } from '../workflows/messages';
import type { DayStatus } from '../contracts/day';
import { createTradingWorker, singleAccountDeps } from '../worker';
import { configOrExit } from './context';
import { todayInNewYork } from './dates';
import { reportText } from './report';
import { readSignalFile } from './signal-file';

const DEMO_KEY = { keyId: 'DEMO-ACCOUNT', secretKey: 'demo-secret' };

/** `tradeflow demo` (`npm start`): a whole day on a local dev server, the simulator and an in-process worker. */
export async function demoCommand(options: { keep?: boolean; signals?: string }): Promise<void> {
  const config = configOrExit();
  const signalsFile = options.signals ?? path.join(PROJECT_ROOT, 'config', 'sample-signals.json');
  const signals = readSignalFile(signalsFile);
  const step = (text: string) => console.log(`» ${text}`);
  // The worker's own INFO lines (bundling, state changes) would bury the demo's progress.
  Runtime.install({ logger: new DefaultLogger('WARN') });

  step('starting the Temporal dev server');
  const port = await portOr(7233);
  const server = await startDevServer({ port, uiPort: await portOr(8233) });
  const cleanup: Array<() => Promise<void>> = [() => server.stop()];
  try {
    step(`Temporal at ${server.address}, UI at ${server.uiUrl}`);
    const sim = await startSimulator({ port: await portOr(8900) });
    cleanup.unshift(() => sim.close());
    step(`simulator at ${sim.url}`);

    const broker = createAlpacaBroker({ ...DEMO_KEY, tradingUrl: sim.url, dataUrl: sim.url });
    const workerConnection = await NativeConnection.connect({ address: server.address });
    cleanup.unshift(() => workerConnection.close());
    const connection = await Connection.connect({ address: server.address });
    cleanup.unshift(() => connection.close());
    const client = new Client({ connection, namespace: server.namespace });
    const worker = await createTradingWorker({
      connection: workerConnection, namespace: server.namespace, taskQueue: DEFAULT_TASK_QUEUE,
      deps: singleAccountDeps(config, broker, temporalAccountStateStore(client, DEFAULT_TASK_QUEUE)),
    });

    const tradingDate = todayInNewYork();
    step(`worker up; running ${config.execution.account} on ${tradingDate} with ${signals.length} signals from ${path.basename(signalsFile)}`);
    const report = await worker.runUntil(async () => {
      const handle = await startDay(client, {
        account: config.execution.account, tradingDate, signals, mode: config.execution.mode,
        taskQueue: DEFAULT_TASK_QUEUE, source: path.basename(signalsFile),
      });
      const progress = followProgress(() => handle.query(statusQuery), step);
      try {
        return await dayResult(handle);
      } finally {
        await progress.stop();
      }
    });
    console.log('\n' + reportText(report));
    console.log(`\nSee the day in the Temporal UI: ${server.uiUrl}/namespaces/${server.namespace}/workflows/${report.workflowId}`);
    if (options.keep) {
      console.log(`Keeping the server and the simulator up (TEMPORAL_ADDRESS=${server.address}, simulator ${sim.url}); Ctrl-C to stop.`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
  } finally {
    for (const stop of cleanup) await stop().catch(() => undefined);
  }
}

/** Prints phase changes and order counts while the day runs. */
function followProgress(read: () => Promise<DayStatus>, print: (line: string) => void): { stop(): Promise<void> } {
  let last = '';
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = read().then((status) => {
      const filled = status.orders.filter((order) => order.status === 'filled').length;
      const line = `${status.phase.replace(/_/g, ' ')}: ${status.orders.length} orders, ${filled} filled, ${status.rejected.length} rejected`;
      if (line !== last) print(line);
      last = line;
    }, () => undefined);
  }, 300);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}

/** The preferred port when free, else any free one. */
async function portOr(preferred: number): Promise<number> {
  const free = await new Promise<boolean>((resolve) => {
    const probe = createServer().once('error', () => resolve(false)).listen(preferred, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
  return free ? preferred : findFreePort();
}
