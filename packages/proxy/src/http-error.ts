import type { ErrorBody, ErrorCode } from '@concierge/core';

/** An error the proxy answers with a status and a JSON {@link ErrorBody}. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly headers: Record<string, string>;
  readonly retryAfterSeconds: number | undefined;
  readonly reason: string | undefined;

  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    extra: { field?: string; headers?: Record<string, string>; retryAfterSeconds?: number; reason?: string } = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.field = extra.field;
    this.headers = extra.headers ?? {};
    this.retryAfterSeconds = extra.retryAfterSeconds;
    this.reason = extra.reason;
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { error: { code: this.code, message: this.message } };
    if (this.field !== undefined) body.error.field = this.field;
    if (this.retryAfterSeconds !== undefined) body.error.retryAfterSeconds = this.retryAfterSeconds;
    if (this.reason !== undefined) body.error.reason = this.reason;
    return body;
  }

  toResponse(): Response {
    return Response.json(this.toBody(), { status: this.status, headers: this.headers });
  }
}
