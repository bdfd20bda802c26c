import { mkdir } from 'node:fs/promises';

import type { PGlite, Results } from '@electric-sql/pglite';
import type { Logger } from 'pino';

import type { Database, Queryable, QueryResult } from './database.js';
import { SerialQueue } from './serial-queue.js';
import { TransactionScope, type StatementResult } from './transaction-scope.js';
import { INT8_OID, parseInt8 } from './type-parsers.js';

export interface PgliteOptions {
  /** Data directory, created if missing. PGlite runs in memory when undefined. */
  dataDir?: string;
  logger?: Logger;
}

/**
 * Opens PGlite. PGlite has a single connection and one process at a time may open a data
 * directory, so this suits tests, demos and single-process nodes.
 */
export async function openPglite(options: PgliteOptions): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (options.dataDir !== undefined) {
    await mkdir(options.dataDir, { recursive: true });
  }

  // PGlite reads int8[] elements through the int8 parser, so one entry covers both types.
  const pglite = await PGlite.create({ dataDir: options.dataDir, parsers: { [INT8_OID]: parseInt8 } });
  options.logger?.info({ dataDir: options.dataDir ?? 'memory' }, 'opened PGlite');

  return new PgliteDatabase(pglite);
}

class PgliteDatabase implements Database {
  readonly kind = 'pglite';
  private readonly scope = new TransactionScope();
  // Every top-level call waits its turn, so no statement from another caller can run inside a transaction.
  private readonly queue = new SerialQueue();

  constructor(private readonly pglite: PGlite) {}

  async query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    this.scope.assertOutside('query');

    const { rows, rowCount } = await this.queue.run(() => this.run<R>(sql, params));
    return { rows, rowCount };
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.scope.assertOutside('transaction');

    return this.queue.run(() => this.scope.run((sql, params) => this.run(sql, params), fn));
  }

  async close(): Promise<void> {
    await this.queue.run(() => this.pglite.close());
  }

  private async run<R>(sql: string, params?: unknown[]): Promise<StatementResult<R>> {
    if (params !== undefined && params.length > 0) {
      return toStatementResult(await this.pglite.query<R>(sql, params));
    }

    // Like pg, a query without parameters goes through the simple protocol and may contain several statements.
    const results = await this.pglite.exec(sql);
    return toStatementResult(results.at(-1) as Results<R> | undefined);
  }
}

function toStatementResult<R>(result: Results<R> | undefined): StatementResult<R> {
  if (result === undefined) {
    return { rows: [], rowCount: 0, command: '' };
  }
  const rowCount = (result as { rowCount?: number }).rowCount ?? result.affectedRows ?? 0;

  return { rows: result.rows, rowCount, command: result.command ?? '' };
}
