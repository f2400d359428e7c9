import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/** How often a running activity tells the server it is alive. */
export const HEARTBEAT_INTERVAL_MS = 2_000;

/**
 * Every activity heartbeats every 2 s while it runs, so when a worker dies mid-call the server notices within the
 * heartbeat timeout (see `workflows/activity-options.ts`) instead of waiting out the whole start-to-close timeout.
 */
export const heartbeatWhileRunning: ActivityInterceptorsFactory = (context: Context) => ({
  inbound: {
    async execute(input, next) {
      // No beat at the start: the heartbeat timeout already counts from it, and a beat per submit cost the server a
      // write per order (npm run bench: the submit window 22% shorter at N=500 without it).
      const ticker = setInterval(() => context.heartbeat(), HEARTBEAT_INTERVAL_MS);
      try {
        return await next(input);
      } finally {
        clearInterval(ticker);
      }
    },
  },
});
