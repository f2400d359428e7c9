import { z } from 'zod';
import { ACCOUNT_NAME, ACCOUNT_NAME_RULE } from './domain/day-input';
import { SYMBOL_PATTERN } from './domain/signals';
import { ALERT_FORMATS, ALERT_KINDS } from './domain/alerts';

/**
 * The one schema for `config/execution.yaml`. Keys mirror the file (snake_case) so an operator can map an
 * error path straight to a line. Defaults are the seed's. Sandbox-safe: no I/O here, see `config.ts` for loading.
 */
/** Keys of `signal_sources`, as a schedule names them. */
export const SOURCE_KEY = /^[a-z0-9][a-z0-9_-]{0,31}$/;
// Every object of the file is strict: an unknown key (a typo such as `max_positon_size`) is an error, never a
// silently ignored line that leaves the default in force (config.ts names the closest known key). Every number is
// bounded; `z.number()` already refuses NaN and ±Infinity (YAML `.nan`, `.inf`).
/** A share of equity in (0, 1]: a cap of 0 would forbid everything, so it is refused as a likely mistake. */
const share = (what: string) => z.number().gt(0, `${what} must be above 0`).max(1, `${what} must be at most 1`);
/** A share of equity in [0, 1], for the few fields where 0 has a meaning (said at each use). */
const shareOrZero = (what: string) => z.number().min(0, `${what} must be at least 0`).max(1, `${what} must be at most 1`);
/** Money is bounded: below a trillion dollars, so `1e308` (or a slipped exponent) never reads as "no limit". */
export const MAX_DOLLARS = 1e12;
const positiveDollars = z.number().positive('must be a positive dollar amount')
  .lt(MAX_DOLLARS, 'must be a dollar amount below 1e12 (1,000,000,000,000)');
/** An environment variable's name (never its value). */
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name');

export const executionConfigSchema = z.strictObject({
  execution: z.strictObject({
    enabled: z.boolean().default(true),
    mode: z.enum(['paper', 'live']).default('paper'),
    /** 0 is meaningful: every non-zero signal opens a position. */
    signal_threshold: shareOrZero('signal_threshold').default(0.1),
    /** Name of the account this worker trades; part of every workflow id. */
    account: z.string().regex(ACCOUNT_NAME, ACCOUNT_NAME_RULE).default('main'),
    order_type: z.enum(['market', 'limit']).default('market'),
    /**
     * Each account key's broker request budget per rolling minute (Alpaca's default is 200); the worker paces every
     * request of the account to it, so the broker never answers 429. An entry of `accounts` may set its own.
     */
    broker_requests_per_minute: z.number().int().min(1).max(100_000, 'broker_requests_per_minute must be at most 100000').default(200),
    /** For limit orders: how far past the quote to price them, in basis points. */
    limit_offset_bps: z.number().min(0).max(500).default(10),
    /**
     * What a signal whose |strength| is below signal_threshold (or 0) does to a held position: `hold` keeps it (no
     * new view), `close` sells or covers it to 0. It never opens a position; a held symbol without a signal is held.
     */
    below_threshold: z.enum(['hold', 'close']).default('hold'),
  }).prefault({}),
  position_sizing: z.strictObject({
    method: z.enum(['signal_proportional', 'equal_weight', 'inverse_volatility', 'volatility_target'])
      .default('signal_proportional'),
    max_position_size: share('max_position_size').default(0.1),
    min_trade_size: positiveDollars.default(100),
    max_trade_size: positiveDollars.default(10_000),
    /** Whether max_trade_size also clips exits (a sell of a long, a cover of a short, up to the position); off: exempt. */
    max_trade_size_applies_to_exits: z.boolean().default(false),
    allow_shorts: z.boolean().default(false),
    fractional: z.boolean().default(false),
    /** Drift below this share of equity is left alone; 0 is meaningful: every drift is traded back. */
    rebalance_band: shareOrZero('rebalance_band').default(0.005),
    /** volatility_target: the annualized portfolio volatility sqrt(wᵀΣw) the signal weights are scaled to. */
    target_volatility: z.number().positive('target_volatility must be positive').max(2, 'target_volatility must be at most 2').default(0.1),
  }).prefault({}),
  risk_management: z.strictObject({
    /** 0 is meaningful: any loss at all breaches (a flat day never does, see dailyLossBreached). */
    max_daily_loss: shareOrZero('max_daily_loss').default(0.02),
    max_position_risk: share('max_position_risk').default(0.05),
    max_orders_per_day: z.number().int().positive().max(10_000, 'max_orders_per_day must be at most 10000').default(100),
    max_sector_exposure: share('max_sector_exposure').default(0.3),
    /** |long − short| per sector; net never exceeds gross, so it binds only when set below max_sector_exposure. */
    max_sector_net_exposure: share('max_sector_net_exposure').default(0.3),
    /** Sectors by symbol for names the bundled S&P 500 map lacks (ETFs…), over sector_map_file and the bundled map. */
    sector_map: z.record(
      z.string().trim().toUpperCase().max(10, 'a symbol of at most 10 characters').regex(SYMBOL_PATTERN, 'a symbol, e.g. SPY or BRK.B'),
      z.string().trim().min(1, 'a sector name, e.g. ETF').max(64, 'a sector name of at most 64 characters'),
    ).default({}),
    /** A CSV with the bundled map's columns (Symbol, GICS Sector), read by the worker at start, over the bundled map. */
    sector_map_file: z.string().trim().min(1, 'sector_map_file: a path').optional(),
    /**
     * A symbol with no sector: `own_sector` caps it alone at the sector limits, `group` caps all such symbols
     * together as one sector UNKNOWN, `reject` refuses new exposure in it (UNKNOWN_SECTOR). Never uncapped.
     */
    unknown_sector: z.enum(['reject', 'own_sector', 'group']).default('own_sector'),
    /** Trading days of returns behind volatility and covariance (sizing, position risk). */
    volatility_window_days: z.number().int().min(20, 'volatility_window_days must be at least 20').max(756).default(252),
    /** Trading days of returns behind the correlation grouping. */
    correlation_window_days: z.number().int().min(20, 'correlation_window_days must be at least 20').max(756).default(60),
    /** Two symbols whose return correlation exceeds this are in one correlated group. */
    correlation_threshold: z.number().min(-1).max(1, 'correlation_threshold must be at most 1').default(0.7),
    /** Gross exposure cap of each correlated group, as a share of equity. */
    max_correlated_exposure: share('max_correlated_exposure').default(0.4),
    /** The portfolio's long + short market value, as a multiple of equity (1 = unlevered; Reg T allows 2 overnight). */
    max_gross_exposure: z.number().positive('max_gross_exposure must be positive').max(4, 'max_gross_exposure must be at most 4').default(1),
    /** |long − short| of the portfolio, as a multiple of equity. */
    max_net_exposure: z.number().positive('max_net_exposure must be positive').max(4, 'max_net_exposure must be at most 4').default(1),
    /** A market order is not sized from a quote older than this at the plan's time. */
    max_quote_age_seconds: z.number().positive('max_quote_age_seconds must be positive').max(86_400).default(600),
    /** Nor from a quote whose spread, (ask − bid) / mid, is wider than this, in basis points. */
    max_spread_bps: z.number().positive('max_spread_bps must be positive').max(10_000).default(200),
    /**
     * Limit and stop prices further than this from the last trade are rejected (0.1 = 10%); so is a market order
     * whose last trade is further than this from the ask (buy) or bid (sell) it would take.
     */
    price_collar_pct: z.number().positive('price_collar_pct must be positive').max(1).default(0.1),
    /**
     * Which of the account's buying powers buys are fitted to: `regt` the overnight (Reg T) one, `non_marginable`
     * cash without margin, `intraday` Alpaca's buying_power (up to 4× equity). An absent figure falls back to buying_power.
     */
    buying_power_basis: z.enum(['regt', 'non_marginable', 'intraday']).default('regt'),
    max_order_notional: positiveDollars.default(25_000),
    on_daily_loss_breach: z.enum(['REDUCING', 'HALTED']).default('HALTED'),
    /** After a day whose equity fell through max_daily_loss, halt the account for later days too (until resumed). */
    halt_account_on_daily_loss: z.boolean().default(false),
    restricted_symbols: z.array(z.string().trim().min(1, 'a symbol, e.g. AAPL')).default([]),
  }).prefault({}),
  timing: z.strictObject({
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
    /**
     * Orders in flight at once within a wave (sells, then buys). 1 sends them one after the other. The broker's
     * request budget still applies (Alpaca: 200 a minute per account by default).
     */
    submit_concurrency: z.number().int().min(1).max(32, 'submit_concurrency must be at most 32').default(8),
    /**
     * Orders one submit activity sends (through submit_concurrency lanes). Larger batches cost the workflow less
     * per order; a pause takes effect between batches, and a stop within ~0.1 s whatever the size.
     */
    submit_batch_size: z.number().int().min(1).max(500, 'submit_batch_size must be at most 500').default(50),
  }).prefault({}),
  reports: z.strictObject({
    /**
     * Where the worker writes each day's full decision trail (every symbol, every risk check's verdict) as JSON:
     * the history carries the orders and a compact explanation; a large universe's full trail lives here.
     */
    trail_dir: z.string().min(1).default('.tradeflow/trails'),
    /**
     * Where the worker writes each day's report when the day ends (completed, stopped, halted, closed or failed):
     * `<workflowId>.json` and a self-contained `<workflowId>.html` with charts. `tradeflow report` writes here too.
     */
    report_dir: z.string().min(1).default('.tradeflow/reports'),
  }).prefault({}),
  /**
   * Where a schedule may read the day's signals, by key: workflow input names a key, never a path or a command.
   * `{date}` in a path or an argument becomes the trading date. A command runs without a shell.
   */
  signal_sources: z.record(
    z.string().regex(SOURCE_KEY, 'a source key: lowercase letters, digits, - and _, at most 32'),
    z.union([
      z.strictObject({ file: z.string().min(1, 'file: a path') }),
      z.strictObject({
        command: z.array(z.string()).min(1, 'command: the program and its arguments, as a list'),
        timeout_seconds: z.number().positive().max(3600).default(120),
      }),
    ]),
  ).default({}),
  /**
   * Several accounts on one worker, each its own workflow per day and its own keys. Only the NAMES of the
   * environment variables holding the keys are here: the keys stay in the worker's environment.
   * Absent: one account, `execution.account`, with APCA_API_KEY_ID / APCA_API_SECRET_KEY.
   */
  accounts: z.array(z.strictObject({
    name: z.string().regex(ACCOUNT_NAME, ACCOUNT_NAME_RULE),
    key_id_env: envName,
    secret_key_env: envName,
    /** Optional variable naming the trading API URL (e.g. the simulator); default APCA_API_BASE_URL or Alpaca paper. */
    base_url_env: envName.optional(),
    /** This account's request budget per rolling minute; default execution.broker_requests_per_minute. */
    requests_per_minute: z.number().int().min(1).max(100_000).optional(),
  })).optional(),
  /**
   * Alerts to a webhook: each day's summary, halts and stops, daily loss breaches, failed days. Absent (or no
   * `webhook_url`): off. The URL may carry a token: it stays with the worker (never logged; the workflow's copy of
   * the config holds a marker instead), and the worker's `sendAlert` activity posts to it.
   */
  alerts: z.strictObject({
    webhook_url: z.url({ protocol: /^https?$/, error: 'an http(s) URL, e.g. https://hooks.slack.com/services/...' }).optional(),
    /** `json`: `{source, kind, text, event}`; `slack`: a Slack incoming webhook's `{text, blocks}`. */
    format: z.enum(ALERT_FORMATS).default('json'),
    /** Which alerts to send: summary, halt, daily_loss, failure (default all). */
    events: z.array(z.enum(ALERT_KINDS)).min(1, 'at least one kind (leave webhook_url out to turn alerts off)')
      .default([...ALERT_KINDS]),
  }).optional(),
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
