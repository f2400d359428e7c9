import { z } from 'zod';
import { ACCOUNT_NAME, ACCOUNT_NAME_RULE } from './domain/day-input';

/**
 * The one schema for `config/execution.yaml`. Keys mirror the file (snake_case) so an operator can map an
 * error path straight to a line. Defaults are the seed's. Sandbox-safe: no I/O here, see `config.ts` for loading.
 */
const share = (what: string) => z.number().min(0, `${what} must be at least 0`).max(1, `${what} must be at most 1`);
const positiveDollars = z.number().positive('must be a positive dollar amount');

export const executionConfigSchema = z.object({
  execution: z.object({
    enabled: z.boolean().default(true),
    mode: z.enum(['paper', 'live']).default('paper'),
    signal_threshold: share('signal_threshold').default(0.1),
    /** Name of the account this worker trades; part of every workflow id. */
    account: z.string().regex(ACCOUNT_NAME, ACCOUNT_NAME_RULE).default('main'),
    order_type: z.enum(['market', 'limit']).default('market'),
    /** For limit orders: how far past the quote to price them, in basis points. */
    limit_offset_bps: z.number().min(0).max(500).default(10),
  }).prefault({}),
  position_sizing: z.object({
    method: z.enum(['signal_proportional', 'equal_weight', 'inverse_volatility', 'volatility_target'])
      .default('signal_proportional'),
    max_position_size: share('max_position_size').default(0.1),
    min_trade_size: positiveDollars.default(100),
    max_trade_size: positiveDollars.default(10_000),
    allow_shorts: z.boolean().default(false),
    fractional: z.boolean().default(false),
    /** Drift below this share of equity is left alone. */
    rebalance_band: share('rebalance_band').default(0.005),
    /** volatility_target: the annualized portfolio volatility sqrt(wᵀΣw) the signal weights are scaled to. */
    target_volatility: z.number().positive('target_volatility must be positive').max(2, 'target_volatility must be at most 2').default(0.1),
  }).prefault({}),
  risk_management: z.object({
    max_daily_loss: share('max_daily_loss').default(0.02),
    max_position_risk: share('max_position_risk').default(0.05),
    max_orders_per_day: z.number().int().positive().default(100),
    max_sector_exposure: share('max_sector_exposure').default(0.3),
    /** |long − short| per sector; net never exceeds gross, so it binds only when set below max_sector_exposure. */
    max_sector_net_exposure: share('max_sector_net_exposure').default(0.3),
    /** Trading days of returns behind volatility and covariance (sizing, position risk). */
    volatility_window_days: z.number().int().min(20, 'volatility_window_days must be at least 20').max(756).default(252),
    /** Trading days of returns behind the correlation grouping. */
    correlation_window_days: z.number().int().min(20, 'correlation_window_days must be at least 20').max(756).default(60),
    /** Two symbols whose return correlation exceeds this are in one correlated group. */
    correlation_threshold: z.number().min(-1).max(1, 'correlation_threshold must be at most 1').default(0.7),
    /** Gross exposure cap of each correlated group, as a share of equity. */
    max_correlated_exposure: share('max_correlated_exposure').default(0.4),
    /** Limit and stop prices further than this from the last quote are rejected (0.1 = 10%). */
    price_collar_pct: z.number().positive('price_collar_pct must be positive').max(1).default(0.1),
    max_order_notional: positiveDollars.default(25_000),
    on_daily_loss_breach: z.enum(['REDUCING', 'HALTED']).default('HALTED'),
    restricted_symbols: z.array(z.string()).default([]),
  }).prefault({}),
  timing: z.object({
    wait_for_open: z.boolean().default(true),
    poll_interval_seconds: z.number().positive().max(3600).default(5),
    cancel_before_close_minutes: z.number().min(0).max(390).default(10),
    /** Longest a day waits for fills after submitting, whatever the close. */
    max_fill_wait_minutes: z.number().positive().max(24 * 60).default(390),
    /**
     * How long a submit keeps retrying a broker that fails or does not answer; after that the order's outcome is
     * `unknown` and the day keeps looking it up by client order id.
     */
    submit_retry_minutes: z.number().positive().max(60).default(20),
  }).prefault({}),
  /**
   * Several accounts on one worker, each its own workflow per day and its own keys. Only the NAMES of the
   * environment variables holding the keys are here: the keys stay in the worker's environment.
   * Absent: one account, `execution.account`, with APCA_API_KEY_ID / APCA_API_SECRET_KEY.
   */
  accounts: z.array(z.object({
    name: z.string().regex(ACCOUNT_NAME, ACCOUNT_NAME_RULE),
    key_id_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name'),
    secret_key_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name'),
    /** Optional variable naming the trading API URL (e.g. the simulator); default APCA_API_BASE_URL or Alpaca paper. */
    base_url_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name').optional(),
  })).optional(),
}).superRefine((config, ctx) => {
  const names = config.accounts?.map((account) => account.name) ?? [];
  names.forEach((name, index) => {
    if (names.indexOf(name) !== index) {
      ctx.addIssue({ code: 'custom', path: ['accounts', index, 'name'], message: `account "${name}" is listed twice` });
    }
  });
  if (config.position_sizing.min_trade_size > config.position_sizing.max_trade_size) {
    ctx.addIssue({
      code: 'custom',
      path: ['position_sizing', 'min_trade_size'],
      message: `must not exceed max_trade_size (${config.position_sizing.max_trade_size})`,
    });
  }
});

/** The validated configuration, as the workflow and the domain see it. */
export type ExecutionConfig = z.infer<typeof executionConfigSchema>;
