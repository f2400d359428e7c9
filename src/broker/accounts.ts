import type { ExecutionConfig } from '../config-schema';
import { alpacaConnectionFromEnv, createAlpacaBroker, MissingAccountKeys, type AlpacaConnection } from './alpaca';
import { resolveEndpoints, type ResolvedEndpoints } from './endpoints';
import type { BrokerPort } from './port';

export { MissingAccountKeys } from './alpaca';

/** An account the worker trades: its connection (keys and URLs) and the endpoints its mode allowed. */
export interface AccountConnection {
  name: string;
  connection: AlpacaConnection;
  endpoints: ResolvedEndpoints;
}

/**
 * Every account the worker trades, from its environment: the accounts listed in `accounts` (each naming its own
 * key variables, and optionally its own URL variables), else `execution.account` with the APCA_* variables.
 * The URLs go through `resolveEndpoints`: `execution.mode` decides the hosts, and a refused combination throws
 * EndpointError before any broker exists.
 */
export function accountsFromEnv(config: ExecutionConfig, env: NodeJS.ProcessEnv = process.env): AccountConnection[] {
  const mode = config.execution.mode;
  if (!config.accounts || config.accounts.length === 0) {
    const name = config.execution.account;
    const endpoints = resolveEndpoints(mode, { name }, env);
    const connection = { ...alpacaConnectionFromEnv(env, mode, { name }), requestsPerMinute: config.execution.broker_requests_per_minute };
    return [{ name, connection, endpoints }];
  }
  return config.accounts.map((account) => {
    const endpoints = resolveEndpoints(mode, account, env);
    const read = (variable: string) => {
      const value = env[variable]?.trim();
      if (!value) throw new MissingAccountKeys(account.name, variable);
      return value;
    };
    const connection: AlpacaConnection = {
      keyId: read(account.key_id_env),
      secretKey: read(account.secret_key_env),
      tradingUrl: endpoints.tradingUrl,
      dataUrl: endpoints.dataUrl,
      requestsPerMinute: account.requests_per_minute ?? config.execution.broker_requests_per_minute,
    };
    return { name: account.name, connection, endpoints };
  });
}

/** The Alpaca connection of every account the worker trades (see `accountsFromEnv`). */
export function accountConnectionsFromEnv(config: ExecutionConfig, env: NodeJS.ProcessEnv = process.env): Record<string, AlpacaConnection> {
  return Object.fromEntries(accountsFromEnv(config, env).map(({ name, connection }) => [name, connection]));
}

/** One broker per configured account, on the endpoints `execution.mode` allows. */
export function brokersFromEnv(config: ExecutionConfig, env: NodeJS.ProcessEnv = process.env): Record<string, BrokerPort> {
  return Object.fromEntries(accountsFromEnv(config, env).map(({ name, connection }) => [name, createAlpacaBroker(connection)]));
}
