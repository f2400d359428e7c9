import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/** How often a running activity tells the server it is alive. */
export const HEARTBEAT_INTERVAL_MS = 2_000;

/**
 * Every activity heartbeats while it runs, so when a worker dies mid-call the server notices within the
 * heartbeat timeout (see `workflows/activity-options.ts`) instead of waiting out the whole start-to-close timeout.
 */
export const heartbeatWhileRunning: ActivityInterceptorsFactory = (context: Context) => ({
  inbound: {
    async execute(input, next) {
      context.heartbeat();
      const ticker = setInterval(() => context.heartbeat(), HEARTBEAT_INTERVAL_MS);
      try {
        return await next(input);
      } finally {
        clearInterval(ticker);
      }
    },
  },
});
