import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import {
  ACCOUNT_TRADING_STATE_WORKFLOW, accountWorkflowId, DAILY_TRADING_WORKFLOW, dailyWorkflowId,
} from '../../src/names';
import { WORKFLOWS_PATH } from '../../src/worker';

const HISTORIES = path.resolve(__dirname, '..', 'histories');

/** Recorded histories of real runs replay against the current workflow code: a non-determinism fails here. */
describe('replay of recorded histories', () => {
  const files = readdirSync(HISTORIES).filter((file) => file.endsWith('.json')).sort();
  let workflowBundle: WorkflowBundleWithSourceMap;
  before(async () => {
    workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: silent });
  });

  it('has recorded histories to replay', () => {
    assert.ok(files.length > 0, 'test/histories holds at least one history (scripts/record-histories.ts)');
  });

  for (const file of files) {
    it(`replays ${file}`, async () => {
      const history = JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')) as RecordedHistory;
      await Worker.runReplayHistory({ workflowBundle, replayName: file }, history, workflowIdOf(history));
    });
  }
});

interface RecordedHistory {
  events: Array<{ workflowExecutionStartedEventAttributes?: { workflowType: { name: string }; input?: { payloads?: Array<{ data: string }> } } }>;
}

/**
 * The workflow id the run had: workflows derive client order ids from it, so a replay under another id would
 * diverge. A history holds no id of its own, but each of our ids is a business key built from the input.
 */
function workflowIdOf(history: RecordedHistory): string {
  const started = history.events[0]?.workflowExecutionStartedEventAttributes;
  const data = started?.input?.payloads?.[0]?.data;
  if (!started || !data) throw new Error('a recorded history starts with WorkflowExecutionStarted and its input');
  const input = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { account: string; tradingDate?: string };
  switch (started.workflowType.name) {
    case DAILY_TRADING_WORKFLOW: return dailyWorkflowId(input.account, input.tradingDate!);
    case ACCOUNT_TRADING_STATE_WORKFLOW: return accountWorkflowId(input.account);
    default: return `replay-${started.workflowType.name}-${input.account}`;
  }
}

const silent = {
  log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined,
  warn: () => undefined, error: (message: string) => console.error(message),
};
