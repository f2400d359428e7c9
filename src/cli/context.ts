/** What every command starts from: the config, the account it acts for, and a Temporal client for its duration. */
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { ConfigError, loadExecutionConfig, type ExecutionConfig } from '../config';
import { temporalSettingsFromEnv, type TemporalSettings } from '../env';
import { openClientConnection } from '../temporal/connection';
import { CliError, EXIT } from './errors';

/** The validated config, or exit 2 naming the bad field. */
export function configOrExit(): ExecutionConfig {
  try {
    return loadExecutionConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.invalidInput);
    throw error;
  }
}

/** The `--account` option: a configured account, else the config's default account. */
export function accountOption(config: ExecutionConfig, requested: string | undefined): string {
  const known = config.accounts?.map((account) => account.name) ?? [config.execution.account];
  const account = requested ?? config.execution.account;
  if (!known.includes(account)) {
    throw new CliError(`--account: "${account}" is not a configured account (${known.join(', ')})`, EXIT.invalidInput);
  }
  return account;
}

/** A Temporal client for one command; close the connection when done. */
export async function connectClient(settings: TemporalSettings = temporalSettingsFromEnv()): Promise<{ client: Client; settings: TemporalSettings; close(): Promise<void> }> {
  const connection = await openClientConnection(settings, { connectTimeout: '5 seconds' });
  return { client: new Client({ connection, namespace: settings.namespace }), settings, close: () => connection.close() };
}

/** Runs a command's work with a client and the task queue, closing the connection after; a missing run exits 4. */
export async function withClient<T>(action: (client: Client, taskQueue: string) => Promise<T>): Promise<T> {
  const { client, settings, close } = await connectClient();
  try {
    return await action(client, settings.taskQueue);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      throw new CliError(`no run found: ${error.workflowId ?? 'unknown workflow'} (check --date and the account)`, EXIT.notFound);
    }
    throw error;
  } finally {
    await close();
  }
}

/** Options every per-day command takes (declared by `perDayOptions` in ./options). */
export interface DayOptions { date?: string; account?: string }
