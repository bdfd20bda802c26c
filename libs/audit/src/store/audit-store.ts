import { randomUUID } from 'node:crypto';

import { InternalError, InvalidArgumentError } from '@sark/platform';
import { lockForTransaction, type Database, type Queryable } from '@sark/store';

import { computeEventHash, genesisPrevHash } from './canonical.js';
import { eventColumns, insertEvent, type EventRow, toRecord } from './event-rows.js';
import type { AppendResult, AuditEventInput, AuditEventRecord, AuditQueryFilter, ChainVerification } from './types.js';
import { maxTextLength, validateEvent, type ValidatedEvent } from './validation.js';

export interface AuditStoreOptions {
  /** A database migrated with `auditMigrations`. */
  db: Database;
  /** Clock for `recordedAt`. Default `() => new Date()`. */
  now?: () => Date;
  /** Event id generator returning a UUID. Default `crypto.randomUUID`. */
  newId?: () => string;
}

/** Maximum number of events per `appendMany` call, so one transaction stays short. */
export const maxEventsPerAppend = 1000;
export const defaultQueryLimit = 100;
export const maxQueryLimit = 1000;

const appendLockName = 'audit_events.append';
const verifyPageSize = 1000;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface ChainHead {
  sequence: number;
  hash: string;
}

/**
 * The append-only, hash-chained audit trail of one node, stored in `audit_events`.
 * Appends from any number of callers and processes sharing the database are serialised by a
 * transaction-scoped advisory lock, so sequences stay contiguous and the chain never forks.
 */
export class AuditStore {
  private readonly db: Database;
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(options: AuditStoreOptions) {
    this.db = options.db;
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  /**
   * Appends one event and returns after the commit. Assigns the event id, the next sequence,
   * `recordedAt` and the hash. Throws InvalidArgumentError naming the field (`event.event_type`).
   */
  async append(input: AuditEventInput): Promise<AppendResult> {
    const event = validateEvent(input, 'event');

    const [result] = await this.db.transaction((tx) => this.appendInTransaction(tx, [event]));
    return result!;
  }

  /**
   * Appends events in the given order in one transaction (a group commit): either all are
   * stored with consecutive sequences or none is. Accepts up to `maxEventsPerAppend` events.
   * Throws InvalidArgumentError naming the field (`events[2].event_type`).
   */
  async appendMany(inputs: AuditEventInput[]): Promise<AppendResult[]> {
    if (inputs.length > maxEventsPerAppend) {
      throw new InvalidArgumentError('events', `contains ${inputs.length} events, more than the maximum of ${maxEventsPerAppend}`);
    }
    const events = inputs.map((input, index) => validateEvent(input, `events[${index}]`));
    if (events.length === 0) {
      return [];
    }

    return this.db.transaction((tx) => this.appendInTransaction(tx, events));
  }

  /**
   * Returns events in ascending sequence order that match every given filter. Throws
   * InvalidArgumentError `page_size` for a limit outside 1..1000, `after_sequence` for a
   * negative or non-integer start, and `correlation_id`, `event_type` or `principal` for a
   * filter that is not a string of at most 1024 characters.
   */
  async query(filter: AuditQueryFilter = {}): Promise<AuditEventRecord[]> {
    const { afterSequence, limit } = validateFilter(filter);
    const conditions = ['sequence > $1'];
    const params: unknown[] = [afterSequence];
    for (const [column, value] of [['correlation_id', filter.correlationId], ['event_type', filter.eventType], ['principal', filter.principal]] as const) {
      if (value !== undefined && value !== '') {
        params.push(value);
        conditions.push(`${column} = $${params.length}`);
      }
    }
    params.push(limit);

    const { rows } = await this.db.query<EventRow>(
      `SELECT ${eventColumns} FROM audit_events WHERE ${conditions.join(' AND ')} ORDER BY sequence LIMIT $${params.length}`,
      params,
    );
    return rows.map(toRecord);
  }

  /**
   * Reads the whole trail in sequence order and checks that sequences run 1, 2, 3 ..., that
   * each `prevHash` is the previous event's hash, and that each hash matches the event's
   * content. Stops at the first bad event.
   */
  async verifyChain(): Promise<ChainVerification> {
    let previous: ChainHead = { sequence: 0, hash: genesisPrevHash };
    let checked = 0;
    for (;;) {
      const { rows } = await this.db.query<EventRow>(`SELECT ${eventColumns} FROM audit_events WHERE sequence > $1 ORDER BY sequence LIMIT $2`, [previous.sequence, verifyPageSize]);
      for (const record of rows.map(toRecord)) {
        checked += 1;
        if (!isValidLink(previous, record)) {
          return { ok: false, checked, firstBadSequence: record.sequence };
        }
        previous = record;
      }
      if (rows.length < verifyPageSize) {
        return { ok: true, checked };
      }
    }
  }

  private async appendInTransaction(tx: Queryable, events: ValidatedEvent[]): Promise<AppendResult[]> {
    await lockForTransaction(tx, appendLockName);
    let head = await readHead(tx);

    const results: AppendResult[] = [];
    for (const event of events) {
      const record = this.seal(event, head);
      await insertEvent(tx, record);
      results.push({ eventId: record.eventId, sequence: record.sequence, recordedAt: record.recordedAt, hash: record.hash });
      head = record;
    }
    return results;
  }

  /** Assigns id, sequence and time to an event and chains it to `head`. */
  private seal(event: ValidatedEvent, head: ChainHead): AuditEventRecord {
    const eventId = this.newId().toLowerCase();
    if (!uuidPattern.test(eventId)) {
      throw new InternalError('audit.invalid_event_id', `the event id generator returned ${JSON.stringify(eventId)}, which is not a UUID`);
    }
    const recordedAt = new Date(this.now().getTime());
    if (Number.isNaN(recordedAt.getTime())) {
      throw new InternalError('audit.invalid_clock', 'the clock returned an invalid Date');
    }

    const hashed = { ...event, eventId, sequence: head.sequence + 1, recordedAt };
    return { ...hashed, prevHash: head.hash, hash: computeEventHash(head.hash, hashed) };
  }
}

async function readHead(tx: Queryable): Promise<ChainHead> {
  const { rows } = await tx.query<ChainHead>('SELECT sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1');

  return rows[0] ?? { sequence: 0, hash: genesisPrevHash };
}

function isValidLink(previous: ChainHead, record: AuditEventRecord): boolean {
  return record.sequence === previous.sequence + 1 && record.prevHash === previous.hash && computeEventHash(record.prevHash, record) === record.hash;
}

function validateFilter(filter: AuditQueryFilter): { afterSequence: number; limit: number } {
  const afterSequence = filter.afterSequence ?? 0;
  const limit = filter.limit ?? defaultQueryLimit;
  if (!Number.isSafeInteger(afterSequence) || afterSequence < 0) {
    throw new InvalidArgumentError('after_sequence', `${afterSequence} must be an integer of at least 0`);
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > maxQueryLimit) {
    throw new InvalidArgumentError('page_size', `${limit} must be an integer from 1 to ${maxQueryLimit}`);
  }
  for (const [field, value] of [['correlation_id', filter.correlationId], ['event_type', filter.eventType], ['principal', filter.principal]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.length > maxTextLength)) {
      throw new InvalidArgumentError(field, `must be a string of at most ${maxTextLength} characters`);
    }
  }

  return { afterSequence, limit };
}
