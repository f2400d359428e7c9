import { ApplicationFailure } from '@temporalio/activity';

/**
 * The most an activity returns: Temporal refuses payloads over 2 MB, and a history of several such results nears
 * its own limits. A result above this fails at once, non-retryably and saying why, instead of being retried.
 */
export const MAX_RESULT_BYTES = 1_500_000;

export function ensureFitsInHistory<T>(result: T, what: string, hint: string): T {
  const bytes = Buffer.byteLength(JSON.stringify(result) ?? '', 'utf8');
  if (bytes > MAX_RESULT_BYTES) {
    throw ApplicationFailure.nonRetryable(
      `${what} is ${(bytes / 1e6).toFixed(1)} MB, above the ${(MAX_RESULT_BYTES / 1e6).toFixed(1)} MB a workflow's history may carry safely; ${hint}`,
      'PayloadTooLarge',
    );
  }
  return result;
}
