/**
 * Which Alpaca hosts an account trades on, decided by `execution.mode` (the live-trading guard). Pure: no I/O, the
 * environment is passed in. `paper` never reaches Alpaca's live host whatever the URL variables say; `live` needs
 * TRADEFLOW_ALLOW_LIVE=yes and Alpaca's own hosts. Messages name the account and the variable, and show at most a
 * URL's host: never a key, never a whole URL (it could carry credentials).
 */

export type TradingMode = 'paper' | 'live';

export const PAPER_TRADING_URL = 'https://paper-api.alpaca.markets';
export const LIVE_TRADING_URL = 'https://api.alpaca.markets';
/** Market data: the same host for paper and live. */
export const DATA_URL = 'https://data.alpaca.markets';

const PAPER_HOST = 'paper-api.alpaca.markets';
const LIVE_HOST = 'api.alpaca.markets';
const DATA_HOST = 'data.alpaca.markets';

/** The variable that must be `yes` in the worker's environment for `execution.mode: live`. */
export const ALLOW_LIVE_VARIABLE = 'TRADEFLOW_ALLOW_LIVE';
/** The shared URL variables, used when an account names none of its own. */
export const SHARED_TRADING_URL_VARIABLE = 'APCA_API_BASE_URL';
export const SHARED_DATA_URL_VARIABLE = 'APCA_API_DATA_URL';

/** The part of an account's config that chooses its URLs (an entry of `accounts`, or just a name). */
export interface AccountEndpointConfig {
  name: string;
  /** A variable holding this account's trading URL; when named, it must be set. */
  base_url_env?: string;
  /** A variable holding this account's market-data URL; when named, it must be set. */
  data_url_env?: string;
}

export interface ResolvedEndpoints {
  tradingUrl: string;
  dataUrl: string;
  mode: TradingMode;
}

/** The worker must not start with these endpoints; the message says what to change. */
export class EndpointError extends Error {
  override name = 'EndpointError';
}

/** The SDK appends `/v2/...` itself: drop trailing slashes and a `/v2` suffix. */
export function normalizeBaseUrl(url: string): string {
  return url.trim().replace(/\/+$/, '').replace(/\/v2$/i, '').replace(/\/+$/, '');
}

/** The URL's host (with its port), lower case, without a trailing dot; never its credentials or path. */
export function urlHost(url: string): string {
  const parsed = new URL(url);
  return parsed.host.toLowerCase().replace(/\.(?=:|$)/, '');
}

function hostname(parsed: URL): string {
  return parsed.hostname.toLowerCase().replace(/\.$/, '');
}

function isAlpacaHost(name: string): boolean {
  return name === 'alpaca.markets' || name.endsWith('.alpaca.markets');
}

interface Override {
  variable: string;
  value: string;
  parsed: URL;
}

/**
 * The trading and data URLs of one account. Throws EndpointError when the mode and the URL variables disagree,
 * when live trading is not allowed, or when a variable the account names is unset or not a URL.
 */
export function resolveEndpoints(mode: TradingMode, account: AccountEndpointConfig, env: NodeJS.ProcessEnv): ResolvedEndpoints {
  const who = `account "${account.name}"`;
  if (mode === 'live' && env[ALLOW_LIVE_VARIABLE] !== 'yes') {
    throw new EndpointError(
      `${who}: execution.mode is live but ${ALLOW_LIVE_VARIABLE} is not "yes" in the worker's environment; live mode sends `
      + `real orders with real money: export ${ALLOW_LIVE_VARIABLE}=yes to allow it, or set execution.mode: paper`,
    );
  }

  const override = (field: 'base_url_env' | 'data_url_env', shared: string, what: string): Override | null => {
    const named = account[field];
    const variable = named ?? shared;
    const value = env[variable]?.trim();
    if (!value) {
      if (named) {
        throw new EndpointError(
          `${who}: ${field} names ${variable}, which is not set in the worker's environment; export ${variable} `
          + `(the ${what} URL) or remove ${field} from the account to use the default`,
        );
      }
      return null;
    }
    let parsed: URL | null = null;
    try {
      parsed = new URL(value);
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname) {
      throw new EndpointError(
        `${who}: ${variable} is not an http(s) URL; set it to the ${what} API's address (e.g. http://127.0.0.1:8900 `
        + `for the simulator) or unset it to use Alpaca's`,
      );
    }
    return { variable, value, parsed };
  };

  const trading = override('base_url_env', SHARED_TRADING_URL_VARIABLE, 'trading');
  const data = override('data_url_env', SHARED_DATA_URL_VARIABLE, 'market data');

  if (mode === 'paper') {
    if (trading) {
      const host = hostname(trading.parsed);
      if (host === LIVE_HOST) {
        throw new EndpointError(
          `${who}: execution.mode is paper but ${trading.variable} points at Alpaca's live trading host ${LIVE_HOST}; `
          + `unset ${trading.variable} to trade on ${PAPER_TRADING_URL}, or point it at a simulator; to trade live, `
          + `set execution.mode: live and ${ALLOW_LIVE_VARIABLE}=yes`,
        );
      }
      if (isAlpacaHost(host) && host !== PAPER_HOST) {
        throw new EndpointError(
          `${who}: execution.mode is paper but ${trading.variable} points at ${host}, which is not Alpaca's paper `
          + `trading host ${PAPER_HOST}; unset ${trading.variable} to trade on ${PAPER_TRADING_URL}`,
        );
      }
    }
    return {
      mode,
      tradingUrl: trading ? normalizeBaseUrl(trading.value) : PAPER_TRADING_URL,
      dataUrl: data ? normalizeBaseUrl(data.value) : DATA_URL,
    };
  }

  // Live means the real thing: Alpaca's live host over https, and Alpaca's market data (orders are sized from it).
  if (trading) {
    const host = hostname(trading.parsed);
    if (host === PAPER_HOST) {
      throw new EndpointError(
        `${who}: execution.mode is live but ${trading.variable} points at Alpaca's paper host ${PAPER_HOST}; the two `
        + `contradict each other: unset ${trading.variable} to trade live on ${LIVE_TRADING_URL}, or set execution.mode: paper`,
      );
    }
    if (host !== LIVE_HOST || trading.parsed.protocol !== 'https:') {
      throw new EndpointError(
        `${who}: execution.mode is live but ${trading.variable} points at ${trading.parsed.protocol}//${urlHost(trading.value)}, not ${LIVE_TRADING_URL}; `
        + `live mode trades only on Alpaca's live host: unset ${trading.variable}, or set execution.mode: paper to `
        + `trade on a simulator`,
      );
    }
  }
  if (data && (hostname(data.parsed) !== DATA_HOST || data.parsed.protocol !== 'https:')) {
    throw new EndpointError(
      `${who}: execution.mode is live but ${data.variable} points at ${data.parsed.protocol}//${urlHost(data.value)}, not ${DATA_URL}; live `
      + `orders are sized from Alpaca's market data: unset ${data.variable}, or set execution.mode: paper`,
    );
  }
  return {
    mode,
    tradingUrl: trading ? normalizeBaseUrl(trading.value) : LIVE_TRADING_URL,
    dataUrl: data ? normalizeBaseUrl(data.value) : DATA_URL,
  };
}

/**
 * What the worker logs at start: one line per account (`account <name>: <mode> trading <host> data <host>`, hosts
 * only), and a loud line when any account trades live.
 */
export function endpointLogLines(accounts: ReadonlyArray<{ name: string; endpoints: ResolvedEndpoints }>): string[] {
  const lines = accounts.map(({ name, endpoints }) =>
    `account ${name}: ${endpoints.mode} trading ${urlHost(endpoints.tradingUrl)} data ${urlHost(endpoints.dataUrl)}`);
  const live = accounts.filter(({ endpoints }) => endpoints.mode === 'live').map(({ name }) => name);
  if (live.length > 0) {
    lines.push(`*** LIVE TRADING ENABLED by ${ALLOW_LIVE_VARIABLE}=yes: account${live.length > 1 ? 's' : ''} `
      + `${live.join(', ')} place${live.length > 1 ? '' : 's'} REAL orders with REAL money on ${LIVE_HOST} ***`);
  }
  return lines;
}
