import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSignalsText, signalsSchema } from '../../src/domain/signals';

function errorsOf(text: string, format: 'json' | 'csv'): string[] {
  const result = parseSignalsText(text, format);
  assert.equal(result.ok, false, `expected failure for ${text}`);
  return result.ok ? [] : result.errors;
}

describe('parseSignalsText: JSON', () => {
  it('accepts an object map', () => {
    assert.deepEqual(parseSignalsText('{"AAPL": 0.8, "BRK.B": -1, "MSFT": 0}', 'json'), {
      ok: true,
      signals: [{ symbol: 'AAPL', strength: 0.8 }, { symbol: 'BRK.B', strength: -1 }, { symbol: 'MSFT', strength: 0 }],
    });
  });

  it('accepts an array of entries and ignores extra fields', () => {
    assert.deepEqual(parseSignalsText('[{"symbol": "AAPL", "strength": 0.8, "model": "xgb"}]', 'json'), {
      ok: true, signals: [{ symbol: 'AAPL', strength: 0.8 }],
    });
  });

  it('names every bad entry by position and symbol', () => {
    const errors = errorsOf('{"AAPL": 0.8, "MSFT": 1.5, "goog": 0.1, "TSLA": "x", "ABCDEFGHIJK": 0.1}', 'json');
    assert.deepEqual(errors, [
      'entry 2 (symbol "MSFT"): strength must be between -1 and 1',
      'entry 3 (symbol "goog"): symbol must be uppercase letters A-Z, optionally with dots (BRK.B)',
      'entry 4 (symbol "TSLA"): strength must be a finite number',
      'entry 5 (symbol "ABCDEFGHIJK"): symbol must be at most 10 characters',
    ]);
  });

  it('names bad array entries, including non-objects, in order', () => {
    const errors = errorsOf('[{"symbol": "AAPL", "strength": 0.8}, 3, {"symbol": "X.", "strength": 0}, {"strength": 0.2}]', 'json');
    assert.equal(errors[0], 'entry 2: must be an object with "symbol" and "strength"');
    assert.match(errors[1] ?? '', /^entry 3 \(symbol "X\."\): symbol must be uppercase/);
    assert.match(errors[2] ?? '', /^entry 4: /);
  });

  it('rejects duplicate symbols in arrays and in object maps (which JSON.parse would silently merge)', () => {
    assert.deepEqual(errorsOf('[{"symbol": "AAPL", "strength": 0.8}, {"symbol": "AAPL", "strength": 0.1}]', 'json'),
      ['entry 2 (symbol "AAPL"): duplicate symbol (first at entry 1)']);
    assert.deepEqual(errorsOf('{"AAPL": 0.8, "AAPL": -0.8}', 'json'), ['symbol "AAPL": duplicate symbol']);
  });

  it('rejects empty files, empty collections, bad JSON and wrong shapes', () => {
    assert.deepEqual(errorsOf('', 'json'), ['signal file is empty']);
    assert.deepEqual(errorsOf('  \n', 'json'), ['signal file is empty']);
    assert.deepEqual(errorsOf('{}', 'json'), ['signal file has no signals']);
    assert.deepEqual(errorsOf('[]', 'json'), ['signal file has no signals']);
    assert.match(errorsOf('{"AAPL": ', 'json')[0] ?? '', /^invalid JSON/);
    assert.match(errorsOf('42', 'json')[0] ?? '', /must be an object/);
  });

  it('finds duplicate keys after unescaping them', () => {
    assert.deepEqual(errorsOf('{"AAPL": 0.8, "AAP\\u004c": -0.8}', 'json'), ['symbol "AAPL": duplicate symbol']);
  });

  it('never echoes the text at length: bad JSON says where, long symbols are cut', () => {
    const secretish = 'x'.repeat(500);
    const [jsonError] = errorsOf(`{"AAPL": ${secretish}}`, 'json');
    assert.ok(jsonError && !jsonError.includes('xxxxxxxxxx'), jsonError);
    const [symbolError] = errorsOf(`{"${secretish}": 0.1}`, 'json');
    assert.ok(symbolError && symbolError.length < 200, symbolError);
  });

  it('lists at most 20 problems', () => {
    const text = JSON.stringify(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`S${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}`, 5])));
    const errors = errorsOf(text, 'json');
    assert.equal(errors.length, 21);
    assert.equal(errors[20], '… and 30 more');
  });

  it('rejects strengths that overflow to Infinity', () => {
    assert.deepEqual(errorsOf('{"AAPL": 1e999}', 'json'), ['entry 1 (symbol "AAPL"): strength must be a finite number']);
  });
});

describe('parseSignalsText: CSV', () => {
  it('accepts a symbol,strength file with CRLF, blank lines, spaces, a BOM and extra columns', () => {
    const text = '\ufeffdate,Symbol, Strength\r\n2024-01-02,AAPL, 0.5\r\n\r\n2024-01-02,BRK.B,-.25\r\n';
    assert.deepEqual(parseSignalsText(text, 'csv'), {
      ok: true, signals: [{ symbol: 'AAPL', strength: 0.5 }, { symbol: 'BRK.B', strength: -0.25 }],
    });
  });

  it('names lines with non-numeric, out-of-range and duplicate entries', () => {
    const errors = errorsOf('symbol,strength\nAAPL,0.5\nMSFT,1.2\nGOOG,abc\nNVDA,\nAAPL,0.1\n', 'csv');
    assert.deepEqual(errors, [
      'line 3 (symbol "MSFT"): strength must be between -1 and 1',
      'line 4: strength "abc" is not a number',
      'line 5: strength "" is not a number',
      'line 6 (symbol "AAPL"): duplicate symbol (first at line 2)',
    ]);
  });

  it('rejects a missing header, a header-only file and an empty file', () => {
    assert.deepEqual(errorsOf('AAPL,0.5\n', 'csv'), ['line 1: header must contain "symbol" and "strength" columns']);
    assert.deepEqual(errorsOf('symbol,strength\n', 'csv'), ['signal file has no signals']);
    assert.deepEqual(errorsOf('', 'csv'), ['signal file is empty']);
  });

  it('rejects "Infinity" and hex as numbers', () => {
    assert.deepEqual(errorsOf('symbol,strength\nA,Infinity\nB,0x1\n', 'csv'), [
      'line 2: strength "Infinity" is not a number', 'line 3: strength "0x1" is not a number',
    ]);
  });
});

describe('signalsSchema', () => {
  it('validates workflow input', () => {
    assert.equal(signalsSchema.safeParse([{ symbol: 'AAPL', strength: 0.3 }]).success, true);
    assert.equal(signalsSchema.safeParse([]).success, false);
    const duplicate = signalsSchema.safeParse([{ symbol: 'A', strength: 0.3 }, { symbol: 'A', strength: 0.1 }]);
    assert.equal(duplicate.success, false);
    assert.deepEqual(duplicate.error?.issues[0]?.path, [1, 'symbol']);
    assert.equal(signalsSchema.safeParse([{ symbol: 'A', strength: Number.NaN }]).success, false);
  });
});
