import { AsyncLocalStorage } from 'node:async_hooks';

import { InternalError } from '@sark/platform';

import type { Queryable, QueryResult } from './database.js';

/** The result of one statement with its command tag (`SELECT`, `COMMIT`, `ROLLBACK` ...). */
export interface StatementResult<R> extends QueryResult<R> {
  command: string;
}

/** Runs one statement on the connection that owns the transaction. */
export type RunStatement = <R>(sql: string, params?: unknown[]) => Promise<StatementResult<R>>;

interface ScopeState {
  active: boolean;
}

/**
 * Tracks which async context is inside a transaction, so a call on the database object from
 * inside `transaction(fn)` fails at once instead of waiting for a connection it already uses.
 */
export class TransactionScope {
  private readonly storage = new AsyncLocalStorage<ScopeState>();

  /** Throws InternalError `store.nested_call` when called from inside a running transaction. */
  assertOutside(method: string): void {
    if (this.storage.getStore()?.active === true) {
      throw new InternalError(
        'store.nested_call',
        `Database.${method} was called inside Database.transaction; run the statement through the tx argument instead`,
      );
    }
  }

  /**
   * Runs `fn` between BEGIN and COMMIT on `run`, rolling back when `fn` throws. A COMMIT that
   * the server turns into ROLLBACK (because a statement failed and `fn` caught the error)
   * throws InternalError `store.transaction_aborted`. `onRollbackFailed` learns that the
   * connection is in an unknown state and must not be reused.
   */
  async run<T>(run: RunStatement, fn: (tx: Queryable) => Promise<T>, onRollbackFailed: (error: unknown) => void = () => {}): Promise<T> {
    const state: ScopeState = { active: true };
    const tx = guardedQueryable(run, state);
    await run('BEGIN');
    try {
      const result = await this.storage.run(state, () => fn(tx));
      await commit(run);
      return result;
    } catch (error) {
      await run('ROLLBACK').catch(onRollbackFailed);
      throw error;
    } finally {
      state.active = false;
    }
  }
}

function guardedQueryable(run: RunStatement, state: ScopeState): Queryable {
  return {
    query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
      if (!state.active) {
        return Promise.reject(new InternalError('store.transaction_closed', 'the transaction has already ended; tx.query cannot be used after transaction() returns'));
      }
      return run<R>(sql, params).then(({ rows, rowCount }) => ({ rows, rowCount }));
    },
  };
}

async function commit(run: RunStatement): Promise<void> {
  const result = await run<never>('COMMIT');
  if (result.command === 'ROLLBACK') {
    throw new InternalError('store.transaction_aborted', 'the transaction was rolled back at COMMIT because a statement inside it failed');
  }
}
