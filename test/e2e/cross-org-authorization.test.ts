// Two organisations, each running its node as a separate process over real
// mutual TLS, real PostgreSQL and real Redis, plus a third org that is not
// trusted by either.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { audit, common, federation, routing } from '@sark/proto';
import { UnauthenticatedError } from '@sark/platform';
import { issueCertificate } from '@sark/pki';
import { createTestDatabase, type TestDatabase } from '@sark/store/testing';
import { clientCredentials, createOrgPki, freePort, repoRoot, startNodeProcess, type OrgPki, type RunningNodeProcess } from '../support/federation-fixture.js';
import { healthStatus, unary } from '../support/grpc-calls.js';

const BURST = 6;
const execFileAsync = promisify(execFile);

describe('cross-org authorization between two node processes', () => {
  let workDir: string;
  let orgA: OrgPki;
  let orgB: OrgPki;
  let orgC: OrgPki;
  let nodeA: RunningNodeProcess;
  let nodeB: RunningNodeProcess;
  const databases: TestDatabase[] = [];
  let routingA: routing.RoutingClient;
  let auditA: audit.AuditClient;
  let auditB: audit.AuditClient;

  before(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'sark-e2e-'));
    // A fresh org name per run keeps the Redis rate-limit keys of one run
    // away from the next.
    const run = randomBytes(3).toString('hex');
    [orgA, orgB, orgC] = (await Promise.all([`orga-${run}.example`, `orgb-${run}.example`, `orgc-${run}.example`].map((org) => createOrgPki(workDir, org)))) as [OrgPki, OrgPki, OrgPki];
    const [portA, portB, deadPort] = [await freePort(), await freePort(), await freePort()];
    databases.push(await createTestDatabase(), await createTestDatabase());

    const policyPath = path.join(workDir, 'orgb.cedar');
    await writePolicies(policyPath, orgA.org, orgB.org);
    [nodeA, nodeB] = await Promise.all([
      startNodeProcess({
        pki: orgA,
        federationPort: portA,
        peers: [{ pki: orgB, federationPort: portB }],
        // Discovery lists this node of org B first; nothing listens on its port.
        extraPeerNodes: [{ nodeId: `a-down.${orgB.org}`, org: orgB.org, federationEndpoint: `127.0.0.1:${deadPort}` }],
        databaseUrl: databases[0]!.url,
        redisUrl: process.env.REDIS_URL,
      }),
      startNodeProcess({
        pki: orgB,
        federationPort: portB,
        peers: [{ pki: orgA, federationPort: portA }],
        databaseUrl: databases[1]!.url,
        redisUrl: process.env.REDIS_URL,
        policies: [policyPath],
        resources: [`${orgB.org}/reports/q3`, `${orgB.org}/payroll`],
        rateLimit: { perHour: 1, burst: BURST },
      }),
    ]);

    const operatorA = clientCredentials([orgA.ca.certPem], orgA.operator);
    routingA = new routing.RoutingClient(nodeA.addresses.routing!, operatorA);
    auditA = new audit.AuditClient(nodeA.addresses.audit!, operatorA);
    auditB = new audit.AuditClient(nodeB.addresses.audit!, clientCredentials([orgB.ca.certPem], orgB.operator));
  });

  after(async () => {
    for (const client of [routingA, auditA, auditB]) {
      client?.close();
    }
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    for (const database of databases) {
      await database.drop();
    }
    await rm(workDir, { recursive: true, force: true });
  });

  const authorizeVia = (principal: string, action: string, resource: string) =>
    unary(routingA, routingA.authorize, { request: { principal, action, resource, context: {} }, correlationId: '' });

  it('serves health SERVING on every service', async () => {
    for (const node of [nodeA, nodeB]) {
      for (const [name, address] of Object.entries(node.addresses)) {
        const caPems = [node.pki.ca.certPem];
        assert.equal(await healthStatus(address, caPems, name === 'federation' ? node.pki.nodeId : undefined), 'SERVING', `${name} of ${node.pki.org}`);
      }
    }
  });

  it('allows a permitted request and records it on both sides', async () => {
    // The first node of org B in discovery is down, so this also covers
    // passing the request on to the next node of the owner org.
    const response = await authorizeVia(`alice@${orgA.org}`, 'read', `${orgB.org}/reports/q3`);

    assert.equal(response.decision?.decision, common.Decision.DECISION_ALLOW);
    assert.deepEqual(response.decision?.policyIds, ['orgb-alice-read-q3']);
    assert.equal(response.targetOrg, orgB.org);
    assert.equal(response.targetNodeId, orgB.nodeId);
    assert.match(response.correlationId, /^[0-9a-f-]{36}$/);

    const source = await eventsOf(auditA, response.correlationId);
    const target = await eventsOf(auditB, response.correlationId);
    assert.equal(source.length, 1);
    assert.equal(target.length, 1);
    assert.equal(source[0]!.eventType, 'cross_org_request');
    assert.equal(target[0]!.eventType, 'cross_org_authorization');
    assert.equal(source[0]!.eventId, response.sourceEventId);
    assert.equal(target[0]!.eventId, response.targetEventId);
    assert.equal(source[0]!.peerEventId, target[0]!.eventId);
    for (const event of [source[0]!, target[0]!]) {
      assert.equal(event.principal, `alice@${orgA.org}`);
      assert.equal(event.resource, `${orgB.org}/reports/q3`);
      assert.equal(event.action, 'read');
      assert.equal(event.decision, common.Decision.DECISION_ALLOW);
      assert.equal(event.sourceNodeId, orgA.nodeId);
      assert.equal(event.targetNodeId, orgB.nodeId);
    }
    assert.equal(target[0]!.actor, `spiffe://${orgA.org}/sark/federation`);
  });

  it('returns a deny as a normal response, recorded on both sides', async () => {
    const response = await authorizeVia(`alice@${orgA.org}`, 'read', `${orgB.org}/payroll`);

    assert.equal(response.decision?.decision, common.Decision.DECISION_DENY);
    assert.deepEqual(response.decision?.policyIds, []);
    assert.match(response.decision?.reason ?? '', /no policy permits/);
    const [source] = await eventsOf(auditA, response.correlationId);
    const [target] = await eventsOf(auditB, response.correlationId);
    assert.equal(source?.decision, common.Decision.DECISION_DENY);
    assert.equal(target?.decision, common.Decision.DECISION_DENY);
  });

  it('keeps a caller-chosen correlation id', async () => {
    const correlationId = `demo-${randomBytes(4).toString('hex')}`;
    const response = await unary(routingA, routingA.authorize, {
      request: { principal: `alice@${orgA.org}`, action: 'read', resource: `${orgB.org}/reports/q3`, context: {} },
      correlationId,
    });

    assert.equal(response.correlationId, correlationId);
    assert.equal((await eventsOf(auditB, correlationId)).length, 1);
  });

  it('rejects a third org certificate at the federation endpoint', async () => {
    const client = new federation.FederationClient(nodeB.addresses.federation!, clientCredentials([orgB.ca.certPem], orgC.federation), {
      'grpc.ssl_target_name_override': orgB.nodeId,
    });

    const correlationId = `third-org-${randomBytes(4).toString('hex')}`;
    const error = await rejection(
      unary(client, client.authorize, { correlationId, request: { principal: `carol@${orgC.org}`, action: 'read', resource: `${orgB.org}/reports/q3`, context: {} }, sentAt: undefined }, { metadata: correlationMetadata(correlationId) }),
    );
    client.close();

    assert.equal(error.code, status.UNAUTHENTICATED);
    assert.equal(error.details, UnauthenticatedError.publicMessage);
    // An unauthenticated caller cannot choose the correlation id of the record.
    assert.deepEqual(await eventsOf(auditB, correlationId), []);
    const recorded = (await eventsOfType(auditB, 'federation_call_rejected')).find((event) => event.attributes?.sent_correlation_id === correlationId);
    assert.match(recorded?.reason ?? '', /^auth\.credentials_missing: /);
    assert.equal(recorded?.actor, '');
    assert.equal(recorded?.correlationId, recorded?.attributes?.request_id);
  });

  it('rejects a principal of another org than the calling peer', async () => {
    const client = new federation.FederationClient(nodeB.addresses.federation!, clientCredentials([orgB.ca.certPem], orgA.federation), {
      'grpc.ssl_target_name_override': orgB.nodeId,
    });

    const correlationId = `mismatch-${randomBytes(4).toString('hex')}`;
    const error = await rejection(
      unary(client, client.authorize, { correlationId, request: { principal: `mallory@${orgC.org}`, action: 'read', resource: `${orgB.org}/reports/q3`, context: {} }, sentAt: undefined }, { metadata: correlationMetadata(correlationId) }),
    );
    client.close();

    const [recorded] = await eventsOf(auditB, correlationId);
    assert.equal(recorded?.eventType, 'federation_call_rejected');
    assert.equal(recorded?.actor, `spiffe://${orgA.org}/sark/federation`);
    assert.match(recorded?.reason ?? '', /^routing\.principal_org_mismatch: /);
    assert.equal(error.code, status.PERMISSION_DENIED);
    assert.equal(error.details, `principal mallory@${orgC.org} does not belong to ${orgA.org}, the org of calling node ${orgA.nodeId}`);
  });

  it('rejects a federation certificate for a node discovery does not list', async () => {
    // Issued by org A's own CA, so the TLS layer and the bundle check accept it.
    const impostor = issueCertificate(orgA.ca, { role: 'federation', nodeId: `impostor.${orgA.org}` });
    const client = new federation.FederationClient(nodeB.addresses.federation!, clientCredentials([orgB.ca.certPem], { certChainPem: impostor.chainPem, keyPem: impostor.keyPem }), {
      'grpc.ssl_target_name_override': orgB.nodeId,
    });

    const error = await rejection(unary(client, client.getNodeInfo, {}));
    client.close();

    assert.equal(error.code, status.PERMISSION_DENIED);
    assert.equal(
      error.details,
      `federation certificate spiffe://${orgA.org}/sark/federation names no node of ${orgA.org} that this node knows (DNS names impostor.${orgA.org}): add the node to peers`,
    );
  });

  it('rejects a request for a principal of another org at the source', async () => {
    const error = await rejection(authorizeVia(`bob@${orgB.org}`, 'read', `${orgB.org}/reports/q3`));

    assert.equal(error.code, status.PERMISSION_DENIED);
    assert.equal(error.details, `principal bob@${orgB.org} does not belong to ${orgA.org}, the org of this node`);
  });

  it('answers NOT_FOUND for an unknown org and an unknown resource', async () => {
    const unknownOrg = await rejection(authorizeVia(`alice@${orgA.org}`, 'read', 'orgz.example/anything'));
    assert.equal(unknownOrg.code, status.NOT_FOUND);
    assert.equal(unknownOrg.details, 'no node of org orgz.example is known: add it to peers');

    const unknownResource = await rejection(authorizeVia(`alice@${orgA.org}`, 'read', `${orgB.org}/missing`));
    assert.equal(unknownResource.code, status.NOT_FOUND);
    assert.equal(unknownResource.details, `resource ${orgB.org}/missing is not exposed by org ${orgB.org}`);
  });

  it('answers INVALID_ARGUMENT naming a malformed field', async () => {
    const cases = [
      { principal: 'alice', action: 'read', resource: `${orgB.org}/x`, field: 'request.principal' },
      { principal: `alice@${orgA.org}`, action: 'read all', resource: `${orgB.org}/x`, field: 'request.action' },
      { principal: `alice@${orgA.org}`, action: 'read', resource: 'no-slash', field: 'request.resource' },
    ];
    for (const testCase of cases) {
      const error = await rejection(authorizeVia(testCase.principal, testCase.action, testCase.resource));
      assert.equal(error.code, status.INVALID_ARGUMENT, testCase.field);
      assert.ok(error.details.startsWith(`${testCase.field}: `), error.details);
    }
  });

  it('answers INVALID_ARGUMENT for a context the policy engine cannot take', async () => {
    const contexts = [
      { context: { source_org: 'orgz.example' }, details: 'request.context: key "source_org" is set by the policy engine and must not be supplied' },
      { context: { ratio: 0.5 }, details: /^request\.context/ },
    ];
    for (const testCase of contexts) {
      const error = await rejection(
        unary(routingA, routingA.authorize, { request: { principal: `alice@${orgA.org}`, action: 'read', resource: `${orgB.org}/reports/q3`, context: testCase.context }, correlationId: '' }),
      );

      assert.equal(error.code, status.INVALID_ARGUMENT);
      if (typeof testCase.details === 'string') {
        assert.equal(error.details, testCase.details);
      } else {
        assert.match(error.details, testCase.details);
      }
    }
  });

  it('answers UNAUTHENTICATED without a client certificate', async () => {
    const { credentials } = await import('@grpc/grpc-js');
    const client = new routing.RoutingClient(nodeA.addresses.routing!, credentials.createSsl(Buffer.from(orgA.ca.certPem)));

    const error = await rejection(unary(client, client.authorize, { request: { principal: `alice@${orgA.org}`, action: 'read', resource: `${orgB.org}/reports/q3`, context: {} }, correlationId: '' }));
    client.close();

    assert.equal(error.code, status.UNAUTHENTICATED);
    assert.equal(error.details, UnauthenticatedError.publicMessage);
  });

  it('lets buf curl list and call methods through reflection', async () => {
    const tlsFlags = ['--protocol', 'grpc', '--cacert', orgA.caPath, '--cert', path.join(orgA.certDir, 'operator-admin.pem'), '--key', path.join(orgA.certDir, 'operator-admin-key.pem')];
    const buf = path.join(repoRoot, 'node_modules', '.bin', 'buf');

    const methods = (await execFileAsync(buf, ['curl', ...tlsFlags, '--list-methods', `https://${nodeA.addresses.routing}`])).stdout.trim().split('\n');
    const data = JSON.stringify({ request: { principal: `alice@${orgA.org}`, action: 'read', resource: `${orgB.org}/reports/q3` } });
    const call = await execFileAsync(buf, ['curl', ...tlsFlags, '-d', data, `https://${nodeA.addresses.routing}/sark.routing.v1.Routing/Authorize`]);

    assert.ok(methods.includes('sark.routing.v1.Routing/Authorize'), methods.join(', '));
    assert.ok(methods.includes('grpc.health.v1.Health/Check'), methods.join(', '));
    const response = JSON.parse(call.stdout) as { decision: { decision: string; policyIds: string[] }; targetOrg: string };
    assert.equal(response.decision.decision, 'DECISION_ALLOW');
    assert.deepEqual(response.decision.policyIds, ['orgb-alice-read-q3']);
    assert.equal(response.targetOrg, orgB.org);
  });

  it('limits each peer node to its burst with real Redis', async () => {
    const outcomes: Array<number> = [];
    let exhausted: ServiceError | undefined;
    for (let i = 0; i < BURST + 2; i += 1) {
      try {
        await authorizeVia(`alice@${orgA.org}`, 'read', `${orgB.org}/reports/q3`);
        outcomes.push(status.OK);
      } catch (error) {
        exhausted ??= error as ServiceError;
        outcomes.push((error as ServiceError).code);
      }
    }

    // Earlier tests in this file already used some of the burst.
    assert.ok(outcomes.includes(status.RESOURCE_EXHAUSTED), `no RESOURCE_EXHAUSTED in ${outcomes}`);
    assert.ok(outcomes.slice(outcomes.indexOf(status.RESOURCE_EXHAUSTED)).every((code) => code === status.RESOURCE_EXHAUSTED));
    assert.match(exhausted!.details, new RegExp(`^rate limit of peer node ${orgA.nodeId.replace(/\./g, '\\.')} reached: retry after \\d+ ms$`));
    assert.ok(Number(exhausted!.metadata.get('retry-after-ms')[0]) > 0);
    const admitted = await eventsOfType(auditB, 'cross_org_authorization');
    assert.equal(admitted.length, BURST, 'the target records exactly the admitted requests');
  });

  it('denies by default when the target node is down', async () => {
    await nodeB.stop();

    const response = await authorizeVia(`alice@${orgA.org}`, 'read', `${orgB.org}/reports/q3`);

    assert.equal(response.decision?.decision, common.Decision.DECISION_DENY);
    assert.equal(response.decision?.reason, `target nodes a-down.${orgB.org}, ${orgB.nodeId} are unreachable: denied by default`);
    const [source] = await eventsOf(auditA, response.correlationId);
    assert.equal(source?.decision, common.Decision.DECISION_DENY);
  });

  async function eventsOf(client: audit.AuditClient, correlationId: string): Promise<audit.AuditEvent[]> {
    return (await unary(client, client.query, { correlationId, eventType: '', principal: '', afterSequence: 0, pageSize: 0 })).events;
  }

  async function eventsOfType(client: audit.AuditClient, eventType: string): Promise<audit.AuditEvent[]> {
    return (await unary(client, client.query, { correlationId: '', eventType, principal: '', afterSequence: 0, pageSize: 1000 })).events;
  }
});

async function writePolicies(file: string, orgA: string, orgB: string): Promise<void> {
  const { readFile, writeFile } = await import('node:fs/promises');
  const example = await readFile(path.join(repoRoot, 'libs/auth/src/policy/examples/orgb.cedar'), 'utf8');
  await writeFile(file, example.replaceAll('orga.example', orgA).replaceAll('orgb.example', orgB));
}

function correlationMetadata(correlationId: string): Metadata {
  const metadata = new Metadata();
  metadata.set('sark-correlation-id', correlationId);
  return metadata;
}

async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  assert.fail('expected the call to fail');
}

