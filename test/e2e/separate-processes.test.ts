// The five services of one node, each in its own process, reaching each
// other through `endpoints` over mutual TLS with real PostgreSQL.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { credentials as grpcCredentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { stringify } from 'yaml';
import { audit, auth, discovery } from '@sark/proto';
import { createTestDatabase, type TestDatabase } from '@sark/store/testing';
import { clientCredentials, createOrgPki, freePort, startAppProcess, type AppProcess, type OrgPki } from '../support/federation-fixture.js';
import { healthStatus, unary } from '../support/grpc-calls.js';

const SERVICES = ['auth', 'audit', 'trust', 'discovery', 'routing'] as const;
const LOCALHOST = { 'grpc.ssl_target_name_override': 'localhost' };

describe('services as separate processes', () => {
  let workDir: string;
  let pki: OrgPki;
  let database: TestDatabase;
  const ports: Record<string, number> = {};
  const processes: AppProcess[] = [];

  before(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'sark-apps-'));
    pki = await createOrgPki(workDir, 'orga.example');
    database = await createTestDatabase();
    for (const name of [...SERVICES, 'federation']) {
      ports[name] = await freePort();
    }

    const configPath = path.join(workDir, 'sark.yaml');
    await writeFile(
      configPath,
      stringify({
        org: pki.org,
        nodeId: pki.nodeId,
        dataDir: path.join(workDir, 'data'),
        listen: { host: '127.0.0.1', ...ports },
        endpoints: Object.fromEntries(SERVICES.map((name) => [name, `127.0.0.1:${ports[name]}`])),
        tls: { caFile: pki.caPath, certDir: pki.certDir },
        databaseUrl: database.url,
        peers: [{ nodeId: 'sark.orgb.example', org: 'orgb.example', federationEndpoint: '127.0.0.1:1' }],
      }),
    );

    // Routing reads the trusted peers from trust when it starts, so trust
    // comes first.
    for (const app of SERVICES) {
      processes.push(await startAppProcess({ app, configPath, readyMessage: 'server listening' }));
    }
  });

  after(async () => {
    await Promise.all(processes.map((process) => process.stop()));
    await database?.drop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('serves health SERVING on every port', async () => {
    for (const name of [...SERVICES, 'federation']) {
      const serverName = name === 'federation' ? pki.nodeId : 'localhost';
      assert.equal(await healthStatus(`127.0.0.1:${ports[name]}`, [pki.ca.certPem], serverName), 'SERVING', name);
    }
  });

  it('answers discovery calls with the configured peers', async () => {
    const client = new discovery.DiscoveryClient(`127.0.0.1:${ports.discovery}`, clientCredentials([pki.ca.certPem], pki.operator), LOCALHOST);

    const response = await unary(client, client.resolveOrg, { org: 'orgb.example' });
    client.close();

    assert.deepEqual(response.nodes.map((node) => node.nodeId), ['sark.orgb.example']);
  });

  it('checks API keys across processes', async () => {
    const authClient = new auth.AuthClient(`127.0.0.1:${ports.auth}`, clientCredentials([pki.ca.certPem], pki.operator), LOCALHOST);
    const created = await unary(authClient, authClient.createApiKey, { principal: 'alice@orga.example', scopes: ['audit:read'], description: '', ttl: undefined });
    authClient.close();
    const auditClient = new audit.AuditClient(`127.0.0.1:${ports.audit}`, grpcCredentials.createSsl(Buffer.from(pki.ca.certPem)), LOCALHOST);
    const withKey = new Metadata();
    withKey.set('authorization', `Bearer ${created.apiKey}`);
    const wrongKey = new Metadata();
    wrongKey.set('authorization', `Bearer ${created.apiKey.slice(0, -4)}AAAA`);

    const response = await unary(auditClient, auditClient.query, { correlationId: '', eventType: '', principal: '', afterSequence: 0, pageSize: 0 }, { metadata: withKey });
    const rejected = await unary(auditClient, auditClient.query, { correlationId: '', eventType: '', principal: '', afterSequence: 0, pageSize: 0 }, { metadata: wrongKey }).catch((error: ServiceError) => error);
    auditClient.close();

    assert.deepEqual(response.events.map((event) => [event.eventType, event.attributes?.key_id]), [['api_key_created', created.key?.keyId]]);
    assert.equal((rejected as ServiceError).code, status.UNAUTHENTICATED);
  });
});
