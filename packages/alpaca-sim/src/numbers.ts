/** Rounding shared by the ledger, the fill model and the entry checks: quantities to 9 places, cash to 6. */

/** Tolerance for comparing quantities and amounts. */
export const EPS = 1e-9;
export const round9 = (x: number) => Math.round(x * 1e9) / 1e9;
export const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
