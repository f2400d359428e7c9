import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { closestKey, ConfigError, editDistance, loadExecutionConfig, parseExecutionConfig } from '../../src/config';
import { tempDir } from '../support/temp-dir';

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

  it('loads the shipped file with its signal source', () => {
    assert.deepEqual(loadExecutionConfig({}).signal_sources.sample, { file: 'config/sample-signals.json' });
  });

  it('fills every default from an empty file', () => {
    // The shipped file holds the schema's defaults; it only adds the sample signal source.
    assert.deepEqual(parseExecutionConfig({}), { ...loadExecutionConfig({}), signal_sources: {} });
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

  it('refuses each typo of the issue with its path and the closest known key, all at once', () => {
    const problems = configProblems({
      position_sizing: { max_positon_size: 0.01 },
      risk_management: { max_daily_los: 0.01, restricted_symbol: ['AAPL'] },
      risk_managment: { restricted_symbols: ['AAPL'] },
    });
    assert.deepEqual(problems, [
      'position_sizing.max_positon_size: unknown key (did you mean max_position_size?)',
      'risk_management.max_daily_los: unknown key (did you mean max_daily_loss?)',
      'risk_management.restricted_symbol: unknown key (did you mean restricted_symbols?)',
      'risk_managment: unknown key (did you mean risk_management?)',
    ]);
  });

  it('refuses an unknown key in every section, in the accounts and in reports; lists the known keys without a close one', () => {
    const problems = configProblems({
      execution: { Mode: 'paper' },
      timing: { poll_interval: 5 },
      reports: { trail_dri: 'x' },
      accounts: [{ name: 'alice', key_id_env: 'A', secret_key_env: 'B', base_url_evn: 'C' }],
      schedule: {},
    });
    assert.ok(problems.includes('execution.Mode: unknown key (did you mean mode?)'), problems.join('\n'));
    assert.ok(problems.includes('reports.trail_dri: unknown key (did you mean trail_dir?)'), problems.join('\n'));
    assert.ok(problems.includes('accounts.0.base_url_evn: unknown key (did you mean base_url_env?)'), problems.join('\n'));
    assert.ok(problems.some((line) => /^timing\.poll_interval: unknown key/.test(line)), problems.join('\n'));
    // The list grows with the file's sections (alerts...): its start and its form are what matter here.
    assert.ok(problems.some((line) => line.startsWith(
      'schedule: unknown key (known keys: execution, position_sizing, risk_management, timing, reports, signal_sources, accounts',
    ) && line.includes(', alerts') && line.endsWith(')')), problems.join('\n'));
  });

  it('refuses a signal source with a misspelt key, with both a file and a command, or with neither', () => {
    assert.deepEqual(configProblems({ signal_sources: { xgb: { fil: 'signals.json' } } }), ['signal_sources.xgb.fil: unknown key (did you mean file?)']);
    assert.deepEqual(configProblems({ signal_sources: { xgb: { command: ['predict'], timeout_second: 30 } } }),
      ['signal_sources.xgb.timeout_second: unknown key (did you mean timeout_seconds?)']);
    assert.deepEqual(configProblems({ signal_sources: { xgb: { file: 'signals.json', command: ['predict'] } } }),
      ['signal_sources.xgb: expected { file } or { command, timeout_seconds? }, not a mix of them (found file, command)']);
    assert.deepEqual(configProblems({ signal_sources: { xgb: {} } }), ['signal_sources.xgb: expected { file } or { command, timeout_seconds? }']);
    assert.deepEqual(configProblems({ signal_sources: { xgb: { command: 'python predict.py' } } }),
      ['signal_sources.xgb.command: Invalid input: expected array, received string']);
    assert.deepEqual(parseExecutionConfig({ signal_sources: { xgb: { command: ['predict'] } } }).signal_sources.xgb, { command: ['predict'], timeout_seconds: 120 });
  });

  it('bounds money below 1e12 and refuses Infinity and NaN', () => {
    assert.deepEqual(configProblems({ position_sizing: { max_trade_size: 1e308 } }),
      ['position_sizing.max_trade_size: must be a dollar amount below 1e12 (1,000,000,000,000)']);
    assert.deepEqual(configProblems({ risk_management: { max_order_notional: 1e12 } }),
      ['risk_management.max_order_notional: must be a dollar amount below 1e12 (1,000,000,000,000)']);
    assert.match(configProblems({ position_sizing: { max_trade_size: Infinity } })[0]!, /^position_sizing\.max_trade_size: /);
    assert.match(configProblems({ timing: { poll_interval_seconds: NaN } })[0]!, /^timing\.poll_interval_seconds: /);
    assert.equal(parseExecutionConfig({ position_sizing: { max_trade_size: 999_999_999_999 } }).position_sizing.max_trade_size, 999_999_999_999);
  });

  it('refuses YAML .inf from a file', () => {
    const dir = tempDir('tradeflow-config-');
    const file = path.join(dir, 'inf.yaml');
    writeFileSync(file, 'position_sizing:\n  max_trade_size: .inf\n');
    assert.throws(() => loadExecutionConfig({ TRADEFLOW_CONFIG: file }), /position_sizing\.max_trade_size/);
  });

  it('keeps caps in (0, 1] and counts within sane maxima; 0 stays valid where it means something', () => {
    const problems = configProblems({
      position_sizing: { max_position_size: 0 },
      risk_management: { max_sector_exposure: 0, max_correlated_exposure: 1.01, max_orders_per_day: 1_000_000 },
    });
    assert.deepEqual(problems, [
      'position_sizing.max_position_size: max_position_size must be above 0',
      'risk_management.max_orders_per_day: max_orders_per_day must be at most 10000',
      'risk_management.max_sector_exposure: max_sector_exposure must be above 0',
      'risk_management.max_correlated_exposure: max_correlated_exposure must be at most 1',
    ]);
    const zeros = parseExecutionConfig({ execution: { signal_threshold: 0 }, position_sizing: { rebalance_band: 0 }, risk_management: { max_daily_loss: 0 } });
    assert.equal(zeros.execution.signal_threshold, 0);
    assert.equal(zeros.position_sizing.rebalance_band, 0);
    assert.equal(zeros.risk_management.max_daily_loss, 0);
  });

  it('suggests a key only when it is a likely typo', () => {
    assert.equal(editDistance('max_daily_los', 'max_daily_loss'), 1);
    assert.equal(editDistance('max_positon_size', 'max_position_size'), 1);
    assert.equal(editDistance('fiel', 'file'), 1, 'a swap of two neighbours is one edit');
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(closestKey('max_positon_size', ['max_position_size', 'min_trade_size']), 'max_position_size');
    assert.equal(closestKey('Timing', ['execution', 'timing']), 'timing');
    assert.equal(closestKey('colour', ['execution', 'timing']), undefined);
    assert.equal(closestKey('x', ['mode']), undefined);
  });

  it('stops the worker at start-up with a message naming the field', async () => {
    const dir = tempDir('tradeflow-config-');
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

describe('execution config: the keys of issue 11 (trade as the real broker counts)', () => {
  it('defaults: hold below the threshold, exits exempt from max_trade_size, unknown sectors capped alone, Reg T buying power', () => {
    const config = parseExecutionConfig({});
    assert.equal(config.execution.below_threshold, 'hold');
    assert.equal(config.position_sizing.max_trade_size_applies_to_exits, false);
    assert.deepEqual(config.risk_management.sector_map, {});
    assert.equal(config.risk_management.sector_map_file, undefined);
    assert.equal(config.risk_management.unknown_sector, 'own_sector');
    assert.equal(config.risk_management.buying_power_basis, 'regt');
  });

  it('accepts every value of each new key and upper-cases sector_map symbols', () => {
    const config = parseExecutionConfig({
      execution: { below_threshold: 'close' },
      position_sizing: { max_trade_size_applies_to_exits: true },
      risk_management: {
        sector_map: { spy: 'ETF', ' QQQ ': ' ETF ', 'BRK.B': 'Financials' }, sector_map_file: 'config/sectors.csv',
        unknown_sector: 'group', buying_power_basis: 'non_marginable',
      },
    });
    assert.equal(config.execution.below_threshold, 'close');
    assert.equal(config.position_sizing.max_trade_size_applies_to_exits, true);
    assert.deepEqual(config.risk_management.sector_map, { SPY: 'ETF', QQQ: 'ETF', 'BRK.B': 'Financials' });
    assert.equal(config.risk_management.sector_map_file, 'config/sectors.csv');
    assert.equal(config.risk_management.unknown_sector, 'group');
    assert.equal(config.risk_management.buying_power_basis, 'non_marginable');
    for (const basis of ['regt', 'intraday'] as const) {
      assert.equal(parseExecutionConfig({ risk_management: { buying_power_basis: basis } }).risk_management.buying_power_basis, basis);
    }
    assert.equal(parseExecutionConfig({ risk_management: { unknown_sector: 'reject' } }).risk_management.unknown_sector, 'reject');
  });

  it('refuses a typo of each new key with the closest known key', () => {
    assert.deepEqual(configProblems({
      execution: { below_treshold: 'close' },
      position_sizing: { max_trade_size_applies_to_exit: true },
      risk_management: { sector_maps: {}, sector_map_fil: 'x.csv', unknown_sectors: 'group', buying_power_base: 'regt' },
    }), [
      'execution.below_treshold: unknown key (did you mean below_threshold?)',
      'position_sizing.max_trade_size_applies_to_exit: unknown key (did you mean max_trade_size_applies_to_exits?)',
      'risk_management.sector_maps: unknown key (did you mean sector_map?)',
      'risk_management.sector_map_fil: unknown key (did you mean sector_map_file?)',
      'risk_management.unknown_sectors: unknown key (did you mean unknown_sector?)',
      'risk_management.buying_power_base: unknown key (did you mean buying_power_basis?)',
    ]);
  });

  it('refuses bad values, each naming its field', () => {
    const problems = configProblems({
      execution: { below_threshold: 'sell' },
      position_sizing: { max_trade_size_applies_to_exits: 'yes' },
      risk_management: { sector_map: { SPY: '', 'S P Y': 'ETF' }, sector_map_file: ' ', unknown_sector: 'ignore', buying_power_basis: 'margin' },
    });
    const fields = problems.map((line) => line.slice(0, line.indexOf(':')));
    assert.deepEqual(fields, [
      'execution.below_threshold', 'position_sizing.max_trade_size_applies_to_exits', 'risk_management.sector_map.SPY',
      'risk_management.sector_map.S P Y', 'risk_management.sector_map_file', 'risk_management.unknown_sector', 'risk_management.buying_power_basis',
    ], problems.join('\n'));
    assert.ok(problems.includes('risk_management.sector_map.SPY: a sector name, e.g. ETF'), problems.join('\n'));
    assert.ok(problems.includes('risk_management.sector_map_file: sector_map_file: a path'), problems.join('\n'));
    assert.match(problems.find((line) => line.startsWith('execution.below_threshold'))!, /"hold"\|"close"/);
    assert.match(problems.find((line) => line.startsWith('risk_management.unknown_sector'))!, /"reject"\|"own_sector"\|"group"/);
    assert.match(problems.find((line) => line.startsWith('risk_management.buying_power_basis'))!, /"regt"\|"non_marginable"\|"intraday"/);
    assert.deepEqual(configProblems({ risk_management: { sector_map: { SPY: 'x'.repeat(65) } } }),
      ['risk_management.sector_map.SPY: a sector name of at most 64 characters']);
  });
});

/** The problem lines of a config that must fail. */
function configProblems(raw: unknown): string[] {
  try {
    parseExecutionConfig(raw);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('the config was accepted');
}
