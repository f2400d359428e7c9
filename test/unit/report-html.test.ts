import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DayReport } from '../../src/contracts/day';
import { equityCurveOf } from '../../src/domain/portfolio';
import { dayTargets, escapeHtml, renderDayReportHtml, type DayReportChartData } from '../../src/report/html';

const EVIL = '<script>alert("x")</script>&\'';

function report(overrides: Partial<DayReport> = {}): DayReport {
  return {
    workflowId: 'trading-main-2026-12-01',
    tradingDate: '2026-12-01',
    status: 'completed',
    reason: `done ${EVIL}`,
    tradingState: 'ACTIVE',
    stop: null,
    signals: 4,
    orders: [
      { clientOrderId: 'c1', brokerOrderId: 'b1', symbol: 'AAPL', side: 'buy', type: 'market', qty: 10, notional: null, status: 'filled', filledQty: 10, filledAvgPrice: 101 },
      { clientOrderId: 'c2', brokerOrderId: 'b2', symbol: 'JPM', side: 'sell', type: 'market', qty: 5, notional: null, status: 'rejected', filledQty: 0, filledAvgPrice: null },
      { clientOrderId: 'c3', brokerOrderId: 'b3', symbol: 'MSFT', side: 'buy', type: 'limit', qty: 3, notional: null, status: 'new', filledQty: 0, filledAvgPrice: null },
      { clientOrderId: 'c4', brokerOrderId: null, symbol: 'XOM', side: 'buy', type: 'market', qty: 2, notional: null, status: 'unsubmitted', filledQty: 0, filledAvgPrice: null },
    ],
    rejected: [{ symbol: 'EVIL', code: 'MAX_POSITION', detail: `too big ${EVIL}` }],
    decisions: [],
    portfolio: {
      equity: 100_000, cash: 90_000, buyingPower: 180_000, longExposure: 1_010, shortExposure: 500, grossExposure: 1_510,
      netExposure: 510, unrealizedPl: 0, dailyPl: 12, dailyPlPct: 0.00012,
      positions: [
        { symbol: 'AAPL', qty: 10, marketValue: 1_010, weight: 0.0101, unrealizedPl: 0 },
        { symbol: 'ZZZZ', qty: -5, marketValue: -500, weight: -0.005, unrealizedPl: 0 },
      ],
    },
    startingPositions: [{ symbol: 'ZZZZ', qty: -5, marketValue: -480 }],
    reconciliation: [{ symbol: 'ZZZZ', expectedQty: -4, actualQty: -5, difference: -1, kind: 'quantity_mismatch' }],
    pnl: { realized: 0, realizedBySymbol: {}, unrealized: 0, daily: 12, dailyPct: 0.00012, tradedNotional: 1_010, turnover: 0.0101 },
    slippage: {
      fills: [{ symbol: 'AAPL', side: 'buy', qty: 10, arrivalPrice: 100, fillPrice: 101, slippageBps: 100, cost: 10 }],
      unmeasured: [], notional: 1_000, cost: 10, weightedBps: 100,
    },
    performance: {
      periods: 2, from: '2026-11-27', to: '2026-12-01', startEquity: 99_000, endEquity: 100_000, totalReturn: 0.0101,
      annualizedVolatility: 0.1, sharpe: 1.2, sortino: null, maxDrawdown: 0.01, turnover: 0.01, hitRate: null,
      equityCurve: [['2026-11-27', 99_000], ['2026-11-30', 98_500], ['2026-12-01', 100_000]],
    },
    ...overrides,
  };
}

const OPTIONS = { sectors: { AAPL: 'Information Technology', MSFT: 'Information Technology' }, chartJs: '/* chart.js */ var x = "</script>";' };

describe('the day report page', () => {
  it('escapes every text from the report', () => {
    const html = renderDayReportHtml(report({ workflowId: `trading-${EVIL}` }), OPTIONS);
    assert.ok(!html.includes('<script>alert'), 'no script from the report');
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;'), 'the text shows escaped');
    // The embedded data and Chart.js's source cannot close their <script> early.
    const scripts = html.split('<script').length - 1;
    const closings = html.split('</script>').length - 1;
    assert.equal(scripts, closings, 'every <script> has exactly its own </script>');
    assert.ok(html.includes('var x = "<\\/script>"'));
    assert.equal(escapeHtml('a<b>"c"&\'d\''), 'a&lt;b&gt;&quot;c&quot;&amp;&#39;d&#39;');
  });

  it('has the summary, targets, orders, rejections, exposure, P&L, performance and slippage sections and three charts', () => {
    const html = renderDayReportHtml(report(), OPTIONS);
    for (const id of ['summary', 'targets', 'orders', 'rejected', 'exposure', 'pnl', 'performance', 'slippage']) {
      assert.ok(html.includes(`<section id="${id}">`), `section ${id}`);
    }
    for (const id of ['chart-equity', 'chart-sectors', 'chart-slippage']) assert.ok(html.includes(`<canvas id="${id}"`), id);
    assert.ok(html.includes('4: 3 sent (1 filled, 1 open), 1 never sent'), 'the order counts');
    assert.ok(html.includes('MAX_POSITION'), 'the rejection code');
    assert.ok(html.includes('/* chart.js */'), 'Chart.js embedded');
    assert.ok(!/<script[^>]+src=|<link[^>]+href=/.test(html), 'nothing loaded from elsewhere');
  });

  it('embeds the charts\' data', () => {
    const html = renderDayReportHtml(report(), OPTIONS);
    const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1];
    assert.ok(json);
    const data = JSON.parse(json) as DayReportChartData;
    assert.deepEqual(data.equityCurve, [['2026-11-27', 99_000], ['2026-11-30', 98_500], ['2026-12-01', 100_000]]);
    assert.deepEqual(data.sectors, { labels: ['Information Technology', 'UNKNOWN'], before: [0, -480], after: [1_010, -500] });
    assert.deepEqual(data.slippage, { labels: ['BUY AAPL'], bps: [100] });
  });

  it('leaves out what the report lacks, and says so', () => {
    const html = renderDayReportHtml(report({
      status: 'stopped', pnl: null, slippage: null, performance: null, reconciliation: null, startingPositions: undefined,
    }), OPTIONS);
    assert.ok(!html.includes('<canvas id="chart-equity"') && !html.includes('<canvas id="chart-slippage"'));
    assert.ok(html.includes('<canvas id="chart-sectors"'));
    assert.ok(html.includes('it carries no starting positions'));
    assert.equal(JSON.parse(/id="report-data">(.*?)<\/script>/s.exec(html)![1]!).sectors.before, null);
    const noCharts = renderDayReportHtml(report(), { ...OPTIONS, chartJs: null });
    assert.ok(!noCharts.includes('<canvas'), 'no canvas without Chart.js');
  });

  it('computes the daily targets', () => {
    const targets = Object.fromEntries(dayTargets(report()).map((target) => [target.name, target]));
    assert.equal(targets['Order success rate']!.value, '33.3%', '1 filled of 3 sent');
    assert.equal(targets['Position tracking accuracy']!.value, '50.0%', 'ZZZZ differs, AAPL matches');
    assert.equal(targets['Risk compliance']!.value, '1 breach', 'the order the broker rejected');
    assert.equal(targets['Signal-to-fill latency']!.value, 'n/a', 'no fill carries a time');
    const timed = Object.fromEntries(dayTargets(report({
      fillLatency: { from: '2026-12-01T14:30:00Z', fills: 20, p50Seconds: 1.5, p95Seconds: 4.25, maxSeconds: 9 },
    })).map((target) => [target.name, target]));
    assert.equal(timed['Signal-to-fill latency']!.value, 'p50 1.50 s · p95 4.25 s');
    assert.match(timed['Signal-to-fill latency']!.detail, /over 20 fills \(slowest 9\.00 s\)/);
    const clean = Object.fromEntries(dayTargets(report({ orders: [], reconciliation: null })).map((target) => [target.name, target.value]));
    assert.deepEqual(clean, {
      'Order success rate': 'n/a', 'Position tracking accuracy': 'not reconciled', 'Risk compliance': 'compliant', 'Signal-to-fill latency': 'n/a',
    });
  });

  it('says why a failed day failed', () => {
    const html = renderDayReportHtml(report({ status: 'failed', failure: { phase: 'submitting', error: `broker down ${EVIL}` } }), OPTIONS);
    assert.match(html, /<dt>Failed<\/dt><dd>in submitting: broker down &lt;script&gt;/);
  });

  it('keeps an equity curve compact', () => {
    const series = Array.from({ length: 1_000 }, (_, i) => ({ timestamp: new Date(Date.UTC(2024, 0, 1 + i)).toISOString(), equity: i === 3 ? 0 : 1_000 + i }));
    const curve = equityCurveOf(series, '1D', 100);
    assert.equal(curve.length, 100);
    assert.deepEqual(curve[0], ['2024-01-01', 1_000]);
    assert.deepEqual(curve[99], ['2026-09-26', 1_999]);
    assert.deepEqual(equityCurveOf(series.slice(0, 2), '1H'), [[series[0]!.timestamp, 1_000], [series[1]!.timestamp, 1_001]]);
  });
});
