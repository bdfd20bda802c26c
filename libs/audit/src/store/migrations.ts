import type { Migration } from '@sark/store';

/** Schema of the audit trail, applied with `runMigrations(db, { component: 'audit', migrations: auditMigrations })`. */
export const auditMigrations: Migration[] = [
  {
    version: 1,
    name: 'create_audit_events',
    sql: `
CREATE TABLE audit_events (
  sequence bigint PRIMARY KEY CHECK (sequence > 0),
  event_id uuid NOT NULL UNIQUE,
  correlation_id text NOT NULL,
  event_type text NOT NULL,
  principal text,
  resource text,
  action text,
  decision text NOT NULL DEFAULT '' CHECK (decision IN ('allow', 'deny', '')),
  source_node_id text,
  target_node_id text,
  actor text,
  reason text,
  peer_event_id text,
  attributes jsonb NOT NULL DEFAULT '{}',
  recorded_at timestamptz NOT NULL,
  prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);

CREATE INDEX audit_events_correlation_id_idx ON audit_events (correlation_id);
CREATE INDEX audit_events_event_type_sequence_idx ON audit_events (event_type, sequence);
CREATE INDEX audit_events_principal_sequence_idx ON audit_events (principal, sequence);

CREATE FUNCTION audit_events_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % on audit_events is not allowed', TG_OP;
END
$$;

CREATE TRIGGER audit_events_reject_update_delete
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_reject_change();

CREATE TRIGGER audit_events_reject_truncate
  BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_reject_change();
`,
  },
];
