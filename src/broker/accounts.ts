import type { ExecutionConfig } from '../config-schema';
import { alpacaConnectionFromEnv, createAlpacaBroker, type AlpacaConnection } from './alpaca';
import type { BrokerPort } from './port';

/** A configured account whose keys are missing from the worker's environment. */
export class MissingAccountKeys extends Error {
  constructor(account: string, variable: string) {
    super(`account "${account}": environment variable ${variable} is not set`);
    this.name = 'MissingAccountKeys';
  }
}

/**
 * The Alpaca connection of every account the worker trades, from its environment: the accounts listed in
 * `accounts` (each naming its own key variables), else `execution.account` with the APCA_* variables.
 */
export function accountConnectionsFromEnv(config: ExecutionConfig, env: NodeJS.ProcessEnv = process.env): Record<string, AlpacaConnection> {
  if (!config.accounts || config.accounts.length === 0) {
    return { [config.execution.account]: alpacaConnectionFromEnv(env) };
  }
  const shared = { APCA_API_DATA_URL: env.APCA_API_DATA_URL, APCA_API_BASE_URL: env.APCA_API_BASE_URL };
  return Object.fromEntries(config.accounts.map((account) => {
    const read = (variable: string) => {
      const value = env[variable]?.trim();
      if (!value) throw new MissingAccountKeys(account.name, variable);
      return value;
    };
    const baseUrl = account.base_url_env ? env[account.base_url_env] : shared.APCA_API_BASE_URL;
    return [account.name, alpacaConnectionFromEnv({
      ...shared,
      APCA_API_KEY_ID: read(account.key_id_env),
      APCA_API_SECRET_KEY: read(account.secret_key_env),
      ...(baseUrl ? { APCA_API_BASE_URL: baseUrl } : {}),
    })];
  }));
}

/** One broker per configured account. */
export function brokersFromEnv(config: ExecutionConfig, env: NodeJS.ProcessEnv = process.env): Record<string, BrokerPort> {
  return Object.fromEntries(Object.entries(accountConnectionsFromEnv(config, env)).map(([name, connection]) => [name, createAlpacaBroker(connection)]));
}
