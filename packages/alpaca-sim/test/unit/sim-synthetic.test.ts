/**
 * The synthetic universe (`syntheticSymbols`): deterministic letter-only symbols beyond the S&P 500, easy to trade
 * (fractionable, shortable, easy to borrow), with seeded prices from $20 to $300 and a year of daily bars.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { simOptionsFromFlags } from '../../src/cli-options';
import { buildProgram } from '../../src/cli';
import { Market } from '../../src/market';
import { MAX_SYNTHETIC_SYMBOLS, syntheticSymbol, Universe } from '../../src/universe';

const NOW = Date.parse('2026-11-20T21:30:00Z');
const YEAR_AGO = Date.parse('2025-11-20T05:00:00Z');
const flags = { port: 0, host: '127.0.0.1', seed: 1, equity: 1, market: 'real' };

describe('synthetic symbols', () => {
  test('are letters only, counted in base 26 from SYAAA, and none is an S&P 500 symbol', () => {
    assert.deepEqual([1, 2, 26, 27, 78, 2000, 17_576].map(syntheticSymbol), ['SYAAA', 'SYAAB', 'SYAAZ', 'SYABA', 'SYACZ', 'SYCYX', 'SYZZZ']);
    assert.throws(() => syntheticSymbol(0));
    const sp = Universe.fromCsv();
    assert.equal(sp.assets.filter((a) => /^SY[A-Z]{3}$/.test(a.symbol)).length, 0);
    for (let i = 1; i <= 2000; i++) assert.match(syntheticSymbol(i), /^[A-Z]+$/);
  });

  test('are appended to the universe: tradable, marginable, fractionable, shortable, easy to borrow, in GICS sectors', () => {
    const base = Universe.fromCsv();
    const u = Universe.fromCsv(undefined, 2000);
    assert.equal(u.assets.length, base.assets.length + 2000);
    assert.deepEqual(u.assets.slice(0, base.assets.length).map((a) => a.symbol), base.assets.map((a) => a.symbol));
    const syn = u.assets.filter((a) => a.synthetic);
    assert.equal(syn.length, 2000);
    assert.equal(syn[0]?.symbol, 'SYAAA');
    assert.equal(syn[1999]?.symbol, 'SYCYX');
    assert.ok(syn.every((a) => a.tradable && a.marginable && a.fractionable && a.shortable && a.easyToBorrow));
    const sectors = new Set(syn.map((a) => a.sector));
    assert.equal(sectors.size, 11);
    for (const s of sectors) assert.ok(base.assets.some((a) => a.sector === s), `${s} is a sector of the S&P file`);
    assert.equal(new Set(u.assets.map((a) => a.id)).size, u.assets.length, 'asset ids are unique');
    assert.deepEqual(Universe.fromCsv(undefined, 2000).find('sycyx'), u.find('SYCYX'), 'deterministic');
    assert.equal(u.find(syn[5]?.id ?? '')?.symbol, 'SYAAF');
    assert.throws(() => Universe.fromCsv(undefined, MAX_SYNTHETIC_SYMBOLS + 1), /syntheticSymbols/);
    assert.throws(() => Universe.fromCsv(undefined, 1.5), /syntheticSymbols/);
  });

  test('have seeded prices from about $20 to $300 and a year of daily bars with plausible volatility', () => {
    const u = Universe.fromCsv(undefined, 120);
    const m = new Market(u, 42, 'real');
    const other = new Market(u, 43, 'real');
    const vols: number[] = [];
    for (const a of u.assets.filter((x) => x.synthetic)) {
      const bars = m.bars(a.symbol, 1440, YEAR_AGO, NOW, 1000, NOW);
      assert.ok(bars.length >= 250 && bars.length <= 253, `${a.symbol}: ${bars.length} daily bars`);
      for (const b of bars) assert.ok(b.l >= 15 && b.h <= 330 && b.l <= b.o && b.o <= b.h && b.l <= b.c && b.c <= b.h, `${a.symbol} ${JSON.stringify(b)}`);
      const r = bars.slice(1).map((b, i) => Math.log(b.c / (bars[i]?.c ?? b.c)));
      const mu = r.reduce((x, y) => x + y, 0) / r.length;
      vols.push(Math.sqrt((r.reduce((x, y) => x + (y - mu) ** 2, 0) / (r.length - 1)) * 252));
      const q = m.quote(a.symbol, NOW);
      assert.ok(q.bid > 0 && q.ask > q.bid);
    }
    vols.sort((x, y) => x - y);
    const median = vols[Math.floor(vols.length / 2)] ?? 0;
    assert.ok(median > 0.15 && median < 0.5, `median annual vol ${median}`);
    const first = m.bars('SYAAA', 1440, YEAR_AGO, NOW, 1000, NOW);
    assert.deepEqual(new Market(u, 42, 'real').bars('SYAAA', 1440, YEAR_AGO, NOW, 1000, NOW), first, 'same seed, same path');
    assert.notDeepEqual(other.bars('SYAAA', 1440, YEAR_AGO, NOW, 1000, NOW), first, 'another seed, another path');
  });

  test('the --synthetic-symbols flag', () => {
    assert.equal(simOptionsFromFlags({ ...flags, syntheticSymbols: '2000' }).syntheticSymbols, 2000);
    assert.equal(simOptionsFromFlags({ ...flags, syntheticSymbols: '0' }).syntheticSymbols, undefined);
    assert.equal(simOptionsFromFlags(flags).syntheticSymbols, undefined);
    assert.throws(() => simOptionsFromFlags({ ...flags, syntheticSymbols: '-3' }), /--synthetic-symbols must be a whole number from 0 to 10000/);
    assert.throws(() => simOptionsFromFlags({ ...flags, syntheticSymbols: '10001' }), /--synthetic-symbols/);
    assert.ok(buildProgram().options.some((o) => o.long === '--synthetic-symbols'));
  });
});
