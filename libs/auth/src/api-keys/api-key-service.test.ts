import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { InternalError, InvalidArgumentError, NotFoundError, UnauthenticatedError } from '@sark/platform';
import { openDatabase, runMigrations, type Database } from '@sark/store';
import { createTestDatabase, type TestDatabase } from '@sark/store/testing';
import { ApiKeyService, type ApiKeyRecord } from './api-key-service.js';
import { maxTtlSeconds } from './api-key-validation.js';
import { authMigrationComponent, authMigrations } from './migrations.js';

const startMs = Date.parse('2026-03-01T12:00:00.000Z');
const apiKeyShape = /^sark_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/;

interface Backend {
  name: 'postgres' | 'pglite';
  open(): Promise<{ db: Database; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'postgres',
    async open() {
      const testDatabase: TestDatabase = await createTestDatabase();
      const db = await openDatabase({ url: testDatabase.url });
      return {
        db,
        async cleanup() {
          await db.close();
          await testDatabase.drop();
        },
      };
    },
  },
  {
    name: 'pglite',
    async open() {
      const db = await openDatabase();
      return { db, cleanup: () => db.close() };
    },
  },
];

function isUnauthenticated(code: string) {
  return (error: unknown) =>
    error instanceof UnauthenticatedError && error.code === code && error.message === UnauthenticatedError.publicMessage;
}

function isInvalidArgument(field: string) {
  return (error: unknown) => error instanceof InvalidArgumentError && error.field === field;
}

/** Returns the queued buffers first, then fresh random bytes. */
function queuedRandomBytes(queue: Buffer[]): (size: number) => Buffer {
  return (size) => {
    const next = queue.shift();
    if (next === undefined) {
      return randomBytes(size);
    }

    assert.equal(next.length, size);
    return next;
  };
}

for (const backend of backends) {
  describe(`ApiKeyService on ${backend.name}`, () => {
    let db: Database;
    let cleanup: () => Promise<void>;
    let nowMs = startMs;
    let service: ApiKeyService;

    before(async () => {
      ({ db, cleanup } = await backend.open());
      await runMigrations(db, { component: authMigrationComponent, migrations: authMigrations });
      service = new ApiKeyService({ db, now: () => new Date(nowMs) });
    });

    after(async () => {
      await cleanup();
    });

    function advanceSeconds(seconds: number): void {
      nowMs += seconds * 1000;
    }

    async function expectAuthenticateFailure(apiKey: string, code: string): Promise<UnauthenticatedError> {
      const error = await service.authenticate(apiKey).then(
        () => assert.fail(`authenticate accepted ${apiKey}`),
        (caught: unknown) => caught,
      );
      assert.ok(isUnauthenticated(code)(error), `expected ${code}, got ${String(error)}`);
      return error as UnauthenticatedError;
    }

    describe('create and authenticate', () => {
      it('round-trips a new key', async () => {
        const { key, apiKey } = await service.create({
          principal: 'alice@orga.example',
          scopes: ['routing:request', 'apikeys:admin'],
          description: 'CI pipeline',
        });

        assert.match(apiKey, apiKeyShape);
        assert.ok(apiKey.startsWith(`sark_${key.keyId}_`));
        assert.deepEqual(key, {
          keyId: key.keyId,
          principal: 'alice@orga.example',
          scopes: ['routing:request', 'apikeys:admin'],
          description: 'CI pipeline',
          createdAt: new Date(nowMs),
          expiresAt: null,
          revokedAt: null,
          revokedReason: null,
        });
        assert.deepEqual(await service.authenticate(apiKey), key);
      });

      it('applies defaults', async () => {
        const { key } = await service.create({ principal: 'alice@orga.example' });

        assert.deepEqual(key.scopes, []);
        assert.equal(key.description, '');
        assert.equal(key.expiresAt, null);
      });

      it('lowercases the principal org', async () => {
        const { key } = await service.create({ principal: 'Alice@OrgA.Example' });

        assert.equal(key.principal, 'Alice@orga.example');
      });

      it('sets expiry from ttlSeconds', async () => {
        const { key } = await service.create({ principal: 'alice@orga.example', ttlSeconds: 3600 });

        assert.deepEqual(key.expiresAt, new Date(nowMs + 3_600_000));
      });

      it('returns different keys each time', async () => {
        const first = await service.create({ principal: 'alice@orga.example' });
        const second = await service.create({ principal: 'alice@orga.example' });

        assert.notEqual(first.key.keyId, second.key.keyId);
        assert.notEqual(first.apiKey.slice(18), second.apiKey.slice(18));
      });
    });

    describe('authenticate failures', () => {
      const malformed = [
        '',
        'sark_',
        'sark_abcdefghijkl',
        `sark_abcdefghijkl_${'A'.repeat(42)}`,
        `sark_abcdefghijkl_${'A'.repeat(44)}`,
        `sark_ABCDEFGHIJKL_${'A'.repeat(43)}`,
        `sark_abcdefghijk1_${'A'.repeat(43)}`,
        `key_abcdefghijkl_${'A'.repeat(43)}`,
        ` sark_abcdefghijkl_${'A'.repeat(43)}`,
        `sark_abcdefghijkl_${'A'.repeat(42)}=`,
      ];
      for (const apiKey of malformed) {
        it(`rejects malformed ${JSON.stringify(apiKey.slice(0, 24))}`, async () => {
          await expectAuthenticateFailure(apiKey, 'auth.api_key_malformed');
        });
      }

      it('rejects an unknown key id', async () => {
        const { apiKey } = await service.create({ principal: 'alice@orga.example' });
        const unknown = `sark_zzzzzzzzzzzz_${apiKey.slice(18)}`;

        const error = await expectAuthenticateFailure(unknown, 'auth.api_key_unknown');

        assert.equal(error.detail, 'no API key has id zzzzzzzzzzzz');
      });

      it('rejects a wrong secret', async () => {
        const { key, apiKey } = await service.create({ principal: 'alice@orga.example' });
        const wrongSecret = `sark_${key.keyId}_${randomBytes(32).toString('base64url')}`;

        const error = await expectAuthenticateFailure(wrongSecret, 'auth.api_key_mismatch');

        assert.equal(error.detail, `the secret does not match API key ${key.keyId}`);
        assert.equal(error.detail.includes(apiKey.slice(18)), false);
      });

      it('rejects another spelling of the same secret bytes', async () => {
        const { apiKey } = await service.create({ principal: 'alice@orga.example' });
        const secret = apiKey.slice(18);
        const lastCharacter = secret[42] as string;
        // The last base64url character carries 2 unused bits, so its neighbour decodes to the same 32 bytes.
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const sibling = alphabet[alphabet.indexOf(lastCharacter) ^ 1] as string;
        const respelled = `${apiKey.slice(0, 18)}${secret.slice(0, 42)}${sibling}`;
        assert.deepEqual(Buffer.from(respelled.slice(18), 'base64url'), Buffer.from(secret, 'base64url'));

        await expectAuthenticateFailure(respelled, 'auth.api_key_mismatch');
      });

      it('rejects a revoked key', async () => {
        const { key, apiKey } = await service.create({ principal: 'alice@orga.example' });
        await service.revoke({ keyId: key.keyId, reason: 'laptop stolen' });

        const error = await expectAuthenticateFailure(apiKey, 'auth.api_key_revoked');

        assert.equal(error.detail, `API key ${key.keyId} was revoked at ${new Date(nowMs).toISOString()}: laptop stolen`);
      });

      it('rejects a key once it expires', async () => {
        const { key, apiKey } = await service.create({ principal: 'alice@orga.example', ttlSeconds: 60 });

        advanceSeconds(59);
        assert.equal((await service.authenticate(apiKey)).keyId, key.keyId);

        advanceSeconds(1);
        const error = await expectAuthenticateFailure(apiKey, 'auth.api_key_expired');
        assert.equal(error.detail, `API key ${key.keyId} expired at ${key.expiresAt?.toISOString()}`);
      });
    });

    describe('storage', () => {
      it('stores only the hash of the secret', async () => {
        const { key, apiKey } = await service.create({ principal: 'alice@orga.example', scopes: ['a'], description: 'stored', ttlSeconds: 10 });
        const secret = apiKey.slice(18);

        const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE key_id = $1', [key.keyId]);

        assert.equal(rows.length, 1);
        for (const [column, value] of Object.entries(rows[0] ?? {})) {
          const text = value instanceof Date ? value.toISOString() : JSON.stringify(value);
          assert.equal(text.includes(secret), false, `column ${column} contains the secret`);
        }
        assert.equal(rows[0]?.['secret_sha256'], createHash('sha256').update(secret).digest('hex'));
      });

      it('retries when a key id is taken', async () => {
        const takenId = Buffer.alloc(12, 1);
        const freeId = Buffer.alloc(12, 2);
        const first = new ApiKeyService({ db, now: () => new Date(nowMs), randomBytes: queuedRandomBytes([randomBytes(32), takenId]) });
        const second = new ApiKeyService({ db, now: () => new Date(nowMs), randomBytes: queuedRandomBytes([randomBytes(32), takenId, freeId]) });

        const existing = await first.create({ principal: 'alice@orga.example' });
        const created = await second.create({ principal: 'alice@orga.example' });

        assert.equal(existing.key.keyId, 'bbbbbbbbbbbb');
        assert.equal(created.key.keyId, 'cccccccccccc');
        assert.equal((await service.authenticate(created.apiKey)).keyId, 'cccccccccccc');
      });

      it('gives up after three taken key ids', async () => {
        const takenId = Buffer.alloc(12, 3);
        const owner = new ApiKeyService({ db, randomBytes: queuedRandomBytes([randomBytes(32), takenId]) });
        const stuck = new ApiKeyService({ db, randomBytes: queuedRandomBytes([randomBytes(32), takenId, takenId, takenId]) });
        assert.equal((await owner.create({ principal: 'alice@orga.example' })).key.keyId, 'dddddddddddd');

        await assert.rejects(
          stuck.create({ principal: 'alice@orga.example' }),
          (error: unknown) => error instanceof InternalError && error.code === 'auth.api_key_id_collision',
        );
      });
    });

    describe('list', () => {
      const principal = `lister-${backend.name}@orgl.example`;
      const created: ApiKeyRecord[] = [];

      before(async () => {
        for (let index = 0; index < 5; index += 1) {
          // Two keys share a creation time, so the key id has to break the tie.
          if (index !== 3) {
            advanceSeconds(1);
          }
          created.push((await service.create({ principal, description: `key ${index}` })).key);
        }
      });

      function newestFirst(keys: ApiKeyRecord[]): string[] {
        return [...keys]
          .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.keyId < b.keyId ? 1 : -1))
          .map((key) => key.keyId);
      }

      it('pages newest first', async () => {
        const seen: string[] = [];
        const pageSizes: number[] = [];
        let pageToken = '';
        do {
          const page = await service.list({ principal, pageSize: 2, pageToken });
          seen.push(...page.keys.map((key) => key.keyId));
          pageSizes.push(page.keys.length);
          pageToken = page.nextPageToken;
        } while (pageToken !== '');

        assert.deepEqual(seen, newestFirst(created));
        assert.deepEqual(pageSizes, [2, 2, 1]);
      });

      it('ends with an empty token on an exact fit', async () => {
        const page = await service.list({ principal, pageSize: 5 });

        assert.equal(page.keys.length, 5);
        assert.equal(page.nextPageToken, '');
      });

      it('filters by principal', async () => {
        const page = await service.list({ principal });

        assert.deepEqual(new Set(page.keys.map((key) => key.principal)), new Set([principal]));
        assert.equal(page.keys.length, 5);
      });

      it('lists all principals without a filter', async () => {
        const page = await service.list({ pageSize: 500 });
        const principals = new Set(page.keys.map((key) => key.principal));

        assert.ok(principals.has(principal));
        assert.ok(principals.has('alice@orga.example'));
      });

      it('hides revoked keys unless asked', async () => {
        const revoked = created[1] as ApiKeyRecord;
        await service.revoke({ keyId: revoked.keyId, reason: 'rotated' });

        const active = await service.list({ principal });
        const all = await service.list({ principal, includeRevoked: true });

        assert.deepEqual(
          active.keys.map((key) => key.keyId),
          newestFirst(created).filter((keyId) => keyId !== revoked.keyId),
        );
        assert.deepEqual(all.keys.map((key) => key.keyId), newestFirst(created));
        assert.equal(all.keys.find((key) => key.keyId === revoked.keyId)?.revokedReason, 'rotated');
      });

      const badTokens = ['not a token', 'bm9wZQ', Buffer.from('123:ABCDEFGHIJKL').toString('base64url'), Buffer.from('9999999999999999:abcdefghijkl').toString('base64url')];
      for (const pageToken of badTokens) {
        it(`rejects page token ${JSON.stringify(pageToken)}`, async () => {
          await assert.rejects(service.list({ pageToken }), isInvalidArgument('page_token'));
        });
      }

      it('rejects an altered page token', async () => {
        const { nextPageToken } = await service.list({ principal, pageSize: 1 });

        await assert.rejects(service.list({ principal, pageToken: `${nextPageToken}!` }), isInvalidArgument('page_token'));
      });
    });

    describe('revoke', () => {
      it('keeps the first revocation', async () => {
        const { key } = await service.create({ principal: 'alice@orga.example' });
        const revokedAtMs = nowMs;

        const first = await service.revoke({ keyId: key.keyId, reason: 'first reason' });
        advanceSeconds(30);
        const second = await service.revoke({ keyId: key.keyId, reason: 'second reason' });

        assert.deepEqual(first, { ...key, revokedAt: new Date(revokedAtMs), revokedReason: 'first reason' });
        assert.deepEqual(second, first);
      });

      it('rejects an unknown key id', async () => {
        await assert.rejects(
          service.revoke({ keyId: 'zzzzzzzzzzzz', reason: 'cleanup' }),
          (error: unknown) => error instanceof NotFoundError && error.code === 'auth.api_key_not_found' && error.message === 'no API key has id zzzzzzzzzzzz',
        );
      });
    });

    describe('validation', () => {
      const createCases: Array<[string, Parameters<ApiKeyService['create']>[0], string]> = [
        ['principal without org', { principal: 'alice' }, 'principal'],
        ['principal with bad org', { principal: 'alice@orga..example' }, 'principal'],
        ['33 scopes', { principal: 'a@orga.example', scopes: Array.from({ length: 33 }, (_, index) => `s${index}`) }, 'scopes'],
        ['uppercase scope', { principal: 'a@orga.example', scopes: ['read', 'Write'] }, 'scopes[1]'],
        ['scope starting with a digit', { principal: 'a@orga.example', scopes: ['1read'] }, 'scopes[0]'],
        ['65-character scope', { principal: 'a@orga.example', scopes: [`s${'x'.repeat(64)}`] }, 'scopes[0]'],
        ['duplicate scope', { principal: 'a@orga.example', scopes: ['read', 'write', 'read'] }, 'scopes[2]'],
        ['257-character description', { principal: 'a@orga.example', description: 'd'.repeat(257) }, 'description'],
        ['description with a line break', { principal: 'a@orga.example', description: 'line\nbreak' }, 'description'],
        ['zero ttl', { principal: 'a@orga.example', ttlSeconds: 0 }, 'ttl_seconds'],
        ['negative ttl', { principal: 'a@orga.example', ttlSeconds: -5 }, 'ttl_seconds'],
        ['fractional ttl', { principal: 'a@orga.example', ttlSeconds: 1.5 }, 'ttl_seconds'],
        ['ttl over ten years', { principal: 'a@orga.example', ttlSeconds: maxTtlSeconds + 1 }, 'ttl_seconds'],
      ];
      for (const [label, options, field] of createCases) {
        it(`create rejects ${label}`, async () => {
          await assert.rejects(service.create(options), isInvalidArgument(field));
        });
      }

      it('create accepts the limits', async () => {
        const { key } = await service.create({
          principal: `${'n'.repeat(64)}@orga.example`,
          scopes: Array.from({ length: 32 }, (_, index) => `s${index}`),
          description: 'd'.repeat(256),
          ttlSeconds: maxTtlSeconds,
        });

        assert.equal(key.scopes.length, 32);
        assert.deepEqual(key.expiresAt, new Date(nowMs + maxTtlSeconds * 1000));
      });

      const otherCases: Array<[string, () => Promise<unknown>, string]> = [
        ['revoke with a malformed key id', () => service.revoke({ keyId: 'ABC', reason: 'x' }), 'key_id'],
        ['revoke with an empty reason', () => service.revoke({ keyId: 'abcdefghijkl', reason: '' }), 'reason'],
        ['revoke with a 257-character reason', () => service.revoke({ keyId: 'abcdefghijkl', reason: 'r'.repeat(257) }), 'reason'],
        ['list with a bad principal', () => service.list({ principal: 'nobody' }), 'principal'],
        ['list with page size 501', () => service.list({ pageSize: 501 }), 'page_size'],
        ['list with a negative page size', () => service.list({ pageSize: -1 }), 'page_size'],
        ['list with a fractional page size', () => service.list({ pageSize: 1.5 }), 'page_size'],
      ];
      for (const [label, call, field] of otherCases) {
        it(`rejects ${label}`, async () => {
          await assert.rejects(call(), isInvalidArgument(field));
        });
      }
    });
  });
}
