import type { Queryable } from '@sark/store';

import { canonicalJson } from './canonical.js';
import type { AuditDecision, AuditEventRecord } from './types.js';

/** A row of `audit_events` as the store reads it. */
export interface EventRow {
  sequence: number;
  event_id: string;
  correlation_id: string;
  event_type: string;
  principal: string | null;
  resource: string | null;
  action: string | null;
  decision: AuditDecision | '';
  source_node_id: string | null;
  target_node_id: string | null;
  actor: string | null;
  reason: string | null;
  peer_event_id: string | null;
  attributes: Record<string, unknown>;
  recorded_at: Date;
  prev_hash: string;
  hash: string;
}

export const eventColumns = [
  'sequence',
  'event_id',
  'correlation_id',
  'event_type',
  'principal',
  'resource',
  'action',
  'decision',
  'source_node_id',
  'target_node_id',
  'actor',
  'reason',
  'peer_event_id',
  'attributes',
  'recorded_at',
  'prev_hash',
  'hash',
].join(', ');

export function toRecord(row: EventRow): AuditEventRecord {
  return {
    eventId: row.event_id,
    sequence: row.sequence,
    correlationId: row.correlation_id,
    eventType: row.event_type,
    principal: row.principal,
    resource: row.resource,
    action: row.action,
    decision: row.decision === '' ? null : row.decision,
    sourceNodeId: row.source_node_id,
    targetNodeId: row.target_node_id,
    actor: row.actor,
    reason: row.reason,
    peerEventId: row.peer_event_id,
    attributes: row.attributes,
    recordedAt: row.recorded_at,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export async function insertEvent(tx: Queryable, record: AuditEventRecord): Promise<void> {
  await tx.query(
    `INSERT INTO audit_events (${eventColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15, $16, $17)`,
    [
      record.sequence,
      record.eventId,
      record.correlationId,
      record.eventType,
      record.principal,
      record.resource,
      record.action,
      record.decision ?? '',
      record.sourceNodeId,
      record.targetNodeId,
      record.actor,
      record.reason,
      record.peerEventId,
      canonicalJson(record.attributes),
      record.recordedAt,
      record.prevHash,
      record.hash,
    ],
  );
}
