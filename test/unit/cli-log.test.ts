import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const BIN = join(__dirname, '..', '..', 'bin', 'tradeflow.cjs');

function tradeflow(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, TRADEFLOW_LOG_FORMAT: '', ...env }, timeout: 60_000 });
}

describe('the commands\' own log on stderr', () => {
  it('says an error in a sentence by default', () => {
    const result = tradeflow(['status', '--date', '2026-13-45']);
    assert.equal(result.status, 2);
    assert.equal(result.stderr.trim(), 'tradeflow: --date: "2026-13-45" is not a date in the form YYYY-MM-DD');
  });

  it('writes one JSON line with the command and the exit code when TRADEFLOW_LOG_FORMAT=json, secrets redacted', () => {
    const secret = 'sk-cli-secret-0123456789';
    const result = tradeflow(['status', '--date', `2026-13-45${secret}`], { TRADEFLOW_LOG_FORMAT: 'json', APCA_API_SECRET_KEY: secret });
    assert.equal(result.status, 2);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(line.level, 'error');
    assert.equal(line.command, 'status');
    assert.equal(line.exitCode, 2);
    assert.match(String(line.msg), /^--date: .* is not a date in the form YYYY-MM-DD$/);
    assert.ok(!result.stderr.includes(secret), 'the secret never reaches the log');
    assert.equal(result.stdout, '', 'results, not diagnostics, go to stdout');
  });
});
