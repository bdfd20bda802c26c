import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { InternalError } from '@sark/platform';

import { openDatabase, type Database } from './database.js';
import { sqlStateOf } from './sql-state.js';
import { createTestDatabase } from './testing.js';

/** The behaviour both backends must share. */
function describeContract(label: string, kind: Database['kind'], open: () => Promise<{ db: Database; cleanup: () => Promise<void> }>): void {
  describe(`Database contract on ${label}`, () => {
    let db: Database;
    let cleanup: () => Promise<void>;

    before(async () => {
      ({ db, cleanup } = await open());
      await db.query('CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, size int8, tags int8[], seen_at timestamptz, doc jsonb)');
    });

    after(async () => {
      await db.close();
      await cleanup();
    });

    it(`kind is ${kind}`, () => {
      assert.equal(db.kind, kind);
    });

    it('query binds parameters and counts rows', async () => {
      const inserted = await db.query("INSERT INTO items (name, size) VALUES ($1, $2), ($3, $4)", ['query-a', 1, 'query-b', 2]);
      const selected = await db.query<{ name: string; size: number }>("SELECT name, size FROM items WHERE name LIKE 'query-%' ORDER BY name");

      assert.equal(inserted.rowCount, 2);
      assert.deepEqual(inserted.rows, []);
      assert.equal(selected.rowCount, 2);
      assert.deepEqual(selected.rows, [{ name: 'query-a', size: 1 }, { name: 'query-b', size: 2 }]);
    });

    it('query without parameters runs several statements', async () => {
      const result = await db.query("INSERT INTO items (name) VALUES ('multi'); SELECT count(*) AS n FROM items WHERE name = 'multi'");

      assert.deepEqual(result.rows, [{ n: 1 }]);
      assert.equal(result.rowCount, 1);
    });

    it('query reports rowCount 0 for DDL', async () => {
      const result = await db.query('CREATE TABLE ddl_probe (a int)');

      assert.equal(result.rowCount, 0);
    });

    it('types round-trip the same on both backends', async () => {
      const seenAt = new Date('2024-02-29T23:59:58.123Z');
      await db.query('INSERT INTO items (name, size, tags, seen_at, doc) VALUES ($1, $2, $3, $4, $5)', ['typed', 9_007_199_254_740_991, [1, 2, 3], seenAt, JSON.stringify({ b: [1, 'x'], a: null })]);

      const { rows } = await db.query<{ size: unknown; tags: unknown; seen_at: unknown; doc: unknown; micro: unknown }>(
        "SELECT size, tags, seen_at, doc, '2024-01-01 10:00:00.123456+02'::timestamptz AS micro FROM items WHERE name = 'typed'",
      );

      assert.equal(rows[0]?.size, 9_007_199_254_740_991);
      assert.deepEqual(rows[0]?.tags, [1, 2, 3]);
      assert.ok(rows[0]?.seen_at instanceof Date);
      assert.equal((rows[0].seen_at as Date).toISOString(), '2024-02-29T23:59:58.123Z');
      assert.deepEqual(rows[0]?.doc, { a: null, b: [1, 'x'] });
      assert.equal((rows[0]?.micro as Date).toISOString(), '2024-01-01T08:00:00.123Z');
    });

    it('int8 beyond 2^53 fails the query', async () => {
      await assert.rejects(db.query('SELECT 9007199254740993::int8 AS big'), (error: unknown) => {
        assert.ok(error instanceof InternalError);
        assert.equal(error.code, 'store.int8_out_of_range');
        return true;
      });

      const after = await db.query('SELECT 1::int8 AS one');
      assert.deepEqual(after.rows, [{ one: 1 }]);
    });

    it('SQL errors carry the SQLSTATE', async () => {
      const error = await db.query('SELECT * FROM missing_table').catch((caught: unknown) => caught);

      assert.equal(sqlStateOf(error), '42P01');
      assert.match((error as Error).message, /relation "missing_table" does not exist/);
    });

    it('transaction commits and returns the result', async () => {
      const result = await db.transaction(async (tx) => {
        await tx.query('INSERT INTO items (name) VALUES ($1)', ['tx-commit']);
        const { rows } = await tx.query<{ n: number }>("SELECT count(*) AS n FROM items WHERE name = 'tx-commit'");
        return rows[0]?.n;
      });

      const { rows } = await db.query<{ n: number }>("SELECT count(*) AS n FROM items WHERE name = 'tx-commit'");
      assert.equal(result, 1);
      assert.equal(rows[0]?.n, 1);
    });

    it('transaction rolls back when fn throws', async () => {
      const failure = new Error('stop here');

      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO items (name) VALUES ($1)', ['tx-rollback']);
          throw failure;
        }),
        (error: unknown) => error === failure,
      );

      const { rows } = await db.query<{ n: number }>("SELECT count(*) AS n FROM items WHERE name = 'tx-rollback'");
      assert.equal(rows[0]?.n, 0);
    });

    it('transaction with a swallowed SQL error fails at commit', async () => {
      const outcome = db.transaction(async (tx) => {
        await tx.query('INSERT INTO items (name) VALUES ($1)', ['tx-aborted']);
        await tx.query('SELECT 1 / 0').catch(() => undefined);
      });

      await assert.rejects(outcome, (error: unknown) => {
        assert.ok(error instanceof InternalError);
        assert.equal(error.code, 'store.transaction_aborted');
        return true;
      });
      const { rows } = await db.query<{ n: number }>("SELECT count(*) AS n FROM items WHERE name = 'tx-aborted'");
      assert.equal(rows[0]?.n, 0);
    });

    it('calls on db inside a transaction are rejected', async () => {
      const nested = db.transaction(async () => {
        await db.query('SELECT 1');
      });

      await assert.rejects(nested, (error: unknown) => {
        assert.ok(error instanceof InternalError);
        assert.equal(error.code, 'store.nested_call');
        return true;
      });
    });

    it('tx is unusable after the transaction ends', async () => {
      let leaked: Parameters<Parameters<Database['transaction']>[0]>[0] | undefined;
      await db.transaction(async (tx) => {
        leaked = tx;
      });

      await assert.rejects(leaked!.query('SELECT 1'), (error: unknown) => {
        assert.ok(error instanceof InternalError);
        assert.equal(error.code, 'store.transaction_closed');
        return true;
      });
    });

    it('queries outside a transaction do not join it', async () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const rolledBack = db.transaction(async (tx) => {
        await tx.query('INSERT INTO items (name) VALUES ($1)', ['inside']);
        await released;
        throw new Error('roll back');
      });

      const outside = db.query('INSERT INTO items (name) VALUES ($1)', ['outside']);
      await sleep(20);
      release();
      await assert.rejects(rolledBack, /roll back/);
      await outside;

      const { rows } = await db.query<{ name: string }>("SELECT name FROM items WHERE name IN ('inside', 'outside')");
      assert.deepEqual(rows, [{ name: 'outside' }]);
    });
  });
}

describeContract('PostgreSQL', 'postgres', async () => {
  const testDatabase = await createTestDatabase();
  const db = await openDatabase({ url: testDatabase.url });
  return { db, cleanup: () => testDatabase.drop() };
});

describeContract('PGlite in memory', 'pglite', async () => {
  const db = await openDatabase();
  return { db, cleanup: async () => {} };
});

describe('PGlite serialisation', () => {
  let db: Database;

  before(async () => {
    db = await openDatabase();
    await db.query('CREATE TABLE steps (id serial PRIMARY KEY, worker int NOT NULL, step text NOT NULL)');
  });

  after(async () => {
    await db.close();
  });

  it('concurrent transactions do not interleave', async () => {
    const workers = Array.from({ length: 8 }, (_, worker) =>
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO steps (worker, step) VALUES ($1, $2)', [worker, 'begin']);
        await sleep(2);
        await tx.query('INSERT INTO steps (worker, step) VALUES ($1, $2)', [worker, 'middle']);
        await sleep(1);
        await tx.query('INSERT INTO steps (worker, step) VALUES ($1, $2)', [worker, 'end']);
      }),
    );
    await Promise.all(workers);

    const { rows } = await db.query<{ worker: number; step: string }>('SELECT worker, step FROM steps ORDER BY id');
    assert.equal(rows.length, 24);
    for (let index = 0; index < rows.length; index += 3) {
      const worker = rows[index]?.worker;
      assert.deepEqual(rows.slice(index, index + 3), [
        { worker, step: 'begin' },
        { worker, step: 'middle' },
        { worker, step: 'end' },
      ]);
    }
  });
});
