import { Metadata, type CallOptions, type Client, type ServiceError } from '@grpc/grpc-js';
import { fromServiceError } from './status.js';

type UnaryClientMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => unknown;

export interface UnaryCallOptions {
  /** Deadline of the call; default 5000 ms. */
  timeoutMs?: number;
  metadata?: Record<string, string>;
  /** Names the remote service in error messages, for example `auth`. */
  target: string;
  /** Wait for the server to become reachable until the deadline instead of failing at once; default false. */
  waitForReady?: boolean;
}

/**
 * Calls one unary method of a grpc-js client and returns a promise.
 *
 * @throws the domain error matching the status the server sent (see
 *   fromServiceError); UnavailableError for transport failures.
 */
export function callUnary<Req, Res>(client: Client, method: UnaryClientMethod<Req, Res>, request: Req, options: UnaryCallOptions): Promise<Res> {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    metadata.set(key, value);
  }
  const deadline = Date.now() + (options.timeoutMs ?? 5000);

  return new Promise<Res>((resolve, reject) => {
    method.call(client, request, metadata, { deadline, waitForReady: options.waitForReady ?? false }, (error, response) => {
      if (error) {
        reject(fromServiceError(error, options.target));
      } else {
        resolve(response);
      }
    });
  });
}
