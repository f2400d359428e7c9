import { Client, Connection } from '@temporalio/client';
import { temporalSettingsFromEnv, type TemporalSettings } from '../env';
import { CliError, EXIT } from './errors';

/** A Temporal client for one command; close the connection when done. */
export async function connectClient(settings: TemporalSettings = temporalSettingsFromEnv()): Promise<{ client: Client; settings: TemporalSettings; close(): Promise<void> }> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: settings.address, connectTimeout: '5 seconds' });
  } catch (error) {
    throw new CliError(`cannot reach the Temporal server at ${settings.address} (TEMPORAL_ADDRESS): ${(error as Error).message}`, EXIT.failure);
  }
  return { client: new Client({ connection, namespace: settings.namespace }), settings, close: () => connection.close() };
}
