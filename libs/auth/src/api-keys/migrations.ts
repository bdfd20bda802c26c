import type { Migration } from '@sark/store';

/** Component name under which the auth schema migrations are recorded. */
export const authMigrationComponent = 'auth';

/** Schema migrations of the auth component, for `runMigrations(db, { component: 'auth', migrations })`. */
export const authMigrations: Migration[] = [
  {
    version: 1,
    name: 'create api_keys',
    sql: `
CREATE TABLE api_keys (
  key_id text PRIMARY KEY CHECK (key_id ~ '^[a-z2-7]{12}$'),
  secret_sha256 text NOT NULL CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
  principal text NOT NULL,
  scopes text[] NOT NULL DEFAULT '{}',
  description text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  revoked_at timestamptz,
  revoked_reason text,
  CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX api_keys_newest_first ON api_keys (created_at DESC, key_id DESC);
CREATE INDEX api_keys_principal_newest_first ON api_keys (principal, created_at DESC, key_id DESC);
`,
  },
];
