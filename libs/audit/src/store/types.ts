export type AuditDecision = 'allow' | 'deny';

/**
 * An event to append. Optional text fields that are absent or empty are stored as NULL, so
 * proto3 defaults (`''`) and missing values read back the same way.
 */
export interface AuditEventInput {
  /** 1-128 characters of `[A-Za-z0-9._:-]`, shared by every event of one request. */
  correlationId: string;
  /** Lowercase snake_case, at most 64 characters, for example `cross_org_request`. */
  eventType: string;
  principal?: string;
  resource?: string;
  action?: string;
  decision?: AuditDecision;
  sourceNodeId?: string;
  targetNodeId?: string;
  /** Identity that caused the event: a SPIFFE ID or a principal. */
  actor?: string;
  reason?: string;
  /** Event id recorded by the other node of a cross-org request. */
  peerEventId?: string;
  /** A plain JSON object of at most 16 KiB serialized and 32 levels deep. */
  attributes?: Record<string, unknown>;
}

/** A stored event. Text fields that were absent or empty on append are null. */
export interface AuditEventRecord {
  eventId: string;
  /** Position in this node's trail: 1, 2, 3 ... without gaps. */
  sequence: number;
  correlationId: string;
  eventType: string;
  principal: string | null;
  resource: string | null;
  action: string | null;
  decision: AuditDecision | null;
  sourceNodeId: string | null;
  targetNodeId: string | null;
  actor: string | null;
  reason: string | null;
  peerEventId: string | null;
  attributes: Record<string, unknown>;
  /** Time of append, with millisecond precision. */
  recordedAt: Date;
  /** Hash of the previous event, or 64 zeros for the first one. */
  prevHash: string;
  /** Lowercase hex SHA-256 of the previous hash's bytes followed by the canonical bytes of this event. */
  hash: string;
}

/** The fields of a record that its hash covers, besides `prevHash`. */
export type HashedAuditEvent = Omit<AuditEventRecord, 'prevHash' | 'hash'>;

export interface AppendResult {
  eventId: string;
  sequence: number;
  recordedAt: Date;
  hash: string;
}

/** Filters combine with AND. Empty strings count as absent. */
export interface AuditQueryFilter {
  correlationId?: string;
  eventType?: string;
  principal?: string;
  /** Returns only events with a greater sequence. Default 0. */
  afterSequence?: number;
  /** 1 to 1000. Default 100. */
  limit?: number;
}

export interface ChainVerification {
  ok: boolean;
  /** Number of events examined, including the first bad one. */
  checked: number;
  /** Sequence of the first event whose position, link or hash is wrong. */
  firstBadSequence?: number;
}
