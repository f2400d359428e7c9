import type { ExecutionConfig } from '../config-schema';
import { floorShares, roundTo } from './money';
import { matrixIndex, type SymbolMatrix } from './stats';
import type { Account, Asset, Signal } from './types';

/** A signal turned into a target portfolio weight (signed share of equity), with why. */
export interface SizedSignal {
  symbol: string;
  strength: number;
  /** Signed target weight; 0 for a signal below the threshold. */
  weight: number;
  /** False when the signal is too weak to act on. */
  passed: boolean;
  /** The sizing rule applied: the method name, BELOW_THRESHOLD or VOLATILITY_FALLBACK. */
  code: string;
  detail: string;
}

/** True when |strength| reaches config.execution.signal_threshold (and is not zero). */
export function passesThreshold(strength: number, config: ExecutionConfig): boolean {
  return strength !== 0 && Math.abs(strength) >= config.execution.signal_threshold;
}

/**
 * Target weights for the signals by config.position_sizing.method, each within ±max_position_size.
 * - signal_proportional: strength × max_position_size.
 * - equal_weight: sign × min(max_position_size, 1/N) over the N passing signals.
 * - inverse_volatility: sign × min(max_position_size, (1/σ) / Σ(1/σ)) over passing signals with a known σ.
 * - volatility_target: the signal_proportional weights of the symbols with a known σ, scaled by one factor k so the
 *   portfolio's annualized volatility sqrt(wᵀΣw) equals position_sizing.target_volatility, then each capped at
 *   ±max_position_size (a cap only lowers the volatility). Σ is `covariance`; a pair it lacks is taken as perfectly
 *   correlated (σᵢσⱼ), the conservative guess. Held symbols without a signal are not part of the scaled set.
 * The two volatility methods fall back to signal_proportional for a symbol without a usable σ.
 */
export function sizeSignals(
  signals: Signal[], config: ExecutionConfig, volatility: Record<string, number> = {}, covariance?: SymbolMatrix,
): SizedSignal[] {
  const { method, max_position_size: maxWeight } = config.position_sizing;
  const passing = signals.filter((signal) => passesThreshold(signal.strength, config));
  const volOf = (symbol: string): number | undefined => {
    const sigma = volatility[symbol];
    return sigma !== undefined && Number.isFinite(sigma) && sigma > 0 ? sigma : undefined;
  };
  const inverseVolTotal = passing.reduce((sum, signal) => {
    const sigma = volOf(signal.symbol);
    return sigma === undefined ? sum : sum + 1 / sigma;
  }, 0);
  const threshold = config.execution.signal_threshold;
  const scaling = method === 'volatility_target'
    ? volatilityTargetScale(passing.filter((signal) => volOf(signal.symbol) !== undefined), config, volOf, covariance)
    : null;

  return signals.map((signal): SizedSignal => {
    const { symbol, strength } = signal;
    if (!passesThreshold(strength, config)) {
      return { symbol, strength, weight: 0, passed: false, code: 'BELOW_THRESHOLD', detail: `|${strength}| is below signal_threshold ${threshold}` };
    }
    const sign = Math.sign(strength);
    const proportional = (prefix = '') => ({
      symbol, strength, weight: clampWeight(strength * maxWeight, maxWeight), passed: true,
      code: prefix ? 'VOLATILITY_FALLBACK' : 'SIGNAL_PROPORTIONAL',
      detail: `${prefix}weight = ${strength} × max_position_size ${maxWeight}`,
    });
    switch (method) {
      case 'signal_proportional':
        return proportional();
      case 'equal_weight': {
        const weight = clampWeight(sign / passing.length, maxWeight);
        return { symbol, strength, weight, passed: true, code: 'EQUAL_WEIGHT', detail: `weight = sign × min(${maxWeight}, 1/${passing.length})` };
      }
      case 'inverse_volatility': {
        const sigma = volOf(symbol);
        if (sigma === undefined) return proportional(`${method}: no volatility for ${symbol}, fell back to signal_proportional: `);
        const weight = clampWeight(sign / sigma / inverseVolTotal, maxWeight);
        return { symbol, strength, weight, passed: true, code: 'INVERSE_VOLATILITY', detail: `weight = sign × min(${maxWeight}, (1/${sigma}) / Σ(1/σ))` };
      }
      case 'volatility_target': {
        const sigma = volOf(symbol);
        if (sigma === undefined || scaling === null) return proportional(`${method}: no volatility for ${symbol}, fell back to signal_proportional: `);
        const weight = clampWeight(scaling.k * strength * maxWeight, maxWeight);
        return {
          symbol, strength, weight, passed: true, code: 'VOLATILITY_TARGET',
          detail: `weight = k ${roundTo(scaling.k, 6)} × ${strength} × max_position_size ${maxWeight}, within ±${maxWeight}; `
            + `k = target_volatility ${config.position_sizing.target_volatility} / unscaled portfolio σ ${roundTo(scaling.unscaledVol, 6)}`
            + ` (σ after caps ${roundTo(scaling.cappedVol, 6)} over ${scaling.count} symbols)`,
        };
      }
    }
  });
}

/** The factor k of volatility_target sizing and the portfolio volatility before and after the caps. */
interface VolatilityScale {
  k: number;
  unscaledVol: number;
  cappedVol: number;
  count: number;
}

/** sqrt(wᵀΣw) for weights over symbols, Σ from the covariance matrix or σᵢσⱼ where it has no value. */
export function portfolioVolatility(
  weights: ReadonlyArray<readonly [string, number]>, volOf: (symbol: string) => number | undefined, covariance?: SymbolMatrix,
): number {
  const index = covariance ? matrixIndex(covariance) : new Map<string, number>();
  const rows = weights.map(([symbol]) => index.get(symbol));
  const sigmas = weights.map(([symbol]) => volOf(symbol) ?? 0);
  let variance = 0;
  weights.forEach(([, wa], i) => {
    const row = rows[i] === undefined ? undefined : covariance!.values[rows[i]];
    weights.forEach(([, wb], j) => {
      const column = rows[j];
      let cov = row && column !== undefined ? row[column]! : Number.NaN;
      if (!Number.isFinite(cov)) cov = sigmas[i]! * sigmas[j]!;
      variance += wa * wb * cov;
    });
  });
  return Math.sqrt(Math.max(0, variance));
}

function volatilityTargetScale(
  signals: Signal[], config: ExecutionConfig, volOf: (symbol: string) => number | undefined, covariance?: SymbolMatrix,
): VolatilityScale | null {
  const maxWeight = config.position_sizing.max_position_size;
  const unscaled = signals.map((signal) => [signal.symbol, signal.strength * maxWeight] as const);
  const unscaledVol = portfolioVolatility(unscaled, volOf, covariance);
  if (!(unscaledVol > 0)) return null;
  const k = config.position_sizing.target_volatility / unscaledVol;
  const capped = unscaled.map(([symbol, weight]) => [symbol, clampWeight(k * weight, maxWeight)] as const);
  return { k, unscaledVol, cappedVol: portfolioVolatility(capped, volOf, covariance), count: signals.length };
}

// Rounding to 10 decimals drops float residue (0.8 × 0.1 = 0.08000000000000002) that would only clutter decisions.
function clampWeight(weight: number, maxWeight: number): number {
  return Math.max(-maxWeight, Math.min(maxWeight, roundTo(weight, 10)));
}

/** Whether a new or larger short is allowed: config allow_shorts, the account's shorting, and the asset shortable. */
export function shortingAllowed(config: ExecutionConfig, account: Account, asset: Asset | undefined): { allowed: boolean; reason: string } {
  if (!config.position_sizing.allow_shorts) return { allowed: false, reason: 'allow_shorts is off' };
  if (!account.shortingEnabled) return { allowed: false, reason: 'shorting is disabled on the account' };
  if (!asset?.shortable) return { allowed: false, reason: 'asset is not shortable' };
  return { allowed: true, reason: 'shorting allowed' };
}

/** Whether quantities in this symbol may be fractional: config fractional and the asset fractionable. */
export function fractionalAllowed(config: ExecutionConfig, asset: Asset | undefined): boolean {
  return config.position_sizing.fractional && asset?.fractionable === true;
}

/**
 * Signed target quantity for a weight at a price, truncated toward zero so the position never exceeds the weight.
 * Shorts are always whole shares (Alpaca does not short fractions).
 */
export function targetQuantity(weight: number, equity: number, price: number, fractional: boolean): number {
  if (!(price > 0) || !(equity > 0) || weight === 0) return 0;
  return floorShares((weight * equity) / price, fractional && weight > 0);
}
