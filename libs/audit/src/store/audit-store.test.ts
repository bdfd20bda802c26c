import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { InvalidArgumentError } from '@sark/platform';
import { openDatabase, runMigrations, sqlStateOf, type Database } from '@sark/store';
import { createTestDatabase } from '@sark/store/testing';

import { AuditStore } from './audit-store.js';
import { computeEventHash, genesisPrevHash } from './canonical.js';
import { auditMigrations } from './migrations.js';
import type { AuditEventInput, HashedAuditEvent } from './types.js';

const fullInput: AuditEventInput = {
  correlationId: 'req-1:orga.example',
  eventType: 'cross_org_request',
  principal: 'alice@orga.example',
  resource: 'reports/quarterly',
  action: 'read',
  decision: 'allow',
  sourceNodeId: 'orga-node-1',
  targetNodeId: 'orgb-node-1',
  actor: 'spiffe://orga.example/node/orga-node-1',
  reason: 'permitted by policy reports-read — ünïcødé ✓ 😀',
  peerEventId: '9b2f3f0e-6c1d-4c57-9b67-3a3c2f1e0d11',
  attributes: {
    zeta: [3, 'two', { b: true, a: null }],
    alpha: { nested: { deeper: 'x' }, empty: {}, list: [] },
    numbers: { tenth: 0.1, sum: 0.1 + 0.2, big: 1e21, negative: -5, tiny: 5e-324, exponent: 1.5e300, zero: 0 },
    'key with "quotes"': 'value\nwith\tcontrol\u0001chars',
  },
};

/** An id generator that returns predictable UUIDs: 00000000-0000-4000-8000-<12-digit counter>. */
function sequentialIds(): () => string {
  let counter = 0;
  return () => {
    counter += 1;
    return `00000000-0000-4000-8000-${counter.toString().padStart(12, '0')}`;
  };
}

function describeAuditStore(label: string, open: () => Promise<{ db: Database; cleanup: () => Promise<void> }>): void {
  describe(`AuditStore on ${label}`, () => {
    let db: Database;
    let cleanup: () => Promise<void>;
    let store: AuditStore;
    let clockMs = Date.parse('2025-03-01T12:00:00.000Z');

    before(async () => {
      ({ db, cleanup } = await open());
      await runMigrations(db, { component: 'audit', migrations: auditMigrations });
      store = new AuditStore({ db, now: () => new Date(clockMs), newId: sequentialIds() });
    });

    after(async () => {
      await db.close();
      await cleanup();
    });

    it('append and query round-trip all fields', async () => {
      clockMs += 1234;

      const result = await store.append(fullInput);
      const records = await store.query({ correlationId: fullInput.correlationId });

      assert.deepEqual(result, {
        eventId: '00000000-0000-4000-8000-000000000001',
        sequence: 1,
        recordedAt: new Date(clockMs),
        hash: computeEventHash(genesisPrevHash, {
          ...fullInput,
          eventId: '00000000-0000-4000-8000-000000000001',
          sequence: 1,
          recordedAt: new Date(clockMs),
        } as HashedAuditEvent),
      });
      assert.deepEqual(records, [
        {
          ...fullInput,
          eventId: result.eventId,
          sequence: 1,
          recordedAt: new Date('2025-03-01T12:00:01.234Z'),
          prevHash: genesisPrevHash,
          hash: result.hash,
        },
      ]);
    });

    it('absent and empty fields read back as null', async () => {
      const [first] = await store.query({ limit: 1 });

      const result = await store.append({ correlationId: 'req-2', eventType: 'api_key_created', principal: '', reason: undefined });
      const [record] = await store.query({ correlationId: 'req-2' });

      assert.equal(result.sequence, 2);
      assert.deepEqual(record, {
        eventId: result.eventId,
        sequence: 2,
        correlationId: 'req-2',
        eventType: 'api_key_created',
        principal: null,
        resource: null,
        action: null,
        decision: null,
        sourceNodeId: null,
        targetNodeId: null,
        actor: null,
        reason: null,
        peerEventId: null,
        attributes: {},
        recordedAt: new Date(clockMs),
        prevHash: first!.hash,
        hash: result.hash,
      });
    });

    it('sequences are contiguous from 1', async () => {
      for (let index = 0; index < 5; index += 1) {
        clockMs += 1;
        await store.append({ correlationId: `req-seq-${index}`, eventType: 'sequence_probe', principal: index % 2 === 0 ? 'even@orga.example' : 'odd@orga.example' });
      }

      const records = await store.query();
      assert.deepEqual(records.map((record) => record.sequence), [1, 2, 3, 4, 5, 6, 7]);
      for (let index = 1; index < records.length; index += 1) {
        assert.equal(records[index]?.prevHash, records[index - 1]?.hash);
      }
    });

    it('100 concurrent appends keep one chain', async () => {
      const before = await store.query({ limit: 1000 });

      const results = await Promise.all(
        Array.from({ length: 100 }, (_, index) => store.append({ correlationId: `req-concurrent-${index}`, eventType: 'concurrent_probe', attributes: { index } })),
      );

      const sequences = results.map((result) => result.sequence).sort((a, b) => a - b);
      assert.deepEqual(sequences, Array.from({ length: 100 }, (_, index) => before.length + 1 + index));
      assert.equal(new Set(results.map((result) => result.eventId)).size, 100);
      assert.deepEqual(await store.verifyChain(), { ok: true, checked: before.length + 100 });
    });

    it('appendMany commits in order', async () => {
      const [head] = (await store.query({ afterSequence: 0, limit: 1000 })).slice(-1);
      const inputs = ['first', 'second', 'third'].map((name) => ({ correlationId: 'req-batch', eventType: 'batch_probe', reason: name }));

      const results = await store.appendMany(inputs);
      const records = await store.query({ correlationId: 'req-batch' });

      assert.deepEqual(results.map((result) => result.sequence), [head!.sequence + 1, head!.sequence + 2, head!.sequence + 3]);
      assert.deepEqual(records.map((record) => record.reason), ['first', 'second', 'third']);
      assert.deepEqual(records.map((record) => record.hash), results.map((result) => result.hash));
      assert.deepEqual(await store.appendMany([]), []);
    });

    it('appendMany with an invalid event stores none', async () => {
      const inputs: AuditEventInput[] = [
        { correlationId: 'req-bad-batch', eventType: 'batch_probe' },
        { correlationId: 'req-bad-batch', eventType: 'Not Snake' },
      ];

      await assert.rejects(store.appendMany(inputs), (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.equal(error.field, 'events[1].event_type');
        return true;
      });
      assert.deepEqual(await store.query({ correlationId: 'req-bad-batch' }), []);
    });

    it('stored rows reproduce their hashes', async () => {
      const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM audit_events ORDER BY sequence');

      let previousHash = genesisPrevHash;
      for (const row of rows) {
        const event: HashedAuditEvent = {
          eventId: row.event_id as string,
          sequence: row.sequence as number,
          correlationId: row.correlation_id as string,
          eventType: row.event_type as string,
          principal: row.principal as string | null,
          resource: row.resource as string | null,
          action: row.action as string | null,
          decision: row.decision === '' ? null : (row.decision as 'allow' | 'deny'),
          sourceNodeId: row.source_node_id as string | null,
          targetNodeId: row.target_node_id as string | null,
          actor: row.actor as string | null,
          reason: row.reason as string | null,
          peerEventId: row.peer_event_id as string | null,
          attributes: row.attributes as Record<string, unknown>,
          recordedAt: row.recorded_at as Date,
        };
        assert.equal(row.prev_hash, previousHash, `prev_hash of sequence ${event.sequence}`);
        assert.equal(computeEventHash(previousHash, event), row.hash, `hash of sequence ${event.sequence}`);
        previousHash = row.hash as string;
      }
      assert.equal(rows.length, 110);
    });

    it('query filters and pages', async () => {
      const byType = await store.query({ eventType: 'sequence_probe' });
      const byPrincipal = await store.query({ principal: 'odd@orga.example' });
      const page = await store.query({ afterSequence: 3, limit: 2 });
      const combined = await store.query({ eventType: 'sequence_probe', principal: 'even@orga.example', afterSequence: 3 });
      const emptyFilters = await store.query({ correlationId: '', eventType: '', principal: '', limit: 3 });

      assert.deepEqual(byType.map((record) => record.sequence), [3, 4, 5, 6, 7]);
      assert.deepEqual(byPrincipal.map((record) => record.sequence), [4, 6]);
      assert.deepEqual(page.map((record) => record.sequence), [4, 5]);
      assert.deepEqual(combined.map((record) => record.sequence), [5, 7]);
      assert.deepEqual(emptyFilters.map((record) => record.sequence), [1, 2, 3]);
      assert.equal((await store.query()).length, 100);
      assert.equal((await store.query({ limit: 1000 })).length, 110);
    });

    it('query rejects invalid paging', async () => {
      const cases: Array<{ filter: Parameters<AuditStore['query']>[0]; field: string }> = [
        { filter: { limit: 0 }, field: 'page_size' },
        { filter: { limit: 1001 }, field: 'page_size' },
        { filter: { limit: 1.5 }, field: 'page_size' },
        { filter: { afterSequence: -1 }, field: 'after_sequence' },
        { filter: { principal: 'x'.repeat(1025) }, field: 'principal' },
      ];

      for (const { filter, field } of cases) {
        await assert.rejects(store.query(filter), (error: unknown) => {
          assert.ok(error instanceof InvalidArgumentError);
          assert.equal(error.field, field);
          return true;
        });
      }
    });

    it('append rejects invalid events', async () => {
      const valid = { correlationId: 'req-invalid', eventType: 'invalid_probe' };
      const cases: Array<{ input: unknown; field: string }> = [
        { input: { ...valid, eventType: '' }, field: 'event.event_type' },
        { input: { ...valid, eventType: 'CrossOrg' }, field: 'event.event_type' },
        { input: { ...valid, eventType: `a${'_b'.repeat(32)}` }, field: 'event.event_type' },
        { input: { ...valid, correlationId: undefined }, field: 'event.correlation_id' },
        { input: { ...valid, correlationId: 'has space' }, field: 'event.correlation_id' },
        { input: { ...valid, correlationId: 'c'.repeat(129) }, field: 'event.correlation_id' },
        { input: { ...valid, principal: 'p'.repeat(1025) }, field: 'event.principal' },
        { input: { ...valid, sourceNodeId: 42 }, field: 'event.source_node_id' },
        { input: { ...valid, reason: 'nul\u0000byte' }, field: 'event.reason' },
        { input: { ...valid, actor: 'lone\ud800surrogate' }, field: 'event.actor' },
        { input: { ...valid, decision: 'maybe' }, field: 'event.decision' },
        { input: { ...valid, attributes: [1, 2] }, field: 'event.attributes' },
        { input: { ...valid, attributes: new Map() }, field: 'event.attributes' },
        { input: { ...valid, attributes: { when: new Date() } }, field: 'event.attributes.when' },
        { input: { ...valid, attributes: { list: [1, Number.NaN] } }, field: 'event.attributes.list[1]' },
        { input: { ...valid, attributes: { gone: undefined } }, field: 'event.attributes.gone' },
        { input: { ...valid, attributes: { big: 'x'.repeat(16 * 1024) } }, field: 'event.attributes' },
        { input: { ...valid, attributes: { ['bad\u0000key']: 1 } }, field: 'event.attributes.bad\u0000key' },
      ];

      for (const { input, field } of cases) {
        await assert.rejects(store.append(input as AuditEventInput), (error: unknown) => {
          assert.ok(error instanceof InvalidArgumentError, field);
          assert.equal(error.field, field);
          return true;
        });
      }
      assert.deepEqual(await store.query({ correlationId: 'req-invalid' }), []);
    });

    it('attributes nested 32 deep are accepted, 33 rejected', async () => {
      const nest = (levels: number): Record<string, unknown> => (levels === 1 ? { leaf: true } : { next: nest(levels - 1) });

      const accepted = await store.append({ correlationId: 'req-deep', eventType: 'deep_probe', attributes: nest(32) });
      const rejected = store.append({ correlationId: 'req-deep', eventType: 'deep_probe', attributes: nest(33) });

      assert.equal(accepted.sequence, 111);
      await assert.rejects(rejected, (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.match(error.field, /^event\.attributes(\.next){32}$/);
        return true;
      });
    });

    it('database rejects UPDATE, DELETE and TRUNCATE', async () => {
      const statements = [
        { sql: "UPDATE audit_events SET reason = 'changed' WHERE sequence = 1", operation: 'UPDATE' },
        { sql: 'DELETE FROM audit_events WHERE sequence = 1', operation: 'DELETE' },
        { sql: 'TRUNCATE audit_events', operation: 'TRUNCATE' },
      ];

      for (const { sql, operation } of statements) {
        const error = await db.query(sql).catch((caught: unknown) => caught);

        assert.ok(error instanceof Error, operation);
        assert.equal(error.message, `the audit trail is append-only: ${operation} on audit_events is not allowed`);
        assert.equal(sqlStateOf(error), 'P0001');
      }
      const [first] = await store.query({ limit: 1 });
      assert.equal(first?.reason, fullInput.reason);
      assert.deepEqual(await store.verifyChain(), { ok: true, checked: 111 });
    });

    it('verifyChain finds rows changed behind the trigger', async () => {
      const bypassTrigger = (sql: string, params: unknown[]) =>
        db.transaction(async (tx) => {
          // Replica mode skips ordinary triggers; only a superuser may set it.
          await tx.query('SET LOCAL session_replication_role = replica');
          await tx.query(sql, params);
        });
      const [third] = await store.query({ afterSequence: 2, limit: 1 });

      await bypassTrigger('UPDATE audit_events SET reason = $1 WHERE sequence = 3', ['forged']);
      assert.deepEqual(await store.verifyChain(), { ok: false, checked: 3, firstBadSequence: 3 });

      const forgedHash = computeEventHash(third!.prevHash, { ...third!, reason: 'forged' });
      await bypassTrigger('UPDATE audit_events SET hash = $1 WHERE sequence = 3', [forgedHash]);
      assert.deepEqual(await store.verifyChain(), { ok: false, checked: 4, firstBadSequence: 4 });

      await bypassTrigger('UPDATE audit_events SET reason = $1, hash = $2 WHERE sequence = 3', [third!.reason, third!.hash]);
      assert.deepEqual(await store.verifyChain(), { ok: true, checked: 111 });

      await bypassTrigger('DELETE FROM audit_events WHERE sequence = 5', []);
      assert.deepEqual(await store.verifyChain(), { ok: false, checked: 5, firstBadSequence: 6 });
    });
  });
}

describeAuditStore('PostgreSQL', async () => {
  const testDatabase = await createTestDatabase();
  const db = await openDatabase({ url: testDatabase.url });
  return { db, cleanup: () => testDatabase.drop() };
});

describeAuditStore('PGlite in memory', async () => {
  const db = await openDatabase();
  return { db, cleanup: async () => {} };
});
