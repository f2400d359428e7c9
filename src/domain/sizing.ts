import type { ExecutionConfig } from '../config-schema';
import { floorShares, roundTo } from './money';
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
 * - volatility_target: strength × max_position_risk / σ, so |weight| × σ stays within the position risk budget.
 * The two volatility methods fall back to signal_proportional for a symbol without a usable σ.
 */
export function sizeSignals(signals: Signal[], config: ExecutionConfig, volatility: Record<string, number> = {}): SizedSignal[] {
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
        if (sigma === undefined) return proportional(`${method}: no volatility for ${symbol}, fell back to signal_proportional: `);
        const budget = config.risk_management.max_position_risk;
        const weight = clampWeight((strength * budget) / sigma, maxWeight);
        return { symbol, strength, weight, passed: true, code: 'VOLATILITY_TARGET', detail: `weight = ${strength} × max_position_risk ${budget} / σ ${sigma}, within ±${maxWeight}` };
      }
    }
  });
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
