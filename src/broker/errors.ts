/**
 * Broker failures as classes. Temporal turns a thrown error into an ApplicationFailure whose type is the class
 * name, so retry policies list the final ones in `nonRetryableErrorTypes` (see FINAL_BROKER_ERRORS).
 */

/** Base class; `status` is the HTTP status when there was one, `code` Alpaca's numeric code. */
export class BrokerError extends Error {
  constructor(message: string, readonly status?: number, readonly code?: number) {
    super(message);
    this.name = new.target.name;
  }
}

/** The broker refused the request as invalid or not allowed (4xx other than 404/429): retrying cannot help. */
export class BrokerRejected extends BrokerError {}

/** 422 `client_order_id must be unique`: an order with this client order id already exists. */
export class DuplicateClientOrderId extends BrokerError {}

/** 404 from an order, position or asset lookup. */
export class NotFound extends BrokerError {}

/** 422 on a cancel: the order is already filled, canceled or expired. */
export class OrderNotCancelable extends BrokerError {}

/** 401/403 on authentication: wrong or missing keys. Final. */
export class BrokerUnauthorized extends BrokerError {}

/** 429: retry after the reset. */
export class RateLimited extends BrokerError {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message, 429, 42910000);
  }
}

/** Network failure, timeout or 5xx: the request may or may not have taken effect. Retryable. */
export class BrokerUnavailable extends BrokerError {}

/** Error type names that must not be retried by Temporal. */
export const FINAL_BROKER_ERRORS = [
  'BrokerRejected', 'DuplicateClientOrderId', 'NotFound', 'OrderNotCancelable', 'BrokerUnauthorized',
] as const;
