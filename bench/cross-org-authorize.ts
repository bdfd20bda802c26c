// Measures Routing.Authorize end to end: orga's node sends the request to orgb's node over
// mutual TLS, orgb decides with Cedar, and both append to their audit trails.
// Both nodes run in this process on loopback with real PostgreSQL (a
// throwaway database each, from DATABASE_URL) and real Redis (REDIS_URL).
//
// Usage: node --conditions=development --import tsx bench/cross-org-authorize.ts [--requests N] [--concurrency C]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { routing } from '@sark/proto';
import { createLogger, loadNodeConfig } from '@sark/platform';
import { startNode } from '@sark/runtime';
import { createTestDatabase } from '@sark/store/testing';
import { clientCredentials, createOrgPki, freePort, repoRoot } from '../test/support/federation-fixture.js';
import { unary } from '../test/support/grpc-calls.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '16' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log('usage: bench/cross-org-authorize.ts [--requests N (default 2000)] [--concurrency C (default 16)]');
  process.exit(0);
}
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);

const workDir = await mkdtemp(path.join(tmpdir(), 'sark-bench-'));
const [pkiA, pkiB] = await Promise.all(['orga.example', 'orgb.example'].map((org) => createOrgPki(workDir, org)));
const [portA, portB] = [await freePort(), await freePort()];
const [databaseA, databaseB] = [await createTestDatabase(), await createTestDatabase()];
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const silent = createLogger({ service: 'bench', level: 'silent' });

const configFor = (pki: typeof pkiA, port: number, peer: typeof pkiA, peerPort: number, databaseUrl: string, extra: Record<string, string>) =>
  loadNodeConfig({
    env: {
      SARK_ORG: pki!.org,
      SARK_DATA_DIR: path.join(pki!.dir, 'data'),
      SARK_LISTEN: `{host: 127.0.0.1, discovery: 0, trust: 0, routing: 0, auth: 0, audit: 0, federation: ${port}}`,
      SARK_TLS: `{caFile: ${pki!.caPath}, certDir: ${pki!.certDir}}`,
      SARK_DATABASE_URL: databaseUrl,
      SARK_REDIS_URL: redisUrl,
      SARK_LOG__LEVEL: 'silent',
      SARK_PEERS: `[{nodeId: ${peer!.nodeId}, org: ${peer!.org}, federationEndpoint: "127.0.0.1:${peerPort}"}]`,
      SARK_TRUST_BUNDLES: `[{org: ${peer!.org}, caFile: ${peer!.caPath}}]`,
      ...extra,
    },
  });

const nodeB = await startNode(
  configFor(pkiB, portB, pkiA, portA, databaseB.url, {
    SARK_POLICIES: `[${path.join(repoRoot, 'libs/auth/src/policy/examples/orgb.cedar')}]`,
    SARK_RESOURCES: '[{id: orgb.example/reports/q3}]',
    SARK_RATE_LIMITS__PEER: '{perHour: 1000000000, burst: 1000000}',
  }),
  silent,
);
const nodeA = await startNode(configFor(pkiA, portA, pkiB, portB, databaseA.url, {}), silent);
const client = new routing.RoutingClient(nodeA.addresses.routing!, clientCredentials([pkiA!.ca.certPem], pkiA!.operator), { 'grpc.ssl_target_name_override': 'localhost' });
const request = { request: { principal: 'alice@orga.example', action: 'read', resource: 'orgb.example/reports/q3', context: {} }, correlationId: '' };
const authorize = () => unary(client, client.authorize, request);

for (let i = 0; i < 100; i += 1) {
  await authorize();
}

const sequential: number[] = [];
for (let i = 0; i < Math.min(requests, 1000); i += 1) {
  const startedAt = performance.now();
  await authorize();
  sequential.push(performance.now() - startedAt);
}

const memoryBefore = process.memoryUsage().rss;
let next = 0;
const concurrentStartedAt = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < requests) {
      next += 1;
      await authorize();
    }
  }),
);
const concurrentSeconds = (performance.now() - concurrentStartedAt) / 1000;

sequential.sort((a, b) => a - b);
const percentile = (p: number) => sequential[Math.min(sequential.length - 1, Math.floor((p / 100) * sequential.length))]!.toFixed(2);
console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}`);
console.log(`sequential Routing.Authorize (${sequential.length} calls): p50 ${percentile(50)} ms, p95 ${percentile(95)} ms, p99 ${percentile(99)} ms`);
console.log(`concurrent Routing.Authorize (${requests} calls, ${concurrency} in flight): ${(requests / concurrentSeconds).toFixed(0)} requests/s`);
console.log(`resident memory of both nodes and the client: ${(memoryBefore / 2 ** 20).toFixed(0)} MiB before, ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB after the concurrent run`);

client.close();
await nodeA.stop();
await nodeB.stop();
await Promise.all([databaseA.drop(), databaseB.drop()]);
await rm(workDir, { recursive: true, force: true });
