import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cronProblem } from '../../src/cli/schedule';
import { tempDir } from '../support/temp-dir';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'tradeflow.cjs');

interface CliResult { code: number; stdout: string; stderr: string }

/** Runs the CLI with the shipped config and no reachable server: every case here fails before connecting. */
function cli(args: string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' };
  delete env.TRADEFLOW_CONFIG;
  delete env.TRADEFLOW_ACCOUNT;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Exit 2, one line on stderr starting with `tradeflow:`, no stack trace, nothing on stdout. */
function assertUsageError(result: CliResult, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr:\n${result.stderr}`);
  assert.match(lines[0]!, /^tradeflow: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(result.stderr, /\bat .+:\d+:\d+/, 'no stack trace');
  assert.equal(result.stdout, '');
}

describe('tradeflow usage errors', () => {
  it('an unknown option exits 2 with one line naming it and the closest option', async () => {
    assertUsageError(await cli(['status', '--dat', '2026-01-02']), /status: unknown option '--dat' \(did you mean --date\?\); see tradeflow status --help/);
    assertUsageError(await cli(['--bogus']), /unknown option '--bogus'/);
  });

  it('a missing required option exits 2', async () => {
    assertUsageError(await cli(['stop']), /stop: required option '--reason <text>' not specified/);
  });

  it('an unknown command exits 2', async () => {
    assertUsageError(await cli(['nonsense']), /unknown command 'nonsense'; see tradeflow --help/);
  });

  it('a bad option argument and a missing subcommand exit 2', async () => {
    assertUsageError(await cli(['temporal', '--port', 'abc']), /--port must be a whole number/);
    assertUsageError(await cli(['schedule']), /schedule: give a command: create, describe, pause, unpause, delete/);
  });

  it('a signal file over the size limit is refused without being read, and a bad one names entries without echoing them', async () => {
    const dir = tempDir('tradeflow-usage-');
    const huge = path.join(dir, 'huge.json');
    writeFileSync(huge, '{}');
    truncateSync(huge, 100 * 1024 * 1024);
    const refused = await cli(['run', '--signals', huge]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /100\.0 MB; a signal file holds at most 4 MB and 10000 signals/);
    const escaped = path.join(dir, 'escaped.json');
    writeFileSync(escaped, '{"AAPL": 0.5, "AAP\\u004c": 0.2, "SECRETSECRETSECRETSECRETSECRET": 0.1}');
    const duplicate = await cli(['run', '--signals', escaped]);
    assert.equal(duplicate.code, 2, duplicate.stderr);
    assert.match(duplicate.stderr, /symbol "AAPL": duplicate symbol/);
    assert.doesNotMatch(duplicate.stderr, /SECRETSECRETSECRETSECRETSECRET/, 'a long value is cut short');
  });

  it('an out-of-range cron exits 2 before contacting the server', async () => {
    assertUsageError(
      await cli(['schedule', 'create', '--cron', '61 25 * * *', '--source', 'sample']),
      /--cron: "61 25 \* \* \*": minute 61 is not within 0-59; hour 25 is not within 0-23$/,
    );
  });

  it('a malformed cron exits 2 before contacting the server', async () => {
    assertUsageError(await cli(['schedule', 'create', '--cron', '35 9 * *', '--source', 'sample']), /not a cron expression of five fields/);
    assertUsageError(await cli(['schedule', 'create', '--cron', '35 9 L * *', '--source', 'sample']), /day-of-month "L" is not a value/);
  });

  it('--help and --version still exit 0 on stdout', async () => {
    const help = await cli(['stop', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /--reason <text>/);
    const version = await cli(['--version']);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  });
});

describe('cron expressions checked before the server', () => {
  it('takes what the server takes', () => {
    for (const cron of ['35 9 * * 1-5', '0 9 * * mon-fri', '*/5 * * * *', '1-30/5 9-16 * * *', '5/10 * * * *', '0 9 1,15 jan,JUL *', '0 0 * * 7', '00 09 * * *', '@daily']) {
      assert.equal(cronProblem(cron), undefined, cron);
    }
  });

  it('refuses values out of range, reversed ranges, zero steps and malformed fields, all in one line', () => {
    const cases: Array<[string, RegExp]> = [
      ['61 25 * * *', /minute 61 is not within 0-59; hour 25 is not within 0-23/],
      ['0 9 0 * *', /day-of-month 0 is not within 1-31/],
      ['0 9 * 13 *', /month 13 is not within 1-12/],
      ['0 9 * * 8', /day-of-week 8 is not within 0-7/],
      ['0 9 * * 5-1', /day-of-week 5-1 ends before it starts/],
      ['*/0 9 * * *', /minute \*\/0: a step must be at least 1/],
      ['x 9 * * *', /minute "x" is not a value/],
      ['0 9 * * 1,', /day-of-week "" is not a value/],
      ['0 9 * *', /five fields/],
      ['0 0 9 * * 1-5', /five fields/],
    ];
    for (const [cron, pattern] of cases) {
      const problem = cronProblem(cron);
      assert.match(problem ?? 'accepted', pattern, cron);
      assert.doesNotMatch(problem!, /\n/);
    }
  });
});
