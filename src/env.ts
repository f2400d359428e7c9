import { DEFAULT_TASK_QUEUE } from './names';
import { temporalConnectionFromEnv, type TemporalConnectionConfig } from './temporal/connection';

/** Where the Temporal server is and which queue tradeflow uses, from the environment. */
export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  /**
   * How to connect: TLS, API key, from Temporal's environment configuration (src/temporal/connection.ts). Absent, a
   * plain connection to `address`.
   */
  connection?: TemporalConnectionConfig;
}

/**
 * Temporal's own environment configuration, as the `temporal` CLI and the SDKs read it (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE), defaulting to
 * 127.0.0.1:7233 and the `default` namespace, and tradeflow's TRADEFLOW_TASK_QUEUE. Throws a TemporalSettingError
 * (a CliError, exit 2) naming the setting at fault.
 */
export function temporalSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const connection = temporalConnectionFromEnv(env);
  return {
    address: connection.address,
    namespace: connection.namespace,
    taskQueue: env.TRADEFLOW_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
    connection,
  };
}
