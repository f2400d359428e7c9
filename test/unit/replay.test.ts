import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
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
      const history = JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')) as unknown;
      await Worker.runReplayHistory({ workflowBundle, replayName: file }, history);
    });
  }
});

const silent = {
  log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined,
  warn: () => undefined, error: (message: string) => console.error(message),
};
