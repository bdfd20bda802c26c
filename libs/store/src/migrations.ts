import type { Logger } from 'pino';

import { FailedPreconditionError, InvalidArgumentError } from '@sark/platform';

import { lockForTransaction } from './advisory-lock.js';
import type { Database, Queryable } from './database.js';

/**
 * One schema change. `sql` may contain several statements, runs in its own transaction and
 * must not contain BEGIN, COMMIT or ROLLBACK.
 */
export interface Migration {
  /** Positive integer, unique within the component. Migrations apply in ascending order. */
  version: number;
  name: string;
  sql: string;
}

export interface RunMigrationsOptions {
  /** Owner of the migrations, for example `audit`. Each component has its own version sequence. */
  component: string;
  migrations: Migration[];
  logger?: Logger;
}

export interface MigrationReport {
  /** Versions this call applied, in order. Empty when the schema was already current. */
  applied: number[];
}

const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS sark_schema_migrations (
  component text NOT NULL,
  version int NOT NULL,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (component, version)
)`;

/**
 * Applies the migrations of `component` that the database lacks, in version order, each in
 * its own transaction that also records it in `sark_schema_migrations`. Every transaction
 * holds an advisory lock derived from the component name, so processes that start together
 * apply each migration exactly once.
 *
 * Throws InvalidArgumentError for a malformed migration list and FailedPreconditionError
 * `store.schema_too_new` when the database holds a version of the component that is not in
 * `migrations` (written by a newer release). A failing migration rolls back and its error is
 * rethrown; the versions before it stay applied.
 */
export async function runMigrations(db: Database, options: RunMigrationsOptions): Promise<MigrationReport> {
  const migrations = sortedMigrations(options);
  const known = new Set(migrations.map((migration) => migration.version));

  await prepareMigrationsTable(db, options.component, known);
  const applied: number[] = [];
  for (const migration of migrations) {
    if (await applyIfMissing(db, options.component, known, migration)) {
      applied.push(migration.version);
      options.logger?.info({ component: options.component, version: migration.version, name: migration.name }, 'applied schema migration');
    }
  }

  return { applied };
}

function sortedMigrations(options: RunMigrationsOptions): Migration[] {
  if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(options.component)) {
    throw new InvalidArgumentError('component', `${JSON.stringify(options.component)} must be 1-64 lowercase letters, digits, '_', '.' or '-', starting with a letter`);
  }
  const seen = new Set<number>();
  options.migrations.forEach((migration, index) => {
    if (!Number.isInteger(migration.version) || migration.version < 1 || migration.version > 2_147_483_647) {
      throw new InvalidArgumentError(`migrations[${index}].version`, `${migration.version} must be a positive 32-bit integer`);
    }
    if (seen.has(migration.version)) {
      throw new InvalidArgumentError(`migrations[${index}].version`, `${migration.version} appears more than once in component ${options.component}`);
    }
    if (migration.name.trim() === '') {
      throw new InvalidArgumentError(`migrations[${index}].name`, 'must not be empty');
    }
    seen.add(migration.version);
  });

  return [...options.migrations].sort((a, b) => a.version - b.version);
}

async function prepareMigrationsTable(db: Database, component: string, known: Set<number>): Promise<void> {
  await db.transaction(async (tx) => {
    // Concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog, so creators take turns.
    await lockForTransaction(tx, 'sark_schema_migrations');
    await tx.query(createMigrationsTable);
    rejectUnknownVersions(component, await appliedVersions(tx, component), known);
  });
}

async function applyIfMissing(db: Database, component: string, known: Set<number>, migration: Migration): Promise<boolean> {
  return db.transaction(async (tx) => {
    await lockForTransaction(tx, `sark_schema_migrations:${component}`);
    const present = await appliedVersions(tx, component);
    rejectUnknownVersions(component, present, known);
    if (present.has(migration.version)) {
      return false;
    }

    await tx.query(migration.sql);
    await tx.query('INSERT INTO sark_schema_migrations (component, version, name, applied_at) VALUES ($1, $2, $3, now())', [component, migration.version, migration.name]);
    return true;
  });
}

async function appliedVersions(tx: Queryable, component: string): Promise<Set<number>> {
  const { rows } = await tx.query<{ version: number }>('SELECT version FROM sark_schema_migrations WHERE component = $1', [component]);

  return new Set(rows.map((row) => row.version));
}

function rejectUnknownVersions(component: string, present: Set<number>, known: Set<number>): void {
  const unknown = [...present].filter((version) => !known.has(version)).sort((a, b) => a - b);
  if (unknown.length === 0) {
    return;
  }

  const latestKnown = known.size === 0 ? 'none' : `up to ${Math.max(...known)}`;
  throw new FailedPreconditionError(
    'store.schema_too_new',
    `the database has ${component} schema ${unknown.length === 1 ? 'version' : 'versions'} ${unknown.join(', ')}, which this release does not know (it knows ${latestKnown}); run a release that includes those migrations or restore a matching database`,
  );
}
