import { DEFAULT_TASK_QUEUE } from './names';

/** Where the Temporal server is and which queue tradeflow uses, from the environment. */
export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
}

export function temporalSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  return {
    address: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TRADEFLOW_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
  };
}
