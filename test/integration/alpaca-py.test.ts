import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type RunningSimulator } from 'alpaca-sim';

/**
 * The simulator against Alpaca's official Python SDK (alpaca-py, pinned, from PyPI): the suite
 * packages/alpaca-sim/test/alpaca-py/suite.py calls every TradingClient and StockHistoricalDataClient method, the
 * TradingStream, and bad input (4xx with {code, message}, never a 500) against a simulator started here.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const INSTALL = path.join(ROOT, 'scripts', 'install-alpaca-py.sh');
const SUITE = path.join(ROOT, 'packages', 'alpaca-sim', 'test', 'alpaca-py', 'suite.py');
const PYTHON = process.env.PYTHON || 'python3';

interface Run { code: number; stdout: string; stderr: string }

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const signal = error?.signal ? `\n[${command} was killed by ${error.signal}]` : '';
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr: stderr + signal });
    });
  });
}

describe('the simulator passes alpaca-py (the official Python SDK)', () => {
  let sim: RunningSimulator | undefined;
  let sdkDir: string;

  before(async () => {
    const probe = spawnSync(PYTHON, ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      throw new Error(`${PYTHON} is needed for this test (alpaca-py against the simulator) but does not run: `
        + `${probe.error?.message ?? probe.stderr}. Install Python 3.10+ with pip (Debian: apt-get install python3 python3-pip)`);
    }
    // Installs alpaca-py into tools/alpaca-py once (a no-op afterwards); .ci/run has done it already.
    const install = await run('bash', [INSTALL], { ...process.env, PYTHON }, 600_000);
    process.stderr.write(install.stderr);
    assert.equal(install.code, 0, `scripts/install-alpaca-py.sh failed:\n${install.stderr}`);
    const lines = install.stdout.trim().split('\n');
    sdkDir = lines[lines.length - 1] ?? '';
    assert.ok(sdkDir, 'scripts/install-alpaca-py.sh printed no folder');
    sim = await startSimulator({ port: 0, seed: 11 });
  });
  after(async () => {
    await sim?.close();
  });

  it('runs every call of the suite with no failure', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env, PYTHONPATH: sdkDir, PYTHONDONTWRITEBYTECODE: '1', PYTHONNOUSERSITE: '1', ALPACA_SIM_URL: sim!.url,
    };
    const result = await run(PYTHON, ['-s', SUITE], env, 240_000);
    const lines = result.stdout.trim().split('\n');
    const summary = lines[lines.length - 1] ?? '';
    console.log(`alpaca-py suite: ${summary}`);
    const failures = lines.filter((l) => l.startsWith('FAIL '));
    assert.equal(result.code, 0, `the alpaca-py suite failed (${summary}):\n${failures.join('\n')}\n${result.stderr.slice(-4000)}`);
    assert.match(summary, /^\d+ passed, 0 failed$/);
    assert.ok(Number(summary.split(' ')[0]) >= 60, `only ${summary}`);
  });
});
