import type { BrokerPort } from '../broker/port';
import type { AccountStateStore } from '../contracts/account';
import type { ExecutionConfig } from '../config-schema';
import type { Redact } from './redaction';

/** What the activities need from the worker: built once in `worker.ts`, faked in unit tests. */
export interface ActivityDeps {
  /** The broker of one configured account; throws for an account this worker does not trade. */
  brokerFor(account: string): BrokerPort;
  config: ExecutionConfig;
  /** Sector by symbol: the bundled GICS map, risk_management.sector_map_file, then sector_map (worker.ts sectorsFor). */
  sectors: Record<string, string>;
  /** Where each account's trading state (the kill switch's memory) lives. */
  accountStates: AccountStateStore;
  /** Removes the worker's secrets from a text (error messages); the identity when none are known. */
  redact?: Redact;
}
