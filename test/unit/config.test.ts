import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadExecutionConfig, parseExecutionConfig } from '../../src/config';

describe('execution config', () => {
  it('ships the seed defaults in config/execution.yaml', () => {
    const config = loadExecutionConfig({});
    assert.equal(config.execution.mode, 'paper');
    assert.equal(config.execution.signal_threshold, 0.1);
    assert.equal(config.position_sizing.max_position_size, 0.1);
    assert.equal(config.position_sizing.min_trade_size, 100);
    assert.equal(config.position_sizing.max_trade_size, 10_000);
    assert.equal(config.risk_management.max_daily_loss, 0.02);
    assert.equal(config.risk_management.max_position_risk, 0.05);
    assert.equal(config.risk_management.max_orders_per_day, 100);
    assert.equal(config.risk_management.max_sector_exposure, 0.3);
  });

  it('fills every default from an empty file', () => {
    assert.deepEqual(parseExecutionConfig({}), loadExecutionConfig({}));
  });

  it('names every bad field at once', () => {
    assert.throws(
      () => parseExecutionConfig({ position_sizing: { max_position_size: 1.5, min_trade_size: -1 }, execution: { mode: 'yolo' } }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /position_sizing\.max_position_size: max_position_size must be at most 1/);
        assert.match(error.message, /position_sizing\.min_trade_size/);
        assert.match(error.message, /execution\.mode/);
        return true;
      },
    );
  });

  it('refuses a minimum trade above the maximum', () => {
    assert.throws(() => parseExecutionConfig({ position_sizing: { min_trade_size: 5000, max_trade_size: 1000 } }), /position_sizing\.min_trade_size: must not exceed max_trade_size/);
  });

  it('stops the worker at start-up with a message naming the field', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tradeflow-config-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'risk_management:\n  max_orders_per_day: -3\n');
    const bin = path.resolve(__dirname, '..', '..', 'bin', 'tradeflow.cjs');
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, [bin, 'worker'], { env: { ...process.env, TRADEFLOW_CONFIG: file }, timeout: 60_000 }, (error, _stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stderr });
      });
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /risk_management\.max_orders_per_day/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
});
