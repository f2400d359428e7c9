/** `GET /v3/clock`: the multi-market clock, for NYSE and NASDAQ (both on the NYSE calendar), at now or `time`. */
import { addDays, etInstant, etParts, formatEt, isEarlyClose, marketClock, regularSession, type MarketMode } from './calendar';
import { parseTime, queryOf } from './http';
import { SimError } from './sim-error';
import type { SimState } from './state';
import type { Register } from './trading-routes';

const MARKETS: Readonly<Record<string, Record<string, string>>> = {
  NYSE: { acronym: 'NYSE', mic: 'XNYS', name: 'New York Stock Exchange', timezone: 'America/New_York' },
  NASDAQ: { acronym: 'NASDAQ', mic: 'XNAS', name: 'Nasdaq Stock Market', timezone: 'America/New_York' },
};

type Phase = 'closed' | 'pre' | 'core' | 'post';

/** The phase of the US equity day at an instant, and when it ends: pre 04:00, core 09:30, post to 20:00 (17:00 early). */
export function phaseAt(mode: MarketMode, ms: number): { phase: Phase; until: number; isMarketDay: boolean } {
  const clock = marketClock(mode, ms);
  if (mode === 'always-open') return { phase: 'core', until: clock.nextClose, isMarketDay: true };
  const date = etParts(ms).date;
  const session = regularSession(date);
  if (session) {
    const pre = etInstant(date, 4, 0);
    const post = etInstant(date, isEarlyClose(date) ? 17 : 20, 0);
    if (ms >= pre && ms < session.open) return { phase: 'pre', until: session.open, isMarketDay: true };
    if (ms >= session.open && ms < session.close) return { phase: 'core', until: session.close, isMarketDay: true };
    if (ms >= session.close && ms < post) return { phase: 'post', until: post, isMarketDay: true };
  }
  // Closed until the next pre-market (04:00 on the next trading day).
  const nextDate = etParts(clock.nextOpen).date;
  const nextPre = etInstant(nextDate, 4, 0);
  return { phase: 'closed', until: nextPre > ms ? nextPre : etInstant(addDays(date, 1), 4, 0), isMarketDay: session !== null };
}

export function registerClockRoutes(route: Register, state: SimState): void {
  route('GET', '/v3/clock', (req) => {
    const q = queryOf(req);
    const t = parseTime(q.time, 'time') ?? state.time.now();
    const names = (q.markets ?? 'NYSE').split(',').map((m) => m.trim().toUpperCase()).filter((m) => m !== '');
    const clocks = names.map((name) => {
      const market = MARKETS[name];
      if (!market) throw new SimError(400, 40010001, `invalid market: ${name}`);
      const clock = marketClock(state.config.market, t);
      const phase = phaseAt(state.config.market, t);
      return {
        market, timestamp: formatEt(t), is_market_day: phase.isMarketDay,
        next_market_open: formatEt(clock.nextOpen), next_market_close: formatEt(clock.nextClose),
        phase: phase.phase, phase_until: formatEt(phase.until),
      };
    });
    return { body: { clocks } };
  });
}
