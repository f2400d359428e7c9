import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { todayInNewYork } from '../../src/cli/dates';
import { dailyWorkflowId, TRADING_ACCOUNT, TRADING_DATE, TRADING_MODE } from '../../src/names';
import { simOrderLog, startHarness, testConfig, uniqueAccount, withWorker, type Harness } from '../support/trading-harness';

/**
 * The README's Python example (examples/start_day.py, official Temporal Python SDK from PyPI) against the dev
 * server and a real worker: a signal job in another language starts the day, gets its report, and cannot start it twice.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const INSTALL = path.join(ROOT, 'scripts', 'install-python-client.sh');
const EXAMPLE = path.join(ROOT, 'examples', 'start_day.py');
const PYTHON = process.env.PYTHON || 'python3';

interface Run { code: number; stdout: string; stderr: string }

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      // A process killed by a signal (a timeout, an abort) has no exit code: count it as 1 and say which signal.
      const signal = error?.signal ? `\n[${command} was killed by ${error.signal}]` : '';
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr: stderr + signal });
    });
  });
}

describe('starting a day from Python with the official Temporal SDK (examples/start_day.py)', () => {
  let harness: Harness;
  let dir: string;
  let clientDir: string;
  let account: string;

  before(async () => {
    const probe = spawnSync(PYTHON, ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      throw new Error(`${PYTHON} is needed for this test (the Python example of the README) but does not run: `
        + `${probe.error?.message ?? probe.stderr}. Install Python 3.10+ with pip (Debian: apt-get install python3 python3-pip)`);
    }
    // Installs temporalio into tools/python-client once (a no-op afterwards); .ci/run has done it already.
    const install = await run('bash', [INSTALL], { ...process.env, PYTHON }, 600_000);
    process.stderr.write(install.stderr);
    assert.equal(install.code, 0, `scripts/install-python-client.sh failed:\n${install.stderr}`);
    const lines = install.stdout.trim().split('\n');
    assert.equal(lines.length, 1, `the install prints only its folder on stdout, got:\n${install.stdout}`);
    clientDir = lines[0]!;
    harness = await startHarness();
    dir = mkdtempSync(path.join(tmpdir(), 'tradeflow-python-'));
  });
  after(async () => {
    await harness?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function startDay(args: string[]): Promise<Run> {
    const env: NodeJS.ProcessEnv = {
      ...process.env, PYTHONPATH: clientDir, PYTHONDONTWRITEBYTECODE: '1',
      TEMPORAL_ADDRESS: harness.temporal.address, TEMPORAL_NAMESPACE: harness.temporal.namespace,
    };
    delete env.TRADEFLOW_TASK_QUEUE;
    return run(PYTHON, [EXAMPLE, ...args], env, 120_000);
  }

  function signalFile(name: string, signals: unknown): string {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify(signals));
    return file;
  }

  it('starts the day from a {"SYMBOL": strength} file, waits, and prints the report as JSON', async () => {
    account = uniqueAccount('p');
    const signals = signalFile(`${account}.json`, { AAPL: 0.5, MSFT: 0.3 });
    const result = await withWorker(harness, testConfig(account), `q-${account}`, () => startDay([
      '--account', account, '--task-queue', `q-${account}`, '--signals', signals, '--wait',
    ]));
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { workflowId: string; tradingDate: string; status: string; orders: unknown[] };
    assert.equal(report.status, 'completed');
    assert.equal(report.orders.length, 2);
    assert.equal(report.workflowId, `trading-${account}-${report.tradingDate}`);
    assert.equal((await simOrderLog(harness, account)).length, 2);

    // The typed search attributes the Python SDK set are the ones tradeflow's own client sets.
    const attributes = (await harness.client.workflow.getHandle(report.workflowId).describe()).typedSearchAttributes;
    assert.equal(attributes.get(TRADING_ACCOUNT), account);
    assert.equal(attributes.get(TRADING_DATE), report.tradingDate);
    assert.equal(attributes.get(TRADING_MODE), 'paper');
  });

  it('refuses a second start of the same account and date with exit 3, and trades nothing more', async () => {
    assert.ok(account, 'needs the day of the previous test');
    const signals = signalFile(`${account}-again.json`, { AAPL: 0.5, MSFT: 0.3 });
    const again = await startDay(['--account', account, '--task-queue', `q-${account}`, '--signals', signals, '--wait']);
    assert.equal(again.code, 3, again.stderr);
    assert.match(again.stderr, new RegExp(`trading-${account}-\\d{4}-\\d{2}-\\d{2}`));
    assert.equal(again.stdout, '');
    assert.equal((await simOrderLog(harness, account)).length, 2);
  });

  it('the Python SDK with its defaults (an id and a task queue, nothing else): two starts at once trade once, a start after the day ends trades nothing', async () => {
    const bare = uniqueAccount('p');
    const tradingDate = todayInNewYork();
    const input = { account: bare, tradingDate, signals: { AAPL: 0.5, MSFT: 0.3, XOM: 0.2 } };
    // No reuse or conflict policy, no search attributes, no memo: what a quant's own script would write.
    const script = `
import asyncio, json, os, sys
from temporalio.client import Client

async def main():
    client = await Client.connect(os.environ["TEMPORAL_ADDRESS"], namespace=os.environ["TEMPORAL_NAMESPACE"])
    day, workflow_id, task_queue = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]

    async def start_and_wait():
        try:
            handle = await client.start_workflow("dailyTrading", day, id=workflow_id, task_queue=task_queue)
            return await handle.result()
        except Exception as error:
            return {"error": type(error).__name__}

    print(json.dumps(await asyncio.gather(start_and_wait(), start_and_wait())))
    print(json.dumps(await start_and_wait()))

asyncio.run(main())
`;
    const workflowId = dailyWorkflowId(bare, tradingDate);
    const env: NodeJS.ProcessEnv = {
      ...process.env, PYTHONPATH: clientDir, PYTHONDONTWRITEBYTECODE: '1',
      TEMPORAL_ADDRESS: harness.temporal.address, TEMPORAL_NAMESPACE: harness.temporal.namespace,
    };
    const result = await withWorker(harness, testConfig(bare), `q-${bare}`,
      () => run(PYTHON, ['-c', script, JSON.stringify(input), workflowId, `q-${bare}`], env, 180_000));
    assert.equal(result.code, 0, result.stderr);
    const [racing, after] = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown);
    const [first, second] = racing as Array<{ status?: string; orders?: unknown[]; error?: string }>;
    const traded = [first, second].filter((outcome) => outcome!.status === 'completed');
    assert.equal(traded.length, 1, `one of the racing starts trades: ${JSON.stringify(racing)}`);
    const other = [first, second].find((outcome) => outcome !== traded[0])!;
    assert.ok(other.error === 'WorkflowAlreadyStartedError' || other.status === 'duplicate', `the other start is refused: ${JSON.stringify(other)}`);
    assert.equal((after as { status: string }).status, 'duplicate', 'a start after the day completed ends as a duplicate');

    // The broker's own records: the day's orders, once each, and nothing from the later start.
    const orders = await simOrderLog(harness, bare);
    assert.equal(orders.length, traded[0]!.orders!.length);
    assert.equal(new Set(orders.map((order) => order.symbol)).size, orders.length, 'no symbol ordered twice');
    // The workflow gave the bare start its own search attributes.
    const attributes = (await harness.client.workflow.getHandle(workflowId).describe()).typedSearchAttributes;
    assert.equal(attributes.get(TRADING_ACCOUNT), bare);
    assert.equal(attributes.get(TRADING_DATE), tradingDate);
  });

  it('exits 1 with the failure message when the workflow refuses the input, and exits 2 on an unreadable file', async () => {
    const other = uniqueAccount('p');
    const signals = signalFile(`${other}.json`, { AAPL: 7 });
    const refused = await withWorker(harness, testConfig(other), `q-${other}`, () => startDay([
      '--account', other, '--task-queue', `q-${other}`, '--signals', signals, '--wait',
    ]));
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /failed: .*signals.*between -1 and 1/);
    assert.equal((await simOrderLog(harness, other)).length, 0);

    const missing = await startDay(['--account', other, '--signals', path.join(dir, 'missing.json')]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /--signals: cannot read/);
  });
});
