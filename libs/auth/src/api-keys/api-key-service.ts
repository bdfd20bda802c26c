import { randomBytes as cryptoRandomBytes, timingSafeEqual } from 'node:crypto';
import { InternalError, NotFoundError, UnauthenticatedError } from '@sark/platform';
import type { Database } from '@sark/store';
import { parsePrincipal } from '../policy/identifiers.js';
import { formatApiKey, generateKeyId, generateSecret, hashSecret, parseApiKey, type RandomBytes } from './api-key-format.js';
import {
  validateDescription,
  validateKeyId,
  validatePageSize,
  validateRevokeReason,
  validateScopes,
  validateTtlSeconds,
} from './api-key-validation.js';
import { decodePageToken, encodePageToken, type PageCursor } from './page-token.js';

/** The stored, non-secret part of an API key. */
export interface ApiKeyRecord {
  keyId: string;
  /** The principal the key authenticates as, `name@org`. */
  principal: string;
  scopes: string[];
  description: string;
  createdAt: Date;
  /** Null for keys that do not expire. */
  expiresAt: Date | null;
  /** Null for keys that are not revoked. */
  revokedAt: Date | null;
  revokedReason: string | null;
}

export interface ApiKeyServiceOptions {
  /** A database with the `auth` migrations applied. */
  db: Database;
  now?: () => Date;
  randomBytes?: RandomBytes;
}

export interface CreateApiKeyOptions {
  principal: string;
  scopes?: string[];
  description?: string;
  /** Lifetime in seconds, 1 to ten years. Omit for a key that does not expire. */
  ttlSeconds?: number;
}

export interface ListApiKeysOptions {
  /** Only keys of this principal. Undefined or empty lists keys of all principals. */
  principal?: string;
  includeRevoked?: boolean;
  /** 1 to 500. Undefined or 0 means 100. */
  pageSize?: number;
  /** A `nextPageToken` from a previous call. Undefined or empty starts at the newest key. */
  pageToken?: string;
}

export interface ApiKeyPage {
  keys: ApiKeyRecord[];
  /** Token for the next page, or the empty string on the last page. */
  nextPageToken: string;
}

interface ApiKeyRow {
  key_id: string;
  secret_sha256: string;
  principal: string;
  scopes: string[];
  description: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

const recordColumns = 'key_id, principal, scopes, description, created_at, expires_at, revoked_at, revoked_reason';
const maxCreateAttempts = 3;
// Compared against when the key id is unknown, so that case costs the same as a wrong secret.
const dummySecretHash = Buffer.alloc(32);

/**
 * Creates, authenticates, lists and revokes API keys of the form
 * `sark_<key id>_<secret>`. Only the SHA-256 of the secret is stored, and the
 * full key is returned once, by `create`.
 */
export class ApiKeyService {
  private readonly db: Database;
  private readonly now: () => Date;
  private readonly randomBytes: RandomBytes;

  constructor(options: ApiKeyServiceOptions) {
    this.db = options.db;
    this.now = options.now ?? (() => new Date());
    this.randomBytes = options.randomBytes ?? cryptoRandomBytes;
  }

  /**
   * Creates a key and returns its record and the full key. The full key
   * cannot be recovered later. Throws InvalidArgumentError naming
   * `principal`, `scopes`, `scopes[i]`, `description` or `ttl_seconds`.
   */
  async create(options: CreateApiKeyOptions): Promise<{ key: ApiKeyRecord; apiKey: string }> {
    const principal = parsePrincipal(options.principal, 'principal').id;
    const scopes = validateScopes(options.scopes ?? []);
    const description = validateDescription(options.description ?? '');
    const ttlSeconds = validateTtlSeconds(options.ttlSeconds);

    const createdAt = this.now();
    const expiresAt = ttlSeconds === undefined ? null : new Date(createdAt.getTime() + ttlSeconds * 1000);
    const secret = generateSecret(this.randomBytes);
    const values = [principal, scopes, description, createdAt, expiresAt, hashSecret(secret)];

    for (let attempt = 1; attempt <= maxCreateAttempts; attempt += 1) {
      const key = await this.insertUnlessIdTaken(generateKeyId(this.randomBytes), values);
      if (key !== undefined) {
        return { key, apiKey: formatApiKey(key.keyId, secret) };
      }
    }

    throw new InternalError('auth.api_key_id_collision', `${maxCreateAttempts} random key ids in a row were already taken; check the random source`);
  }

  /**
   * Returns the record of a valid key. Throws UnauthenticatedError with code
   * `auth.api_key_malformed`, `auth.api_key_unknown`, `auth.api_key_mismatch`,
   * `auth.api_key_revoked` or `auth.api_key_expired`. All of them carry the
   * same public message, and their `detail` never contains the secret.
   */
  async authenticate(apiKey: string): Promise<ApiKeyRecord> {
    const parsed = parseApiKey(apiKey);
    if (parsed === undefined) {
      throw new UnauthenticatedError('auth.api_key_malformed', 'API key does not have the form sark_<12 base32 characters>_<43 base64url characters>');
    }

    const row = await this.findRow(parsed.keyId);
    const presentedHash = Buffer.from(hashSecret(parsed.secret), 'hex');
    const storedHash = row === undefined ? dummySecretHash : Buffer.from(row.secret_sha256, 'hex');
    const secretMatches = timingSafeEqual(presentedHash, storedHash);

    if (row === undefined) {
      throw new UnauthenticatedError('auth.api_key_unknown', `no API key has id ${parsed.keyId}`);
    }

    if (!secretMatches) {
      throw new UnauthenticatedError('auth.api_key_mismatch', `the secret does not match API key ${row.key_id}`);
    }

    return checkUsable(toRecord(row), this.now());
  }

  /**
   * Lists keys newest first (by creation time, then key id). Throws
   * InvalidArgumentError naming `principal`, `page_size` or `page_token`.
   */
  async list(options: ListApiKeysOptions = {}): Promise<ApiKeyPage> {
    const principal = options.principal ? parsePrincipal(options.principal, 'principal').id : undefined;
    const pageSize = validatePageSize(options.pageSize);
    const cursor = options.pageToken ? decodePageToken(options.pageToken) : undefined;

    const { sql, params } = buildListQuery({ principal, includeRevoked: options.includeRevoked ?? false, cursor, limit: pageSize + 1 });
    const { rows } = await this.db.query<ApiKeyRow>(sql, params);

    const keys = rows.slice(0, pageSize).map(toRecord);
    const last = keys[keys.length - 1];
    const nextPageToken = rows.length > pageSize && last !== undefined ? encodePageToken(last) : '';
    return { keys, nextPageToken };
  }

  /**
   * Returns the stored record of a key.
   *
   * @throws InvalidArgumentError naming `key_id` when it is malformed.
   * @throws NotFoundError (`auth.api_key_not_found`) for an unknown id.
   */
  async get(keyId: string): Promise<ApiKeyRecord> {
    const row = await this.findRow(validateKeyId(keyId));
    if (row === undefined) {
      throw new NotFoundError('auth.api_key_not_found', `no API key has id ${keyId}`);
    }
    return toRecord(row);
  }

  /**
   * Revokes a key and returns its record. A key that is already revoked is
   * returned unchanged, keeping its first reason. Throws
   * InvalidArgumentError naming `key_id` or `reason`, and NotFoundError
   * `auth.api_key_not_found` for an unknown key.
   */
  async revoke(options: { keyId: string; reason: string }): Promise<ApiKeyRecord> {
    const keyId = validateKeyId(options.keyId);
    const reason = validateRevokeReason(options.reason);

    const updated = await this.db.query<ApiKeyRow>(
      `UPDATE api_keys SET revoked_at = $2, revoked_reason = $3 WHERE key_id = $1 AND revoked_at IS NULL RETURNING ${recordColumns}`,
      [keyId, this.now(), reason],
    );
    const row = updated.rows[0] ?? (await this.findRow(keyId));
    if (row === undefined) {
      throw new NotFoundError('auth.api_key_not_found', `no API key has id ${keyId}`);
    }

    return toRecord(row);
  }

  private async insertUnlessIdTaken(keyId: string, values: unknown[]): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.db.query<ApiKeyRow>(
      `INSERT INTO api_keys (key_id, principal, scopes, description, created_at, expires_at, secret_sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (key_id) DO NOTHING
       RETURNING ${recordColumns}`,
      [keyId, ...values],
    );

    const row = rows[0];
    return row === undefined ? undefined : toRecord(row);
  }

  private async findRow(keyId: string): Promise<ApiKeyRow | undefined> {
    const { rows } = await this.db.query<ApiKeyRow>(`SELECT ${recordColumns}, secret_sha256 FROM api_keys WHERE key_id = $1`, [keyId]);

    return rows[0];
  }
}

function checkUsable(key: ApiKeyRecord, now: Date): ApiKeyRecord {
  if (key.revokedAt !== null) {
    throw new UnauthenticatedError('auth.api_key_revoked', `API key ${key.keyId} was revoked at ${key.revokedAt.toISOString()}: ${key.revokedReason ?? ''}`);
  }

  if (key.expiresAt !== null && key.expiresAt.getTime() <= now.getTime()) {
    throw new UnauthenticatedError('auth.api_key_expired', `API key ${key.keyId} expired at ${key.expiresAt.toISOString()}`);
  }

  return key;
}

function buildListQuery(filter: { principal?: string; includeRevoked: boolean; cursor?: PageCursor; limit: number }): { sql: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];

  if (filter.principal !== undefined) {
    params.push(filter.principal);
    conditions.push(`principal = $${params.length}`);
  }

  if (!filter.includeRevoked) {
    conditions.push('revoked_at IS NULL');
  }

  if (filter.cursor !== undefined) {
    params.push(filter.cursor.createdAt, filter.cursor.keyId);
    conditions.push(`(created_at, key_id) < ($${params.length - 1}, $${params.length})`);
  }

  params.push(filter.limit);
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  const sql = `SELECT ${recordColumns} FROM api_keys ${where} ORDER BY created_at DESC, key_id DESC LIMIT $${params.length}`;
  return { sql, params };
}

function toRecord(row: Omit<ApiKeyRow, 'secret_sha256'>): ApiKeyRecord {
  return {
    keyId: row.key_id,
    principal: row.principal,
    scopes: row.scopes,
    description: row.description,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
  };
}
