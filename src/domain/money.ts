/** Rounding for dollars, prices and share quantities. Pure arithmetic on plain numbers. */

/** Decimal places Alpaca accepts for fractional share quantities. */
export const FRACTIONAL_SHARE_DECIMALS = 9;

/** Price below which Alpaca accepts four decimals instead of two (the sub-penny rule). */
export const SUB_PENNY_THRESHOLD = 1;

// toPrecision(15) strips the binary noise of the multiplication (1.005 * 100 = 100.49999999999999) before rounding.
function shift(value: number, decimals: number): number {
  return Number((value * 10 ** decimals).toPrecision(15));
}

/** Rounds half away from zero to `decimals` places. */
export function roundTo(value: number, decimals: number): number {
  const sign = value < 0 ? -1 : 1;
  return (sign * Math.round(shift(Math.abs(value), decimals))) / 10 ** decimals;
}

/** Truncates toward zero to `decimals` places, so a quantity never grows by rounding. */
export function truncateTo(value: number, decimals: number): number {
  const sign = value < 0 ? -1 : 1;
  return (sign * Math.floor(shift(Math.abs(value), decimals))) / 10 ** decimals;
}

/** Rounds a dollar amount to cents, half away from zero. */
export function roundToCents(amount: number): number {
  return roundTo(amount, 2);
}

/** Decimal places a price may carry: 2 at or above $1, 4 below. */
export function priceDecimals(price: number): number {
  return Math.abs(price) >= SUB_PENNY_THRESHOLD ? 2 : 4;
}

/** Rounds a price to its tick: nearest by default, or `down`/`up` to stay on one side of the input. */
export function roundToTick(price: number, mode: 'nearest' | 'down' | 'up' = 'nearest'): number {
  const decimals = priceDecimals(price);
  const scaled = shift(price, decimals);
  const whole = mode === 'down' ? Math.floor(scaled) : mode === 'up' ? Math.ceil(scaled) : Math.round(scaled);
  const rounded = whole / 10 ** decimals;
  // Rounding 0.99995 up crosses $1, where only two decimals are allowed.
  return priceDecimals(rounded) < decimals ? roundTo(rounded, priceDecimals(rounded)) : rounded;
}

/** True when `value` has no more than `decimals` decimal places as written in JSON. */
export function hasAtMostDecimals(value: number, decimals: number): boolean {
  return Number.isFinite(value) && Number(value.toFixed(decimals)) === value;
}

/** True when a price respects the sub-penny rule (≥ $1: at most 2 decimals; < $1: at most 4). */
export function isValidPriceIncrement(price: number): boolean {
  return hasAtMostDecimals(price, priceDecimals(price));
}

/** Floors a share quantity toward zero: whole shares, or 9 decimals when fractional. */
export function floorShares(qty: number, fractional: boolean): number {
  const floored = truncateTo(qty, fractional ? FRACTIONAL_SHARE_DECIMALS : 0);
  return floored === 0 ? 0 : floored; // no -0 in plans and logs
}

/** The largest share quantity whose value at `price` stays within `dollars` (0 when the price is unusable). */
export function sharesWithin(dollars: number, price: number, fractional: boolean): number {
  if (!(price > 0) || !(dollars > 0)) return 0;
  return floorShares(dollars / price, fractional);
}

/** True when `value` is above `limit` by more than float noise (one part in 10^9), so exact-at-the-limit passes. */
export function exceedsLimit(value: number, limit: number): boolean {
  return value > limit + 1e-9 * Math.max(1, Math.abs(limit));
}
