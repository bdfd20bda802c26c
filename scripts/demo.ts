// Two-organisation demo: orga.example and orgb.example each run a node as a
// separate process on loopback, with their own PKI and embedded storage.
// alice@orga.example requests two orgb.example resources, and orgb's policy
// allows one and denies the other. A certificate of orgc.example, which
// neither org trusts, is rejected. Both nodes' audit entries are printed side
// by side. Exits 0 when every step behaves as expected, 1 otherwise.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import { audit, common, federation, routing } from '@sark/proto';
import { clientCredentials, createOrgPki, freePort, repoRoot, startNodeProcess, type RunningNodeProcess } from '../test/support/federation-fixture.js';
import { unary } from '../test/support/grpc-calls.js';

const ORG_A = 'orga.example';
const ORG_B = 'orgb.example';
const ORG_C = 'orgc.example';
// Service certificates carry DNS:localhost; naming it avoids an IP address as TLS server name.
const LOCALHOST = { 'grpc.ssl_target_name_override': 'localhost' };

interface Step {
  title: string;
  correlationId?: string;
}

async function main(): Promise<void> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'sark-demo-'));
  const nodes: RunningNodeProcess[] = [];

  try {
    console.log(`Creating a PKI for ${ORG_A}, ${ORG_B} and ${ORG_C} in ${workDir}`);
    const [pkiA, pkiB, pkiC] = await Promise.all([ORG_A, ORG_B, ORG_C].map((org) => createOrgPki(workDir, org)));
    const [portA, portB] = [await freePort(), await freePort()];

    console.log('Starting both nodes as separate processes...');
    nodes.push(
      ...(await Promise.all([
        startNodeProcess({ pki: pkiA!, federationPort: portA, peers: [{ pki: pkiB!, federationPort: portB }] }),
        startNodeProcess({
          pki: pkiB!,
          federationPort: portB,
          peers: [{ pki: pkiA!, federationPort: portA }],
          policies: [path.join(repoRoot, 'libs/auth/src/policy/examples/orgb.cedar')],
          resources: [`${ORG_B}/reports/q3`, `${ORG_B}/payroll`],
        }),
      ])),
    );
    const [nodeA, nodeB] = nodes as [RunningNodeProcess, RunningNodeProcess];
    console.log(`  ${pkiA!.nodeId}: routing ${nodeA.addresses.routing}, federation ${nodeA.addresses.federation}`);
    console.log(`  ${pkiB!.nodeId}: routing ${nodeB.addresses.routing}, federation ${nodeB.addresses.federation}\n`);

    const operatorA = clientCredentials([pkiA!.ca.certPem], pkiA!.operator);
    const routingA = new routing.RoutingClient(nodeA.addresses.routing!, operatorA, LOCALHOST);
    const steps: Step[] = [];

    steps.push(await expectDecision(routingA, { resource: `${ORG_B}/reports/q3`, expected: common.Decision.DECISION_ALLOW }));
    steps.push(await expectDecision(routingA, { resource: `${ORG_B}/payroll`, expected: common.Decision.DECISION_DENY }));
    await expectThirdOrgRejected(nodeB, pkiB!.ca.certPem, pkiB!.nodeId, pkiC!.federation);

    const auditA = new audit.AuditClient(nodeA.addresses.audit!, operatorA, LOCALHOST);
    const auditB = new audit.AuditClient(nodeB.addresses.audit!, clientCredentials([pkiB!.ca.certPem], pkiB!.operator), LOCALHOST);
    for (const step of steps) {
      await printSideBySide(step, auditA, auditB);
    }
    for (const client of [routingA, auditA, auditB]) {
      client.close();
    }
    console.log('Demo finished: every step behaved as expected.');
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
    await rm(workDir, { recursive: true, force: true });
  }
}

async function expectDecision(client: routing.RoutingClient, options: { resource: string; expected: common.Decision }): Promise<Step> {
  const principal = `alice@${ORG_A}`;
  const response = await unary(client, client.authorize, { request: { principal, action: 'read', resource: options.resource, context: {} }, correlationId: '' });
  const decision = response.decision?.decision ?? common.Decision.DECISION_UNSPECIFIED;

  const title = `${principal} read ${options.resource}: ${common.decisionToJSON(decision)} (${response.decision?.reason})`;
  console.log(`${decision === options.expected ? 'ok  ' : 'FAIL'} ${title}`);
  if (decision !== options.expected) {
    throw new Error(`expected ${common.decisionToJSON(options.expected)} for ${options.resource}`);
  }
  return { title, correlationId: response.correlationId };
}

async function expectThirdOrgRejected(nodeB: RunningNodeProcess, caPemB: string, nodeIdB: string, identityC: { certChainPem: string; keyPem: string }): Promise<void> {
  const client = new federation.FederationClient(nodeB.addresses.federation!, clientCredentials([caPemB], identityC), { 'grpc.ssl_target_name_override': nodeIdB });
  const request = { correlationId: 'third-org', request: { principal: `carol@${ORG_C}`, action: 'read', resource: `${ORG_B}/reports/q3`, context: {} }, sentAt: undefined };

  try {
    await unary(client, client.authorize, request);
    throw new Error(`a certificate of ${ORG_C} was accepted by ${nodeIdB}`);
  } catch (error) {
    const code = (error as ServiceError).code;
    if (code !== status.UNAUTHENTICATED) {
      throw error;
    }
    console.log(`ok   ${ORG_C} federation certificate at ${nodeIdB}: ${status[code]} (${(error as ServiceError).details})\n`);
  } finally {
    client.close();
  }
}

async function printSideBySide(step: Step, auditA: audit.AuditClient, auditB: audit.AuditClient): Promise<void> {
  const query = { correlationId: step.correlationId!, eventType: '', principal: '', afterSequence: 0, pageSize: 0 };
  const [eventsA, eventsB] = await Promise.all([unary(auditA, auditA.query, query), unary(auditB, auditB.query, query)]);
  const [eventA] = eventsA.events;
  const [eventB] = eventsB.events;
  if (!eventA || !eventB) {
    throw new Error(`correlation id ${step.correlationId} is missing from ${eventA ? ORG_B : ORG_A}'s audit trail`);
  }

  const rows: Array<[string, string, string]> = [
    ['event_type', eventA.eventType, eventB.eventType],
    ['event_id', eventA.eventId, eventB.eventId],
    ['sequence', String(eventA.sequence), String(eventB.sequence)],
    ['principal', eventA.principal, eventB.principal],
    ['action', eventA.action, eventB.action],
    ['resource', eventA.resource, eventB.resource],
    ['decision', common.decisionToJSON(eventA.decision), common.decisionToJSON(eventB.decision)],
    ['source_node_id', eventA.sourceNodeId, eventB.sourceNodeId],
    ['target_node_id', eventA.targetNodeId, eventB.targetNodeId],
    ['peer_event_id', eventA.peerEventId, eventB.peerEventId],
    ['actor', eventA.actor, eventB.actor],
  ];
  const width = Math.max(...rows.map((row) => row[1].length), `audit trail of ${ORG_A}`.length);
  console.log(`correlation id ${step.correlationId}  (${step.title})`);
  console.log(`  ${''.padEnd(15)} ${`audit trail of ${ORG_A}`.padEnd(width)}  audit trail of ${ORG_B}`);
  for (const [name, a, b] of rows) {
    console.log(`  ${name.padEnd(15)} ${a.padEnd(width)}  ${b}`);
  }
  console.log('');
}

main().catch((error: unknown) => {
  console.error(`Demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
