/** The day's progress while `tradeflow run --wait` waits: a redrawn status on a terminal, plain lines otherwise. */
import type { Client } from '@temporalio/client';
import type { DayStatus } from '../contracts/day';
import { statusQuery } from '../workflows/messages';
import { orderCounts } from '../domain/order-counts';
import { statusText } from './report';

const INTERVAL_MS = 1_000;
const QUERY_WAIT_MS = 2_000;

export interface Progress {
  /** Stops following and waits for the query in flight, so the client can close. */
  stop(): Promise<void>;
}

/** Follows the day by its status query until stopped; a query that fails (no worker yet) is skipped quietly. */
export function followProgress(client: Client, workflowId: string, out: NodeJS.WriteStream = process.stderr): Progress {
  let stopped = false;
  let wake: (() => void) | null = null;
  const terminal = out.isTTY === true;
  const loop = (async () => {
    let last = '';
    while (!stopped) {
      try {
        const status = await queryDayStatus(client, workflowId, QUERY_WAIT_MS);
        const text = terminal ? statusText(status) : progressLine(status);
        if (terminal) out.write(`\x1b[H\x1b[2J${text}\n`);
        else if (text !== last) out.write(`${text}\n`);
        last = text;
      } catch {
        // No worker has answered yet: the next round asks again.
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, INTERVAL_MS);
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}

/** `awaiting_fills: 2 orders: 2 sent (1 filled, 1 open), 0 never sent` (and why it waits, when it does). */
export function progressLine(status: DayStatus): string {
  return `${status.phase}${status.paused ? ' (paused)' : ''}: ${orderCounts(status.orders)}${status.reason ? `; ${status.reason}` : ''}`;
}

/** The day's status query, given up after `waitMs` (a running day answers only through a worker). */
export function queryDayStatus(client: Client, workflowId: string, waitMs: number): Promise<DayStatus> {
  return client.connection.withDeadline(Date.now() + waitMs, () => client.workflow.getHandle(workflowId).query(statusQuery));
}
