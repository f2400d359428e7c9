/** An Alpaca-shaped API error raised by the simulator's engine and answered as `{code, message, ...extra}`. */
export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'SimError';
  }

  /** The JSON body Alpaca would send. */
  body(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.extra };
  }
}

/** 422 42210000: a request field is invalid. */
export function invalid(message: string): SimError {
  return new SimError(422, 42210000, message);
}

/** 404 40410000. */
export function notFound(message: string): SimError {
  return new SimError(404, 40410000, message);
}

/** 403 40310000: not allowed (buying power, qty available). */
export function forbidden(message: string, extra: Record<string, unknown> = {}): SimError {
  return new SimError(403, 40310000, message, extra);
}
