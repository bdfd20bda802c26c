/**
 * The closed set of domain errors. Domain code throws these; the one server
 * interceptor in grpc-server.ts maps them to gRPC status codes. Anything else
 * that reaches the interceptor is reported to the caller as INTERNAL with a
 * generic message and a request id, and logged with its cause.
 *
 * `code` is a stable, dotted string (`auth.api_key_revoked`) for logs, audit
 * events and tests. `message` is what the caller sees for its own mistakes.
 */
export type ErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'already_exists'
  | 'permission_denied'
  | 'unauthenticated'
  | 'failed_precondition'
  | 'resource_exhausted'
  | 'unavailable'
  | 'deadline_exceeded'
  | 'unimplemented'
  | 'internal';

export interface SarkErrorOptions {
  cause?: unknown;
  /** Trailing metadata sent with the status, for example `retry-after-ms`. */
  metadata?: Record<string, string>;
}

export class SarkError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly metadata: Record<string, string>;

  constructor(kind: ErrorKind, code: string, message: string, options: SarkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.code = code;
    this.metadata = options.metadata ?? {};
  }
}

/** A request field is missing or malformed. The message names the field. */
export class InvalidArgumentError extends SarkError {
  readonly field: string;

  constructor(field: string, message: string, options: SarkErrorOptions & { code?: string } = {}) {
    super('invalid_argument', options.code ?? 'request.invalid_argument', `${field}: ${message}`, options);
    this.field = field;
  }
}

export class NotFoundError extends SarkError {
  constructor(code: string, message: string, options?: SarkErrorOptions) {
    super('not_found', code, message, options);
  }
}

export class AlreadyExistsError extends SarkError {
  constructor(code: string, message: string, options?: SarkErrorOptions) {
    super('already_exists', code, message, options);
  }
}

export class PermissionDeniedError extends SarkError {
  constructor(code: string, message: string, options?: SarkErrorOptions) {
    super('permission_denied', code, message, options);
  }
}

/**
 * The caller could not be authenticated. Callers always see the same
 * message whatever the reason, so the reason travels in `code` and `detail`
 * to the log and the audit trail only.
 */
export class UnauthenticatedError extends SarkError {
  static readonly publicMessage = 'authentication failed: present a valid client certificate or API key';
  readonly detail: string;

  constructor(code: string, detail: string, options?: SarkErrorOptions) {
    super('unauthenticated', code, UnauthenticatedError.publicMessage, options);
    this.detail = detail;
  }
}

export class FailedPreconditionError extends SarkError {
  constructor(code: string, message: string, options?: SarkErrorOptions) {
    super('failed_precondition', code, message, options);
  }
}

/** A rate limit was reached. `retryAfterMs` is sent as `retry-after-ms` metadata. */
export class ResourceExhaustedError extends SarkError {
  readonly retryAfterMs: number;

  constructor(code: string, message: string, options: SarkErrorOptions & { retryAfterMs: number }) {
    const metadata = { ...options.metadata, 'retry-after-ms': String(Math.ceil(options.retryAfterMs)) };
    super('resource_exhausted', code, message, { ...options, metadata });
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class UnavailableError extends SarkError {
  constructor(code: string, message: string, options?: SarkErrorOptions) {
    super('unavailable', code, message, options);
  }
}

export class DeadlineExceededError extends SarkError {
  constructor(code: string, message: string, options?: SarkErrorOptions) {
    super('deadline_exceeded', code, message, options);
  }
}

/** A fault of this service, not of the caller. Its message is never sent to callers. */
export class InternalError extends SarkError {
  constructor(code: string, message: string, options?: SarkErrorOptions) {
    super('internal', code, message, options);
  }
}
