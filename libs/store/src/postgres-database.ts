import pg from 'pg';
import type { Logger } from 'pino';

import { UnavailableError } from '@sark/platform';

import type { Database, Queryable, QueryResult } from './database.js';
import { toStoreError } from './postgres-errors.js';
import { describeTarget, parsePostgresTarget, type PostgresTarget } from './postgres-target.js';
import { TransactionScope, type StatementResult } from './transaction-scope.js';
import { convertInt8Array, INT8_ARRAY_OID, INT8_OID, parseInt8 } from './type-parsers.js';

export interface PostgresOptions {
  url: string;
  maxConnections: number;
  connectTimeoutMs: number;
  logger?: Logger;
}

/** Opens a pool and checks it with `SELECT 1`. Throws UnavailableError `store.unavailable` when that fails. */
export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const target = parsePostgresTarget(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections,
    connectionTimeoutMillis: options.connectTimeoutMs,
    types: { getTypeParser },
  });
  // Without a listener, an idle connection that the server closes would crash the process.
  pool.on('error', (error) => {
    options.logger?.error({ err: error, target: describeTarget(target) }, 'idle PostgreSQL connection failed');
  });

  const database = new PostgresDatabase(pool, target, options);
  await checkConnection(pool, target, options);
  options.logger?.info({ target: describeTarget(target), maxConnections: options.maxConnections }, 'connected to PostgreSQL');

  return database;
}

async function checkConnection(pool: pg.Pool, target: PostgresTarget, options: PostgresOptions): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    const mapped = toStoreError(error, target, options);
    if (mapped instanceof UnavailableError) {
      throw mapped;
    }
    // At this point any failure (wrong password, missing database) means the store is unusable.
    throw new UnavailableError(
      'store.unavailable',
      `cannot use PostgreSQL at ${describeTarget(target)}: ${(error as Error).message}; check the user, password and database name in the URL (DATABASE_URL)`,
      { cause: error },
    );
  }
}

function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INT8_OID) {
    return parseInt8;
  }
  const parse = pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
  if (oid === INT8_ARRAY_OID) {
    return (value) => convertInt8Array(parse(value));
  }

  return parse;
}

class PostgresDatabase implements Database {
  readonly kind = 'postgres';
  private readonly scope = new TransactionScope();

  constructor(
    private readonly pool: pg.Pool,
    private readonly target: PostgresTarget,
    private readonly options: PostgresOptions,
  ) {}

  async query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    this.scope.assertOutside('query');

    const { rows, rowCount } = await this.run<R>(this.pool, sql, params);
    return { rows, rowCount };
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.scope.assertOutside('transaction');

    const client = await this.connect();
    let broken = false;
    try {
      return await this.scope.run((sql, params) => this.run(client, sql, params), fn, () => {
        broken = true;
      });
    } finally {
      // A connection that could not roll back may still be inside the transaction, so it is closed instead of reused.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw toStoreError(error, this.target, this.options);
    }
  }

  private async run<R>(runner: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]): Promise<StatementResult<R>> {
    try {
      const result = await runner.query(sql, params);
      // pg returns one result per statement when a query without parameters contains several.
      const last: pg.QueryResult | undefined = Array.isArray(result) ? result.at(-1) : result;
      return { rows: (last?.rows ?? []) as R[], rowCount: last?.rowCount ?? 0, command: last?.command ?? '' };
    } catch (error) {
      throw toStoreError(error, this.target, this.options);
    }
  }
}
