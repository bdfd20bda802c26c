import { randomBytes } from 'node:crypto';

import pg from 'pg';

/** A throwaway PostgreSQL database for one test file. */
export interface TestDatabase {
  /** Connection URL of the new database: DATABASE_URL with the database name replaced. */
  url: string;
  /** Name of the new database, `sark_test_` followed by 16 hex digits. */
  name: string;
  /** Drops the database, closing any connections still open to it. */
  drop(): Promise<void>;
}

export const defaultTestDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Creates an empty database named `sark_test_<random hex>` through `adminUrl` (default
 * DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test). The user of that URL needs
 * the CREATEDB privilege. Call `drop()` in `after`.
 */
export async function createTestDatabase(adminUrl: string = process.env.DATABASE_URL || defaultTestDatabaseUrl): Promise<TestDatabase> {
  const name = `sark_test_${randomBytes(8).toString('hex')}`;
  await runAdminStatement(adminUrl, `CREATE DATABASE ${name}`);

  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => runAdminStatement(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function runAdminStatement(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
