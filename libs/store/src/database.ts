import type { Logger } from 'pino';

import { openPostgres } from './postgres-database.js';

/** The result of one statement: its rows and the number of rows it returned or changed. */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

/**
 * Runs SQL. With parameters, `sql` must be one statement and `$1`, `$2` ... refer to `params`.
 * Without parameters, `sql` may contain several statements separated by semicolons, and the
 * result is that of the last one.
 *
 * Column values come back the same on both backends: `timestamptz` as a `Date` (millisecond
 * precision, so microseconds are truncated), `int8` and `int8[]` as numbers (a value beyond
 * `Number.MAX_SAFE_INTEGER` fails the query with InternalError `store.int8_out_of_range`),
 * `json`/`jsonb` parsed, `numeric` as a string. `timestamp` without time zone and `date` are
 * not normalised between the backends, so store instants as `timestamptz`.
 *
 * SQL errors are rethrown as the driver reports them, with the SQLSTATE in `code` on both
 * backends (see `sqlStateOf`). Lost or refused connections to PostgreSQL throw
 * UnavailableError.
 */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `fn` inside BEGIN ... COMMIT and returns its result after the commit. A throw from
   * `fn` rolls back and is rethrown. Use only `tx` inside `fn`: calling this database's
   * `query` or `transaction` from inside `fn` throws InternalError `store.nested_call`,
   * because on PGlite, which has a single connection, it would wait for itself forever.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Closes the connections once the statements already running have finished. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL connection URL. When given, PostgreSQL is used and `pgliteDir` is ignored. */
  url?: string;
  /** Directory for the PGlite data files, created if missing. Without `url` or this, PGlite runs in memory. */
  pgliteDir?: string;
  /** Maximum number of pooled PostgreSQL connections. Default 10. */
  maxConnections?: number;
  /** Time allowed to open a PostgreSQL connection or to wait for a free one from the pool. Default 5000. */
  connectTimeoutMs?: number;
  logger?: Logger;
}

/**
 * Opens PostgreSQL when `url` is given, otherwise PGlite (on disk in `pgliteDir`, or in
 * memory). For PostgreSQL it runs `SELECT 1` first, so an unreachable server throws
 * UnavailableError `store.unavailable` here rather than on the first query.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.url !== undefined) {
    return openPostgres({
      url: options.url,
      maxConnections: options.maxConnections ?? 10,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      logger: options.logger,
    });
  }

  // Loaded on demand, so processes that use PostgreSQL never load the PGlite WebAssembly module.
  const { openPglite } = await import('./pglite-database.js');
  return openPglite({ dataDir: options.pgliteDir, logger: options.logger });
}
