import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { InvalidArgumentError, UnavailableError } from '@sark/platform';
import pg from 'pg';

import { advisoryLockKey } from './advisory-lock.js';
import { openDatabase } from './database.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

/** Returns a loopback port that nothing listens on: bound by the OS, then released. */
async function closedLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));

  return port;
}

describe('openDatabase on PostgreSQL', () => {
  let testDatabase: TestDatabase;

  before(async () => {
    testDatabase = await createTestDatabase();
  });

  after(async () => {
    await testDatabase.drop();
  });

  it('closed port throws UnavailableError', async () => {
    const port = await closedLoopbackPort();

    const error = await openDatabase({ url: `postgres://sark:secret-pw@127.0.0.1:${port}/sark`, connectTimeoutMs: 2000 }).catch((caught: unknown) => caught);

    assert.ok(error instanceof UnavailableError);
    assert.equal(error.code, 'store.unavailable');
    assert.match(error.message, new RegExp(`^cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}/sark: ECONNREFUSED`));
    assert.match(error.message, /check that the server is running/);
    assert.doesNotMatch(error.message, /secret-pw/);
  });

  it('missing database throws UnavailableError', async () => {
    const url = new URL(testDatabase.url);
    url.pathname = `/${testDatabase.name}_missing`;

    const error = await openDatabase({ url: url.toString() }).catch((caught: unknown) => caught);

    assert.ok(error instanceof UnavailableError);
    assert.equal(error.code, 'store.unavailable');
    assert.match(error.message, new RegExp(`database "${testDatabase.name}_missing" does not exist`));
  });

  it('malformed URL throws InvalidArgumentError', async () => {
    const error = await openDatabase({ url: 'mysql://root:secret-pw@127.0.0.1/db' }).catch((caught: unknown) => caught);

    assert.ok(error instanceof InvalidArgumentError);
    assert.equal(error.field, 'url');
    assert.doesNotMatch(error.message, /secret-pw/);
  });

  it('busy pool throws UnavailableError', async () => {
    const db = await openDatabase({ url: testDatabase.url, maxConnections: 1, connectTimeoutMs: 200 });
    let release!: () => void;
    const held = db.transaction(() => new Promise<void>((resolve) => {
      release = resolve;
    }));

    const error = await db.query('SELECT 1').catch((caught: unknown) => caught);
    release();
    await held;
    await db.close();

    assert.ok(error instanceof UnavailableError);
    assert.equal(error.code, 'store.pool_exhausted');
    assert.match(error.message, /all 1 connections to PostgreSQL at .* stayed busy for 200 ms/);
  });

  it('createTestDatabase creates and drops a database', async () => {
    const scratch = await createTestDatabase();
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    try {
      const exists = async () => (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [scratch.name])).rowCount;

      assert.match(scratch.name, /^sark_test_[0-9a-f]{16}$/);
      assert.equal(await exists(), 1);
      await scratch.drop();
      assert.equal(await exists(), 0);
    } finally {
      await admin.end();
    }
  });
});

describe('openDatabase on PGlite', () => {
  let parent: string;

  before(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'sark-store-'));
  });

  after(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('pgliteDir is created and keeps data', async () => {
    const dataDir = path.join(parent, 'nested', 'pgdata');

    const first = await openDatabase({ pgliteDir: dataDir });
    await first.query('CREATE TABLE kept (value text)');
    await first.query('INSERT INTO kept VALUES ($1)', ['still here']);
    await first.close();
    const second = await openDatabase({ pgliteDir: dataDir });
    const { rows } = await second.query('SELECT value FROM kept');
    await second.close();

    assert.equal(first.kind, 'pglite');
    assert.deepEqual(rows, [{ value: 'still here' }]);
  });
});

describe('advisoryLockKey', () => {
  it('is a stable signed 64-bit integer', () => {
    const key = BigInt(advisoryLockKey('audit_events'));

    assert.equal(advisoryLockKey('audit_events'), key.toString());
    assert.notEqual(advisoryLockKey('audit_events'), advisoryLockKey('audit_event'));
    assert.ok(key >= -(2n ** 63n));
    assert.ok(key < 2n ** 63n);
  });
});
