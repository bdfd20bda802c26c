// API key life cycle through a whole node started in this process, with real
// PostgreSQL and real mutual TLS.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { credentials as grpcCredentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { audit, auth } from '@sark/proto';
import { createLogger, loadNodeConfig, UnauthenticatedError } from '@sark/platform';
import { createTestDatabase, type TestDatabase } from '@sark/store/testing';
import { startNode, type RunningNode } from './node.js';

const LOCALHOST = { 'grpc.ssl_target_name_override': 'localhost' };

describe('API keys on a running node', () => {
  let dataDir: string;
  let database: TestDatabase;
  let node: RunningNode;
  let operatorAuth: auth.AuthClient;

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sark-node-'));
    database = await createTestDatabase();
    const config = loadNodeConfig({
      env: {
        SARK_ORG: 'orga.example',
        SARK_DATA_DIR: dataDir,
        SARK_DATABASE_URL: database.url,
        SARK_LISTEN: '{host: 127.0.0.1, discovery: 0, trust: 0, routing: 0, auth: 0, audit: 0, federation: 0}',
      },
    });
    node = await startNode(config, createLogger({ service: 'node', level: 'silent' }));
    operatorAuth = new auth.AuthClient(node.addresses.auth!, await credentialsFor('operator-admin'), LOCALHOST);
  });

  after(async () => {
    operatorAuth?.close();
    await node?.stop();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function credentialsFor(base: string) {
    const { readFile } = await import('node:fs/promises');
    const pki = path.join(dataDir, 'pki');
    return grpcCredentials.createSsl(
      await readFile(path.join(pki, 'ca.pem')),
      await readFile(path.join(pki, `${base}-key.pem`)),
      await readFile(path.join(pki, `${base}.pem`)),
    );
  }

  function call<Req, Res>(client: { [k: string]: unknown }, method: string, request: Req, apiKey?: string): Promise<Res> {
    const metadata = new Metadata();
    if (apiKey) {
      metadata.set('authorization', `Bearer ${apiKey}`);
    }
    return new Promise((resolve, reject) => {
      (client[method] as (r: Req, m: Metadata, cb: (e: ServiceError | null, v: Res) => void) => void).call(client, request, metadata, (error, value) =>
        error ? reject(error) : resolve(value),
      );
    });
  }

  async function createKey(scopes: string[]): Promise<auth.CreateApiKeyResponse> {
    return call(operatorAuth as never, 'createApiKey', { principal: 'alice@orga.example', scopes, description: 'test', ttl: undefined });
  }

  async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
    try {
      await promise;
    } catch (error) {
      return error as ServiceError;
    }
    assert.fail('expected the call to fail');
  }

  it('creates a key that authenticates as its principal', async () => {
    const created = await createKey(['audit:read']);

    const response = await call<auth.AuthenticateRequest, auth.AuthenticateResponse>(operatorAuth as never, 'authenticate', { apiKey: created.apiKey });

    assert.match(created.apiKey, /^sark_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
    assert.equal(response.identity?.kind, auth.IdentityKind.IDENTITY_KIND_API_KEY);
    assert.equal(response.identity?.principal, 'alice@orga.example');
    assert.deepEqual(response.identity?.scopes, ['audit:read']);
    assert.equal(response.identity?.credentialId, created.key?.keyId);
  });

  it('lets a key with audit:read query the audit trail without a client certificate', async () => {
    const created = await createKey(['audit:read']);
    const client = new audit.AuditClient(node.addresses.audit!, grpcCredentials.createSsl(Buffer.from(node.tls.caPems.join(''))), LOCALHOST);

    const response = await call<audit.QueryRequest, audit.QueryResponse>(client as never, 'query', { correlationId: 'none', eventType: '', principal: '', afterSequence: 0, pageSize: 0 }, created.apiKey);
    client.close();

    assert.deepEqual(response.events, []);
  });

  it('denies a key without the scope', async () => {
    const created = await createKey([]);
    const client = new audit.AuditClient(node.addresses.audit!, grpcCredentials.createSsl(Buffer.from(node.tls.caPems.join(''))), LOCALHOST);

    const error = await rejection(call(client as never, 'query', { correlationId: '', eventType: '', principal: '', afterSequence: 0, pageSize: 0 }, created.apiKey));
    client.close();

    assert.equal(error.code, status.PERMISSION_DENIED);
    assert.equal(error.details, 'reading the audit trail needs a certificate of orga.example or an API key with scope audit:read');
  });

  it('rejects a revoked key with the generic message', async () => {
    const created = await createKey([]);
    const revoked = await call<auth.RevokeApiKeyRequest, auth.RevokeApiKeyResponse>(operatorAuth as never, 'revokeApiKey', { keyId: created.key!.keyId, reason: 'rotated' });

    const error = await rejection(call(operatorAuth as never, 'listApiKeys', { principal: '', includeRevoked: false, pageSize: 0, pageToken: '' }, created.apiKey));

    assert.ok(revoked.key?.revokedAt);
    assert.equal(revoked.key?.revokedReason, 'rotated');
    assert.equal(error.code, status.UNAUTHENTICATED);
    assert.equal(error.details, UnauthenticatedError.publicMessage);
  });

  it('lists keys newest first and hides revoked ones by default', async () => {
    const activeKey = await createKey(['audit:read']);
    const revokedKey = await createKey([]);
    await call(operatorAuth as never, 'revokeApiKey', { keyId: revokedKey.key!.keyId, reason: 'test' });

    const active = await call<auth.ListApiKeysRequest, auth.ListApiKeysResponse>(operatorAuth as never, 'listApiKeys', { principal: 'alice@orga.example', includeRevoked: false, pageSize: 0, pageToken: '' });
    const all = await call<auth.ListApiKeysRequest, auth.ListApiKeysResponse>(operatorAuth as never, 'listApiKeys', { principal: 'alice@orga.example', includeRevoked: true, pageSize: 0, pageToken: '' });

    assert.equal(active.keys[0]?.keyId, activeKey.key?.keyId);
    assert.ok(!active.keys.some((key) => key.keyId === revokedKey.key?.keyId));
    assert.equal(all.keys[0]?.keyId, revokedKey.key?.keyId);
  });

  it('rejects key management by a service certificate', async () => {
    const client = new auth.AuthClient(node.addresses.auth!, await credentialsFor('routing'), LOCALHOST);

    const error = await rejection(call(client as never, 'createApiKey', { principal: 'alice@orga.example', scopes: [], description: '', ttl: undefined }));
    client.close();

    assert.equal(error.code, status.PERMISSION_DENIED);
    assert.equal(error.details, 'managing API keys needs an operator certificate of orga.example or an API key with scope apikeys:admin');
  });

  it('rejects a key for a principal of another org', async () => {
    const error = await rejection(call(operatorAuth as never, 'createApiKey', { principal: 'bob@orgb.example', scopes: [], description: '', ttl: undefined }));

    assert.equal(error.code, status.INVALID_ARGUMENT);
    assert.equal(error.details, 'principal: must belong to org orga.example; keys for orgb.example are issued by its own node');
  });

  it('records creation and revocation in the audit trail', async () => {
    const created = await createKey(['audit:read']);
    await call(operatorAuth as never, 'revokeApiKey', { keyId: created.key!.keyId, reason: 'audit test' });
    const auditClient = new audit.AuditClient(node.addresses.audit!, await credentialsFor('operator-admin'), LOCALHOST);

    const query = (eventType: string) => call<audit.QueryRequest, audit.QueryResponse>(auditClient as never, 'query', { correlationId: '', eventType, principal: '', afterSequence: 0, pageSize: 1000 });
    const createdEvent = (await query('api_key_created')).events.find((event) => event.attributes?.key_id === created.key?.keyId);
    const revokedEvent = (await query('api_key_revoked')).events.find((event) => event.attributes?.key_id === created.key?.keyId);
    auditClient.close();

    assert.equal(createdEvent?.principal, 'alice@orga.example');
    assert.equal(createdEvent?.actor, 'spiffe://orga.example/sark/operator/admin');
    assert.deepEqual(createdEvent?.attributes?.scopes, ['audit:read']);
    assert.equal(revokedEvent?.reason, 'audit test');
  });

  it('records a second revocation of a key only once', async () => {
    const created = await createKey([]);
    await call(operatorAuth as never, 'revokeApiKey', { keyId: created.key!.keyId, reason: 'first' });
    const again = await call<auth.RevokeApiKeyRequest, auth.RevokeApiKeyResponse>(operatorAuth as never, 'revokeApiKey', { keyId: created.key!.keyId, reason: 'second' });
    const auditClient = new audit.AuditClient(node.addresses.audit!, await credentialsFor('operator-admin'), LOCALHOST);

    const events = await call<audit.QueryRequest, audit.QueryResponse>(auditClient as never, 'query', { correlationId: '', eventType: 'api_key_revoked', principal: '', afterSequence: 0, pageSize: 1000 });
    auditClient.close();

    assert.equal(again.key?.revokedReason, 'first');
    assert.deepEqual(events.events.filter((event) => event.attributes?.key_id === created.key?.keyId).map((event) => event.reason), ['first']);
  });

  it('names the ttl field when it is out of range', async () => {
    const error = await rejection(call(operatorAuth as never, 'createApiKey', { principal: 'alice@orga.example', scopes: [], description: '', ttl: { seconds: -5, nanos: 0 } }));

    assert.equal(error.code, status.INVALID_ARGUMENT);
    assert.match(error.details, /^ttl: /);
  });

  it('keeps Authenticate for certificates of the org', async () => {
    const created = await createKey(['audit:read']);
    const client = new auth.AuthClient(node.addresses.auth!, grpcCredentials.createSsl(Buffer.from(node.tls.caPems.join(''))), LOCALHOST);

    const error = await rejection(call(client as never, 'authenticate', { apiKey: created.apiKey }, created.apiKey));
    client.close();

    assert.equal(error.code, status.PERMISSION_DENIED);
    assert.equal(error.details, 'Authenticate needs a client certificate of orga.example');
  });

  it('lets an admin key grant only scopes it holds', async () => {
    const admin = await createKey(['apikeys:admin']);
    const client = new auth.AuthClient(node.addresses.auth!, grpcCredentials.createSsl(Buffer.from(node.tls.caPems.join(''))), LOCALHOST);
    const request = (scopes: string[]) => ({ principal: 'bob@orga.example', scopes, description: '', ttl: undefined });

    const error = await rejection(call(client as never, 'createApiKey', request(['audit:read']), admin.apiKey));
    const allowed = await call<auth.CreateApiKeyRequest, auth.CreateApiKeyResponse>(client as never, 'createApiKey', request(['apikeys:admin']), admin.apiKey);
    client.close();

    assert.equal(error.code, status.PERMISSION_DENIED);
    assert.equal(error.details, 'an API key can only grant scopes it has; it lacks audit:read');
    assert.deepEqual(allowed.key?.scopes, ['apikeys:admin']);
  });

  it('rejects a malformed authorization header', async () => {
    const error = await rejection(call(operatorAuth as never, 'listApiKeys', { principal: '', includeRevoked: false, pageSize: 0, pageToken: '' }, 'not a key with spaces'));

    assert.equal(error.code, status.UNAUTHENTICATED);
  });
});
