/**
 * `tradeflow sim`, the project's command for the simulator package (alpaca-sim): it refuses bad flags with exit 2
 * and one line, prints the address it really listens on, and warns off loopback. The package's own tests cover its
 * `alpaca-sim` bin the same way; this one covers the tradeflow command that wraps it.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { tempDir } from '../support/temp-dir';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'tradeflow.cjs');
let dir: string;

before(() => {
  dir = tempDir('tradeflow-sim-command-');
});

function get(url: string, keyId: string, secret: string): Promise<Response> {
  return fetch(`${url}/v2/account`, { headers: { 'APCA-API-KEY-ID': keyId, 'APCA-API-SECRET-KEY': secret } });
}

describe('tradeflow sim', () => {
  interface Run { code: number | null; stdout: string; stderr: string }

  function run(args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile(process.execPath, [BIN, 'sim', ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      });
    });
  }

  function assertRefused(result: Run, flag: string): void {
    assert.equal(result.code, 2, `${flag}: exit ${String(result.code)}\n${result.stderr}`);
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `${flag}: one line\n${result.stderr}`);
    assert.ok(lines[0]?.startsWith('tradeflow: '), result.stderr);
    assert.ok(lines[0]?.includes(flag), `${flag} is named: ${result.stderr}`);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(result.stdout, '');
  }

  test('refuses bad flags with exit 2 and one line naming the flag', async () => {
    const cases: Array<[string, string[]]> = [
      ['--port', ['--port', '99999']],
      ['--equity', ['--port', '0', '--equity', '-5']],
      ['--speed', ['--port', '0', '--speed', '0']],
      ['--market', ['--port', '0', '--market', 'sometimes']],
      ['--faults', ['--port', '0', '--faults', path.join(dir, 'no-such-faults.json')]],
      ['--fault', ['--port', '0', '--fault', 'POST /v2/orders:explode']],
      ['--state', ['--port', '0', '--state', path.join(dir, 'no-such-dir', 'state.db')]],
    ];
    const results = await Promise.all(cases.map(([, args]) => run(args)));
    cases.forEach(([flag], i) => assertRefused(results[i]!, flag));
    assert.ok(!existsSync(path.join(dir, 'no-such-dir')));
  });

  // --port and --seed reach simOptionsFromFlags as strings (no commander parser in src/cli/program.ts, which would answer
  // "invalid argument" with usage and exit 1), so a non-number is refused like any other bad flag.
  test('refuses a --port or --seed that is not a number with exit 2', async () => {
    const [port, seed] = await Promise.all([run(['--port', 'abc']), run(['--port', '0', '--seed', 'x'])]);
    assertRefused(port!, '--port');
    assertRefused(seed!, '--seed');
  });

  test('prints the address it really listens on; off loopback it warns on stderr', async () => {
    for (const host of ['127.0.0.1', '0.0.0.0']) {
      const child = spawn(process.execPath, [BIN, 'sim', '--host', host, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`sim did not start: ${out}${err}`)), 30_000);
          child.stdout.on('data', (c: Buffer) => {
            out += c.toString();
            const m = /listening on (http:\/\/\S+)/.exec(out);
            if (m?.[1]) {
              clearTimeout(timer);
              resolve(m[1]);
            }
          });
          child.once('exit', (code) => reject(new Error(`sim exited ${String(code)}: ${out}${err}`)));
        });
        const m = /^http:\/\/([\d.]+):(\d+)$/.exec(url);
        assert.ok(m, url);
        assert.equal(m[1], host);
        const port = Number(m[2]);
        assert.ok(port > 0 && port < 65_536, url);
        assert.equal((await get(`http://127.0.0.1:${port}`, 'cli-1', 's')).status, 200);
        if (host === '127.0.0.1') assert.equal(err, '');
        else assert.match(err, /warning: listening on http:\/\/0\.0\.0\.0:\d+.*no real authentication.*\/admin/);
      } finally {
        child.kill('SIGTERM');
        if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      }
    }
  });
});
