import { randomUUID } from 'node:crypto';
import {
  Server,
  status as GrpcStatus,
  type Metadata,
  type sendUnaryData,
  type ServerCredentials,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { LogField, type Logger, SarkError, UnauthenticatedError, UnavailableError } from '@sark/platform';
import { readApiKey, describeCaller, type Caller, type CallerAuthenticator } from './caller.js';
import { addReflection } from './reflection.js';
import { toStatus } from './status.js';

/** Context that a handler receives besides the request. */
export interface CallContext {
  caller: Caller;
  /** Unique id of this call, sent back as `sark-request-id` on errors. */
  requestId: string;
  metadata: Metadata;
  /** Full method path, `/sark.auth.v1.Auth/Authorize`. */
  method: string;
  logger: Logger;
}

type UnaryMethod = { path: string; requestStream: false; responseStream: false; requestDeserialize: (b: Buffer) => unknown; responseDeserialize: (b: Buffer) => unknown };

/** Handlers for every method of a ts-proto service definition. */
export type ServiceHandlers<S extends Record<string, UnaryMethod>> = {
  [K in keyof S]: (request: ReturnType<S[K]['requestDeserialize']>, context: CallContext) => Promise<ReturnType<S[K]['responseDeserialize']>>;
};

/** A call that the server rejected for authentication or permission reasons. */
export interface RejectedCall {
  method: string;
  requestId: string;
  code: GrpcStatus;
  /** Stable code of the domain error, such as `trust.chain_invalid`. */
  errorCode: string;
  /** The reason, which the caller never sees for UNAUTHENTICATED. */
  detail: string;
  /** The caller, when authentication succeeded. */
  caller?: Caller;
  peerAddress: string;
  metadata: Metadata;
}

export interface GrpcServerOptions {
  /** Name for logs, for example `auth`. */
  name: string;
  credentials: ServerCredentials;
  authenticator: CallerAuthenticator;
  logger: Logger;
  /** Largest accepted request message; default 4 MiB. */
  maxReceiveMessageBytes?: number;
  /**
   * Called after an UNAUTHENTICATED or PERMISSION_DENIED answer, for example
   * to record it in the audit trail. Its failures are logged, never sent.
   */
  onRejected?: (call: RejectedCall) => Promise<void>;
}

/**
 * A gRPC server with health, reflection and one interceptor chain around
 * every handler: authenticate the caller, run the handler, map a thrown
 * domain error to its status, and log the call. Health and reflection need
 * no authentication.
 */
export class GrpcServer {
  private readonly server: Server;
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private readonly serviceNames: string[] = [];
  private boundPort: number | undefined;

  constructor(private readonly options: GrpcServerOptions) {
    this.server = new Server({ 'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? 4 * 1024 * 1024 });
    this.health.addToServer(this.server);
  }

  /** Registers a service whose methods are all unary. */
  addService<S extends Record<string, UnaryMethod>>(definition: S, handlers: ServiceHandlers<S>): this {
    const implementation: UntypedServiceImplementation = {};
    for (const [name, method] of Object.entries(definition)) {
      implementation[name] = this.wrapUnary(method.path, handlers[name as keyof S] as never);
    }

    this.server.addService(definition as unknown as ServiceDefinition, implementation);
    this.serviceNames.push(serviceNameOf(Object.values(definition)[0]?.path ?? ''));
    return this;
  }

  /** Binds and starts serving; returns the bound port (useful with port 0). */
  async listen(host: string, port: number): Promise<number> {
    addReflection(this.server, [...this.serviceNames, 'grpc.health.v1.Health']);
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(address, this.options.credentials, (error, boundPort) => {
        if (error) {
          reject(new UnavailableError('server.bind_failed', `cannot listen on ${address}: ${error.message}. Is another process using the port? Stop it or change listen.*`, { cause: error }));
        } else {
          resolve(boundPort);
        }
      });
    });

    this.setServing(true);
    this.options.logger.info({ [LogField.address]: `${host}:${this.boundPort}`, services: this.serviceNames }, 'server listening');
    return this.boundPort;
  }

  get port(): number {
    if (this.boundPort === undefined) {
      throw new Error('server is not listening');
    }
    return this.boundPort;
  }

  /** Marks the server NOT_SERVING, waits up to graceMs for calls to finish, then stops. */
  async shutdown(graceMs = 5000): Promise<void> {
    this.setServing(false);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.options.logger.info('server stopped');
  }

  private setServing(serving: boolean): void {
    const status = serving ? 'SERVING' : 'NOT_SERVING';
    this.health.setStatus('', status);
    for (const name of this.serviceNames) {
      this.health.setStatus(name, status);
    }
  }

  private wrapUnary(method: string, handler: (request: unknown, context: CallContext) => Promise<unknown>) {
    return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      void this.handleUnary(method, handler, call, callback);
    };
  }

  private async handleUnary(
    method: string,
    handler: (request: unknown, context: CallContext) => Promise<unknown>,
    call: ServerUnaryCall<unknown, unknown>,
    callback: sendUnaryData<unknown>,
  ): Promise<void> {
    const requestId = randomUUID();
    const startedAt = performance.now();
    const logger = this.options.logger.child({ [LogField.method]: method, [LogField.requestId]: requestId });
    let caller: Caller | undefined;

    try {
      caller = await this.authenticate(call);
      const response = await handler(call.request, { caller, requestId, metadata: call.metadata, method, logger });
      callback(null, response);
      logCall(logger, { code: GrpcStatus.OK, startedAt, caller });
    } catch (error) {
      const status = toStatus(error, requestId);
      if (status.code === GrpcStatus.UNAUTHENTICATED || status.code === GrpcStatus.PERMISSION_DENIED) {
        await this.reportRejection(logger, { method, requestId, code: status.code, error, caller, peerAddress: call.getPeer(), metadata: call.metadata });
      }
      callback(status);
      logCall(logger, { code: status.code, startedAt, caller, error });
    }
  }

  /**
   * Authenticates the caller of one call. Any failure other than a
   * malformed authorization header looks the same to the caller: a failed
   * check is UNAUTHENTICATED, and an unreachable dependency is a generic
   * UNAVAILABLE. The real error stays in the cause for the log.
   */
  private async authenticate(call: ServerUnaryCall<unknown, unknown>): Promise<Caller> {
    const apiKey = readApiKey(call.metadata);

    try {
      return await this.options.authenticator.authenticate({ certificateDer: call.getAuthContext().sslPeerCertificate?.raw, apiKey });
    } catch (error) {
      if (error instanceof UnauthenticatedError) {
        throw error;
      }
      if (error instanceof SarkError && (error.kind === 'unavailable' || error.kind === 'deadline_exceeded')) {
        throw new UnavailableError('auth.verification_unavailable', 'authentication is temporarily unavailable: retry later', { cause: error });
      }
      throw new UnauthenticatedError('auth.verification_failed', error instanceof Error ? error.message : String(error), { cause: error });
    }
  }

  /** Runs the onRejected hook before the status is sent, so a caller that sees the rejection can also find its record. */
  private async reportRejection(logger: Logger, rejection: Omit<RejectedCall, 'errorCode' | 'detail'> & { error: unknown }): Promise<void> {
    const { error, ...rest } = rejection;
    const domainError = error as { code?: string; detail?: string; message?: string };
    const call: RejectedCall = { ...rest, errorCode: domainError.code ?? 'unknown', detail: domainError.detail ?? domainError.message ?? '' };

    try {
      await this.options.onRejected?.(call);
    } catch (hookError) {
      logger.warn({ [LogField.error]: hookError, [LogField.errorCode]: call.errorCode }, 'recording a rejected call failed');
    }
  }
}

function logCall(logger: Logger, outcome: { code: GrpcStatus; startedAt: number; caller?: Caller; error?: unknown }): void {
  const fields: Record<string, unknown> = {
    [LogField.code]: GrpcStatus[outcome.code],
    [LogField.durationMs]: Math.round((performance.now() - outcome.startedAt) * 100) / 100,
    [LogField.caller]: outcome.caller ? describeCaller(outcome.caller) : undefined,
  };

  if (outcome.error === undefined) {
    logger.info(fields, 'rpc finished');
    return;
  }

  const error = outcome.error as { code?: string; detail?: string; message?: string; cause?: unknown };
  fields[LogField.errorCode] = error.code;
  if (error.cause instanceof Error) {
    fields.cause = error.cause.message;
  }
  if (outcome.code === GrpcStatus.INTERNAL || outcome.code === GrpcStatus.UNKNOWN) {
    logger.error({ ...fields, [LogField.error]: outcome.error }, 'rpc failed');
  } else {
    logger.info({ ...fields, detail: error.detail ?? error.message }, 'rpc rejected');
  }
}

function serviceNameOf(methodPath: string): string {
  return methodPath.split('/')[1] ?? '';
}
