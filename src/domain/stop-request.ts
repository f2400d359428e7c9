/** An emergency stop as the handlers use it, whatever the caller sent. */
export interface StopRequest {
  reason: string;
  flatten: boolean;
}

export const DEFAULT_STOP_REASON = 'emergency stop (no reason given)';

/**
 * Reads a stop request from any payload: the kill switch must work whatever arrives. A bare string is the
 * reason; an object's `reason` is used when it is a non-empty string; `flatten` only when it is `true`.
 * `problem` says what was wrong with the payload, for the log.
 */
export function readStopRequest(payload: unknown): StopRequest & { problem: string | null } {
  if (typeof payload === 'string') {
    const reason = payload.trim();
    return { reason: reason || DEFAULT_STOP_REASON, flatten: false, problem: reason ? null : 'empty reason' };
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return { reason: DEFAULT_STOP_REASON, flatten: false, problem: `payload is ${payload === null ? 'null' : Array.isArray(payload) ? 'an array' : typeof payload}` };
  }
  const { reason, flatten } = payload as { reason?: unknown; flatten?: unknown };
  const text = typeof reason === 'string' ? reason.trim() : '';
  const problems = [
    text ? null : 'reason missing or not a string',
    flatten === undefined || typeof flatten === 'boolean' ? null : 'flatten is not a boolean (ignored)',
  ].filter((problem): problem is string => problem !== null);
  return {
    reason: text ? text.slice(0, 500) : DEFAULT_STOP_REASON,
    flatten: flatten === true,
    problem: problems.length > 0 ? problems.join('; ') : null,
  };
}
