// Builds organisations with their own PKI and runs each org's node as a
// separate process on loopback, for the end-to-end tests and the demo.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials as grpcCredentials } from '@grpc/grpc-js';
import { stringify } from 'yaml';
import { createOrgCa, issueCertificate, type OrgCa } from '@sark/pki';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const ROLES = ['federation', 'discovery', 'trust', 'routing', 'auth', 'audit'] as const;

export interface OrgPki {
  org: string;
  nodeId: string;
  dir: string;
  ca: OrgCa;
  caPath: string;
  certDir: string;
  /** Operator identity `operator/admin`, for calling the node's services. */
  operator: { certChainPem: string; keyPem: string };
  federation: { certChainPem: string; keyPem: string };
}

/** Creates an org CA and every certificate a node needs, written under `<baseDir>/<org>`. */
export async function createOrgPki(baseDir: string, org: string): Promise<OrgPki> {
  const dir = path.join(baseDir, org);
  const certDir = path.join(dir, 'certs');
  await mkdir(certDir, { recursive: true });

  const nodeId = `sark.${org}`;
  const ca = createOrgCa({ org });
  const caPath = path.join(dir, 'ca.pem');
  await writeFile(caPath, ca.certPem);

  const issued: Record<string, { certChainPem: string; keyPem: string }> = {};
  for (const role of [...ROLES, 'operator/admin']) {
    const certificate = issueCertificate(ca, { role, nodeId, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const base = role.replace('/', '-');
    await writeFile(path.join(certDir, `${base}.pem`), certificate.chainPem);
    await writeFile(path.join(certDir, `${base}-key.pem`), certificate.keyPem, { mode: 0o600 });
    issued[role] = { certChainPem: certificate.chainPem, keyPem: certificate.keyPem };
  }

  return { org, nodeId, dir, ca, caPath, certDir, operator: issued['operator/admin']!, federation: issued.federation! };
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface NodeSpec {
  pki: OrgPki;
  federationPort: number;
  peers: Array<{ pki: OrgPki; federationPort: number }>;
  /** More partner nodes for discovery only, such as one that is down. */
  extraPeerNodes?: Array<{ nodeId: string; org: string; federationEndpoint: string }>;
  resources?: string[];
  policies?: string[];
  databaseUrl?: string;
  redisUrl?: string;
  rateLimit?: { perHour: number; burst: number };
}

export interface RunningNodeProcess {
  pki: OrgPki;
  addresses: Record<string, string>;
  process: ChildProcess;
  /** Every log line the node wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Writes the node's YAML configuration and starts `apps/node` in its own process. */
export async function startNodeProcess(spec: NodeSpec, options: { startTimeoutMs?: number } = {}): Promise<RunningNodeProcess> {
  const configPath = path.join(spec.pki.dir, 'sark.yaml');
  await writeFile(configPath, stringify(nodeConfig(spec)));

  const started = await startAppProcess({ app: 'node', configPath, readyMessage: 'node ready', startTimeoutMs: options.startTimeoutMs });
  return { pki: spec.pki, addresses: started.readyEntry.addresses as Record<string, string>, process: started.process, logs: started.logs, stop: started.stop };
}

export interface AppProcess {
  process: ChildProcess;
  logs: Array<Record<string, unknown>>;
  /** The log entry whose message was the ready message. */
  readyEntry: Record<string, unknown>;
  stop(): Promise<void>;
}

/**
 * Starts `apps/<app>` with a configuration file, and waits until it logs
 * `readyMessage`. The child gets no SARK_* variables from this process.
 */
export async function startAppProcess(options: { app: string; configPath: string; readyMessage: string; startTimeoutMs?: number }): Promise<AppProcess> {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', path.join(repoRoot, `apps/${options.app}/src/main.ts`), '--config', options.configPath], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  const readyEntry = await waitForReady(child, logs, options.readyMessage, options.startTimeoutMs ?? 60_000);

  return { process: child, logs, readyEntry, stop: () => stopProcess(child) };
}

function nodeConfig(spec: NodeSpec): Record<string, unknown> {
  return {
    org: spec.pki.org,
    nodeId: spec.pki.nodeId,
    dataDir: path.join(spec.pki.dir, 'data'),
    log: { level: 'info' },
    listen: { host: '127.0.0.1', discovery: 0, trust: 0, routing: 0, auth: 0, audit: 0, federation: spec.federationPort },
    tls: { caFile: spec.pki.caPath, certDir: spec.pki.certDir },
    ...(spec.databaseUrl ? { databaseUrl: spec.databaseUrl } : {}),
    ...(spec.redisUrl ? { redisUrl: spec.redisUrl } : {}),
    peers: [
      ...spec.peers.map((peer) => ({ nodeId: peer.pki.nodeId, org: peer.pki.org, federationEndpoint: `127.0.0.1:${peer.federationPort}` })),
      ...(spec.extraPeerNodes ?? []),
    ],
    trustBundles: spec.peers.map((peer) => ({ org: peer.pki.org, caFile: peer.pki.caPath })),
    policies: spec.policies ?? [],
    resources: (spec.resources ?? []).map((id) => ({ id })),
    ...(spec.rateLimit ? { rateLimits: { peer: spec.rateLimit } } : {}),
  };
}

function waitForReady(child: ChildProcess, logs: Array<Record<string, unknown>>, readyMessage: string, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => fail(new Error(`process did not log "${readyMessage}" within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\nstderr:\n${stderr}\nlogs:\n${logs.map((l) => JSON.stringify(l)).join('\n')}`));
    };

    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          entry = { msg: line };
        }
        logs.push(entry);
        if (entry.msg === readyMessage) {
          clearTimeout(timer);
          resolve(entry);
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => fail(new Error(`process exited with code ${code} before it was ready`)));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** mTLS channel credentials that present `identity` and trust only `caPems`. */
export function clientCredentials(caPems: string[], identity: { certChainPem: string; keyPem: string }) {
  return grpcCredentials.createSsl(Buffer.from(caPems.join('\n')), Buffer.from(identity.keyPem), Buffer.from(identity.certChainPem));
}
