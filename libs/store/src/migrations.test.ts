import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { FailedPreconditionError, InvalidArgumentError } from '@sark/platform';

import { openDatabase, type Database } from './database.js';
import { runMigrations, type Migration } from './migrations.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

const widgetMigrations: Migration[] = [
  { version: 1, name: 'create_widgets', sql: 'CREATE TABLE widgets (id int PRIMARY KEY); CREATE TABLE widget_log (entry text NOT NULL)' },
  { version: 2, name: 'seed_widgets', sql: "INSERT INTO widgets VALUES (1), (2); INSERT INTO widget_log VALUES ('v2')" },
  { version: 3, name: 'add_widget_name', sql: "ALTER TABLE widgets ADD COLUMN name text; INSERT INTO widget_log VALUES ('v3')" },
];

function describeMigrations(label: string, open: () => Promise<{ db: Database; cleanup: () => Promise<void> }>): void {
  describe(`runMigrations on ${label}`, () => {
    let db: Database;
    let cleanup: () => Promise<void>;

    before(async () => {
      ({ db, cleanup } = await open());
    });

    after(async () => {
      await db.close();
      await cleanup();
    });

    it('applies missing versions in order once', async () => {
      const first = await runMigrations(db, { component: 'widgets', migrations: widgetMigrations.slice(0, 2) });
      const second = await runMigrations(db, { component: 'widgets', migrations: [...widgetMigrations].reverse() });
      const third = await runMigrations(db, { component: 'widgets', migrations: widgetMigrations });

      assert.deepEqual(first.applied, [1, 2]);
      assert.deepEqual(second.applied, [3]);
      assert.deepEqual(third.applied, []);
      const log = await db.query('SELECT entry FROM widget_log ORDER BY entry');
      assert.deepEqual(log.rows, [{ entry: 'v2' }, { entry: 'v3' }]);
      const recorded = await db.query<{ version: number; name: string; applied_at: unknown }>(
        "SELECT version, name, applied_at FROM sark_schema_migrations WHERE component = 'widgets' ORDER BY version",
      );
      assert.deepEqual(recorded.rows.map(({ version, name }) => ({ version, name })), [
        { version: 1, name: 'create_widgets' },
        { version: 2, name: 'seed_widgets' },
        { version: 3, name: 'add_widget_name' },
      ]);
      assert.ok(recorded.rows.every((row) => row.applied_at instanceof Date));
    });

    it('keeps components apart', async () => {
      const report = await runMigrations(db, { component: 'gadgets', migrations: [{ version: 1, name: 'create_gadgets', sql: 'CREATE TABLE gadgets (id int)' }] });

      assert.deepEqual(report.applied, [1]);
    });

    it('rejects a newer unknown version', async () => {
      const cases = [
        { migrations: widgetMigrations.slice(0, 2), message: /^the database has widgets schema version 3, which this release does not know \(it knows up to 2\)/ },
        { migrations: [], message: /^the database has widgets schema versions 1, 2, 3, which this release does not know \(it knows none\)/ },
      ];

      for (const { migrations, message } of cases) {
        const error = await runMigrations(db, { component: 'widgets', migrations }).catch((caught: unknown) => caught);

        assert.ok(error instanceof FailedPreconditionError);
        assert.equal(error.code, 'store.schema_too_new');
        assert.match(error.message, message);
      }
      const recorded = await db.query("SELECT count(*) AS n FROM sark_schema_migrations WHERE component = 'widgets'");
      assert.deepEqual(recorded.rows, [{ n: 3 }]);
    });

    it('rolls back a failing migration', async () => {
      const migrations: Migration[] = [
        { version: 1, name: 'create_parts', sql: 'CREATE TABLE parts (id int)' },
        { version: 2, name: 'broken', sql: 'CREATE TABLE parts_extra (id int); SELECT * FROM no_such_table' },
      ];

      await assert.rejects(runMigrations(db, { component: 'parts', migrations }), /relation "no_such_table" does not exist/);

      const versions = await db.query("SELECT version FROM sark_schema_migrations WHERE component = 'parts'");
      const extra = await db.query("SELECT to_regclass('parts_extra') AS name");
      assert.deepEqual(versions.rows, [{ version: 1 }]);
      assert.deepEqual(extra.rows, [{ name: null }]);
    });

    it('rejects malformed migration lists', async () => {
      const cases: Array<{ component: string; migrations: Migration[]; field: string }> = [
        { component: 'Bad Name', migrations: [], field: 'component' },
        { component: 'dupes', migrations: [{ version: 1, name: 'a', sql: 'SELECT 1' }, { version: 1, name: 'b', sql: 'SELECT 1' }], field: 'migrations[1].version' },
        { component: 'zero', migrations: [{ version: 0, name: 'a', sql: 'SELECT 1' }], field: 'migrations[0].version' },
        { component: 'fraction', migrations: [{ version: 1.5, name: 'a', sql: 'SELECT 1' }], field: 'migrations[0].version' },
        { component: 'unnamed', migrations: [{ version: 1, name: ' ', sql: 'SELECT 1' }], field: 'migrations[0].name' },
      ];

      for (const { component, migrations, field } of cases) {
        await assert.rejects(runMigrations(db, { component, migrations }), (error: unknown) => {
          assert.ok(error instanceof InvalidArgumentError, component);
          assert.equal(error.field, field);
          return true;
        });
      }
    });
  });
}

describeMigrations('PostgreSQL', async () => {
  const testDatabase = await createTestDatabase();
  const db = await openDatabase({ url: testDatabase.url });
  return { db, cleanup: () => testDatabase.drop() };
});

describeMigrations('PGlite in memory', async () => {
  const db = await openDatabase();
  return { db, cleanup: async () => {} };
});

describe('runMigrations from concurrent processes', () => {
  let testDatabase: TestDatabase;
  let databases: Database[];

  before(async () => {
    testDatabase = await createTestDatabase();
    // Separate pools stand in for separate processes: each has its own connections.
    databases = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ url: testDatabase.url, maxConnections: 2 })));
  });

  after(async () => {
    await Promise.all(databases.map((db) => db.close()));
    await testDatabase.drop();
  });

  it('applies each migration once', async () => {
    const slowMigrations = widgetMigrations.map((migration) => ({ ...migration, sql: `SELECT pg_sleep(0.05); ${migration.sql}` }));

    const reports = await Promise.all(databases.map((db) => runMigrations(db, { component: 'widgets', migrations: slowMigrations })));

    const appliedVersions = reports.flatMap((report) => report.applied).sort();
    assert.deepEqual(appliedVersions, [1, 2, 3]);
    const log = await databases[0]!.query('SELECT entry FROM widget_log ORDER BY entry');
    assert.deepEqual(log.rows, [{ entry: 'v2' }, { entry: 'v3' }]);
    const widgets = await databases[0]!.query('SELECT id FROM widgets ORDER BY id');
    assert.deepEqual(widgets.rows, [{ id: 1 }, { id: 2 }]);
  });
});
