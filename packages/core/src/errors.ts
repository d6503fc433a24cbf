import type { ErrorBody, ErrorCode } from './protocol';

const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'rate_limited',
  'upstream_timeout',
  'upstream_unavailable',
  'network',
  'internal',
]);

const MARKER = Symbol.for('concierge.error');

export interface ConciergeErrorOptions {
  code: ErrorCode;
  message: string;
  /** HTTP status, when the error came from a response. */
  status?: number;
  field?: string;
  retryAfterSeconds?: number;
  reason?: string;
  cause?: unknown;
}

/**
 * Every failure the client reports: a stable `code`, whether trying again can help,
 * and the data the UI needs to explain it.
 *
 * @example
 * if (ConciergeError.isInstance(error) && error.code === 'rate_limited') wait(error.retryAfterSeconds)
 */
export class ConciergeError extends Error {
  readonly [MARKER] = true;
  declare readonly code: ErrorCode;
  declare readonly status: number | undefined;
  declare readonly field: string | undefined;
  declare readonly retryAfterSeconds: number | undefined;
  /** Why, when the code has kinds (e.g. `plan_limit_reached` for `billing`). */
  declare readonly reason: string | undefined;

  constructor(options: ConciergeErrorOptions) {
    super(options.message, { cause: options.cause });
    this.name = 'ConciergeError';
    this.code = options.code;
    this.status = options.status;
    this.field = options.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.reason = options.reason;
  }

  /** Whether sending the same request again may succeed. */
  get isRetryable(): boolean {
    return RETRYABLE.has(this.code);
  }

  /** True for any ConciergeError, even one from another copy of this package. */
  static isInstance(value: unknown): value is ConciergeError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }

  /** Builds an error from a proxy error body, falling back to a status-derived code. */
  static fromBody(body: unknown, status?: number): ConciergeError {
    const error = (body as Partial<ErrorBody> | null)?.error;
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      return new ConciergeError({ ...error, status });
    }
    return new ConciergeError({
      code: status !== undefined && status >= 500 ? 'upstream_unavailable' : 'invalid_request',
      message: `The server answered ${status ?? 'an unexpected response'}.`,
      status,
    });
  }

  /** Wraps anything thrown into a ConciergeError (aborts become `aborted`, the rest `network`). */
  static from(value: unknown): ConciergeError {
    if (ConciergeError.isInstance(value)) return value;
    if (value instanceof Error && value.name === 'AbortError') {
      return new ConciergeError({ code: 'aborted', message: 'The request was stopped.', cause: value });
    }
    return new ConciergeError({
      code: 'network',
      message: 'Could not reach the server.',
      cause: value,
    });
  }
}
