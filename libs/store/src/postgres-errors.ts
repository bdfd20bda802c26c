import { UnavailableError } from '@sark/platform';

import { describeTarget, type PostgresTarget } from './postgres-target.js';
import { sqlStateOf } from './sql-state.js';

const networkErrorCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ENOENT']);

// SQLSTATE class 08 (connection exception), admin_shutdown, crash_shutdown, cannot_connect_now
// and too_many_connections: the server is gone or refuses sessions, not the statement.
const unavailableSqlStates = new Set(['57P01', '57P02', '57P03', '53300']);

// pg-pool reports a wait for a free pooled connection that outlasted connectionTimeoutMillis
// with exactly this message (pg-pool 3.x).
const poolWaitTimeoutMessage = 'timeout exceeded when trying to connect';

/**
 * Turns a failure to reach PostgreSQL into UnavailableError and returns any other error
 * unchanged. The messages name host and port but never the password.
 */
export function toStoreError(error: unknown, target: PostgresTarget, options: { maxConnections: number; connectTimeoutMs: number }): unknown {
  if (!(error instanceof Error)) {
    return error;
  }
  const where = describeTarget(target);
  if (error.message === poolWaitTimeoutMessage) {
    return new UnavailableError(
      'store.pool_exhausted',
      `all ${options.maxConnections} connections to PostgreSQL at ${where} stayed busy for ${options.connectTimeoutMs} ms; reduce the load or raise maxConnections`,
      { cause: error },
    );
  }
  if (!isConnectionFailure(error)) {
    return error;
  }

  return new UnavailableError(
    'store.unavailable',
    `cannot connect to PostgreSQL at ${where}: ${reasonOf(error)}; check that the server is running and accepts connections on that host and port, and that the URL (DATABASE_URL) names the right database and user`,
    { cause: error },
  );
}

function isConnectionFailure(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && networkErrorCodes.has(code)) {
    return true;
  }
  const sqlState = sqlStateOf(error);
  if (sqlState !== undefined) {
    return sqlState.startsWith('08') || unavailableSqlStates.has(sqlState);
  }

  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(error.message);
}

function reasonOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  if (error instanceof AggregateError && error.errors.length > 0) {
    return reasonOf(error.errors[0] as Error);
  }

  return typeof code === 'string' ? `${code} ${error.message}` : error.message;
}
