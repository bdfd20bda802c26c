import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Field names used in structured logs, so every service logs the same fact
 * under the same name.
 */
export const LogField = {
  service: 'service',
  nodeId: 'node_id',
  org: 'org',
  method: 'grpc_method',
  code: 'grpc_code',
  errorCode: 'error_code',
  durationMs: 'duration_ms',
  requestId: 'request_id',
  correlationId: 'correlation_id',
  caller: 'caller',
  peerNodeId: 'peer_node_id',
  peerOrg: 'peer_org',
  address: 'address',
  fingerprint: 'fingerprint_sha256',
  error: 'error',
} as const;

export interface CreateLoggerOptions {
  service: string;
  nodeId?: string;
  level?: LoggerOptions['level'];
  /** Destination of the JSON lines; standard output when unset. */
  destination?: NodeJS.WritableStream;
}

/** Creates the JSON logger of one service, with its name and node id on every line. */
export function createLogger(options: CreateLoggerOptions): Logger {
  const base = { [LogField.service]: options.service, ...(options.nodeId ? { [LogField.nodeId]: options.nodeId } : {}) };
  const settings: LoggerOptions = {
    level: options.level ?? 'info',
    base,
    errorKey: LogField.error,
    timestamp: pino.stdTimeFunctions.isoTime,
  };

  return options.destination ? pino(settings, options.destination) : pino(settings);
}
