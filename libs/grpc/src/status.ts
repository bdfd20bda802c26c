import { Metadata, status as GrpcStatus, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import {
  DeadlineExceededError,
  FailedPreconditionError,
  InternalError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  SarkError,
  UnauthenticatedError,
  UnavailableError,
  AlreadyExistsError,
  type ErrorKind,
} from '@sark/platform';

/** Metadata key that carries the stable error code of a domain error. */
export const ERROR_CODE_METADATA_KEY = 'sark-error-code';
/** Metadata key that carries the id of the request, for support. */
export const REQUEST_ID_METADATA_KEY = 'sark-request-id';

const statusByKind: Record<ErrorKind, GrpcStatus> = {
  invalid_argument: GrpcStatus.INVALID_ARGUMENT,
  not_found: GrpcStatus.NOT_FOUND,
  already_exists: GrpcStatus.ALREADY_EXISTS,
  permission_denied: GrpcStatus.PERMISSION_DENIED,
  unauthenticated: GrpcStatus.UNAUTHENTICATED,
  failed_precondition: GrpcStatus.FAILED_PRECONDITION,
  resource_exhausted: GrpcStatus.RESOURCE_EXHAUSTED,
  unavailable: GrpcStatus.UNAVAILABLE,
  deadline_exceeded: GrpcStatus.DEADLINE_EXCEEDED,
  unimplemented: GrpcStatus.UNIMPLEMENTED,
  internal: GrpcStatus.INTERNAL,
};

/**
 * Maps an error thrown by a handler to the status sent to the caller.
 *
 * Domain errors keep their message, except INTERNAL, whose message is
 * replaced by a generic one with the request id. Unauthenticated errors have
 * one public message whatever the reason, and carry no error code, so a
 * caller cannot tell the reasons apart. Any other error is INTERNAL.
 */
export function toStatus(error: unknown, requestId: string): StatusObject {
  const metadata = new Metadata();
  metadata.set(REQUEST_ID_METADATA_KEY, requestId);

  if (!(error instanceof SarkError) || error.kind === 'internal') {
    return { code: GrpcStatus.INTERNAL, details: `internal error (request id ${requestId})`, metadata };
  }

  if (error.kind !== 'unauthenticated') {
    metadata.set(ERROR_CODE_METADATA_KEY, error.code);
  }
  for (const [key, value] of Object.entries(error.metadata)) {
    metadata.set(key, value);
  }
  return { code: statusByKind[error.kind], details: error.message, metadata };
}

/**
 * Turns a failed client call into the matching domain error, keeping the
 * remote message and error code, so a service can pass a downstream
 * client mistake on unchanged. Transport failures become UnavailableError.
 */
export function fromServiceError(error: ServiceError, context: string): SarkError {
  const code = String(error.metadata?.get(ERROR_CODE_METADATA_KEY)[0] ?? `remote.${GrpcStatus[error.code]?.toLowerCase() ?? 'unknown'}`);
  const message = error.details || error.message;
  const options = { cause: error };

  switch (error.code) {
    case GrpcStatus.INVALID_ARGUMENT:
      // The remote message already starts with the field name the caller sent.
      return new SarkError('invalid_argument', code, message, options);
    case GrpcStatus.NOT_FOUND:
      return new NotFoundError(code, message, options);
    case GrpcStatus.ALREADY_EXISTS:
      return new AlreadyExistsError(code, message, options);
    case GrpcStatus.PERMISSION_DENIED:
      return new PermissionDeniedError(code, message, options);
    case GrpcStatus.UNAUTHENTICATED:
      return new UnauthenticatedError(code, `${context}: ${message}`, options);
    case GrpcStatus.FAILED_PRECONDITION:
      return new FailedPreconditionError(code, message, options);
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return new ResourceExhaustedError(code, message, { ...options, retryAfterMs: Number(error.metadata?.get('retry-after-ms')[0] ?? 0) });
    case GrpcStatus.UNAVAILABLE:
      return new UnavailableError(code, `${context} is unavailable: ${message}`, options);
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new DeadlineExceededError(code, `${context} timed out: ${message}`, options);
    case GrpcStatus.UNIMPLEMENTED:
      return new SarkError('unimplemented', code, `${context} does not serve this method (is the address that of another service?): ${message}`, options);
    default:
      return new InternalError(code, `${context} failed: ${message}`, options);
  }
}

/** Checks whether a value is an error from a grpc-js client call. */
export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as ServiceError).code === 'number' && 'metadata' in error;
}
