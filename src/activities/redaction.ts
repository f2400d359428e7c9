import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/** Replaces every secret of the worker in a text; secrets shorter than 6 characters are too common to look for. */
export type Redact = (text: string) => string;

export const REDACTED = '[redacted]';

export function createRedactor(secrets: Array<string | undefined>): Redact {
  const known = [...new Set(secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length >= 6))]
    .sort((a, b) => b.length - a.length);
  if (known.length === 0) return (text) => text;
  return (text) => known.reduce((result, secret) => result.split(secret).join(REDACTED), text);
}

/**
 * Every error an activity throws passes through the redactor before the SDK logs it or records it in the workflow's
 * history: whatever a broker, a signal command or a parse error echoes, no secret of the worker leaves it.
 */
export function redactActivityErrors(redact: Redact): ActivityInterceptorsFactory {
  return (_context: Context) => ({
    inbound: {
      async execute(input, next) {
        try {
          return await next(input);
        } catch (error) {
          redactError(error, redact);
          throw error;
        }
      },
    },
  });
}

function redactError(error: unknown, redact: Redact): void {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth++) {
    current.message = redact(current.message);
    if (current.stack) current.stack = redact(current.stack);
    const details = (current as { details?: unknown }).details;
    if (Array.isArray(details)) {
      (current as unknown as { details: unknown[] }).details = details.map((detail) => (typeof detail === 'string' ? redact(detail) : detail));
    }
  }
}
