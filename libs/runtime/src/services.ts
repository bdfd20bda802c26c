import { Redis } from 'ioredis';
import { audit, auth, discovery, federation, routing, trust } from '@sark/proto';
import { AuditStore, auditMigrations, createAuditHandlers } from '@sark/audit';
import { ApiKeyService, authMigrations, createAuthHandlers, PolicyEngine } from '@sark/auth';
import { createDiscoveryHandlers, StaticNodeRegistry } from '@sark/discovery';
import { status } from '@grpc/grpc-js';
import { callUnary, createServerCredentials, GrpcServer, type ApiKeyIdentity, type RejectedCall } from '@sark/grpc';
import { LogField, type Logger, type NodeConfig, type ServiceName } from '@sark/platform';
import { InProcessGcraLimiter, RedisGcraLimiter, rateLimitKey, type RateLimiter } from '@sark/ratelimit';
import { createFederationHandlers, createRoutingHandlers, FederationClientPool, type AuditSink, type PeerRateLimiter } from '@sark/routing';
import { runMigrations, type Database } from '@sark/store';
import { CertificateVerifier, createTrustHandlers, StaticTrustStore } from '@sark/trust';
import { NodeAuthenticator } from './node-authenticator.js';
import { identityFor, type NodeRole, type NodeTls } from './node-tls.js';
import { createRoutingPorts, trustedBundleLookup } from './ports.js';
import { createServiceClients, type ServiceEndpoints } from './service-clients.js';

/** Software version reported by GetNodeInfo. */
export const SARK_VERSION = '0.1.0';

/** Records of rejected unauthenticated calls kept per remote address. */
const UNAUTHENTICATED_RECORD_LIMIT = { perHour: 60, burst: 10 };

/** How long routing waits at start for the trust service to respond. */
const TRUST_START_WAIT_MS = 30_000;

/** Dependencies that every service of a node is built from. */
export interface ServiceEnvironment {
  config: NodeConfig;
  logger: Logger;
  tls: NodeTls;
  /** Addresses of the node's services; entries of services started later may be filled in later. */
  endpoints: ServiceEndpoints;
}

/** A started service. `stop` shuts its servers down and releases what it opened. */
export interface RunningService {
  name: ServiceName;
  /** Bound ports by server name: the service's own, and `federation` for routing. */
  ports: Record<string, number>;
  stop(): Promise<void>;
}

export async function startAuthService(env: ServiceEnvironment, db: Database): Promise<RunningService> {
  await runMigrations(db, { component: 'auth', migrations: authMigrations });
  const apiKeys = new ApiKeyService({ db });
  const policies = await PolicyEngine.fromFiles(env.config.policies);
  const certificates = ownOrgVerifier(env);

  const clients = createServiceClients({ org: env.config.org, endpoints: env.endpoints, caPems: env.tls.caPems, identity: identityFor(env.tls, 'auth') });

  const server = newServer(env, 'auth', new NodeAuthenticator({ certificates, apiKeys: async (key) => toApiKeyIdentity(await apiKeys.authenticate(key), env.config.org) }));
  server.addService(auth.AuthService, createAuthHandlers({ org: env.config.org, policies, apiKeys, certificates, audit: createRoutingPorts(clients).audit }));
  const port = await server.listen(env.config.listen.host, env.config.listen.auth);

  return {
    name: 'auth',
    ports: { auth: port },
    stop: async () => {
      await server.shutdown();
      clients.close();
    },
  };
}

export async function startAuditService(env: ServiceEnvironment, db: Database): Promise<RunningService> {
  await runMigrations(db, { component: 'audit', migrations: auditMigrations });
  const store = new AuditStore({ db });

  return startWithApiKeys(env, 'audit', (server) => server.addService(audit.AuditService, createAuditHandlers({ store, org: env.config.org })));
}

export async function startTrustService(env: ServiceEnvironment): Promise<RunningService> {
  const store = StaticTrustStore.fromFiles(env.config.trustBundles);

  return startWithApiKeys(env, 'trust', (server) => server.addService(trust.TrustService, createTrustHandlers(store)));
}

export async function startDiscoveryService(env: ServiceEnvironment): Promise<RunningService> {
  const registry = new StaticNodeRegistry(env.config.peers);

  return startWithApiKeys(env, 'discovery', (server) => server.addService(discovery.DiscoveryService, createDiscoveryHandlers(registry)));
}

/**
 * Starts the routing service and the peer-facing federation endpoint. The
 * federation endpoint accepts client certificates of the orgs that trust
 * lists as TRUSTED when it starts, and checks each call against the bundle of
 * the caller's own org at the time of the call.
 */
export async function startRoutingService(env: ServiceEnvironment): Promise<RunningService> {
  const { config } = env;
  const clients = createServiceClients({ org: env.config.org, endpoints: env.endpoints, caPems: env.tls.caPems, identity: identityFor(env.tls, 'routing') });
  const ports = createRoutingPorts(clients);
  const limiter = createRateLimiter(config, env.logger);
  const pool = new FederationClientPool({ ...identityFor(env.tls, 'federation') });

  const routingServer = newServer(env, 'routing', new NodeAuthenticator({ certificates: ownOrgVerifier(env), apiKeys: apiKeysVia(clients.auth) }));
  routingServer.addService(routing.RoutingService, createRoutingHandlers({ org: config.org, nodeId: config.nodeId, ...ports, federation: pool }));

  const { peers } = await callUnary(clients.trust, clients.trust.listPeers, { state: trust.TrustState.TRUST_STATE_TRUSTED, pageSize: 500, pageToken: '' }, {
    target: 'trust',
    // Separate processes may start in any order: give trust time to come up.
    waitForReady: true,
    timeoutMs: TRUST_START_WAIT_MS,
  });
  // NOTE: the TLS layer accepts the bundles trusted at start only. A bundle
  // added later needs a restart, while the per-org check runs on every call.
  const peerCaPems = peers.flatMap((peer) => peer.bundle?.caCertificatesPem ?? []);
  const rejectionRecordLimiter = new InProcessGcraLimiter();
  const federationServer = new GrpcServer({
    name: 'federation',
    logger: env.logger.child({ server: 'federation' }),
    credentials: createServerCredentials({ ...identityFor(env.tls, 'federation'), clientCaPems: peerCaPems.length > 0 ? peerCaPems : env.tls.caPems }),
    authenticator: new NodeAuthenticator({ certificates: new CertificateVerifier({ bundleFor: trustedBundleLookup(clients) }) }),
    onRejected: (call) => recordRejectedPeerCall({ audit: ports.audit, nodeId: config.nodeId, limiter: rejectionRecordLimiter, logger: env.logger }, call),
  });
  federationServer.addService(
    federation.FederationService,
    createFederationHandlers({
      org: config.org,
      nodeId: config.nodeId,
      version: SARK_VERSION,
      resources: new Set(config.resources.map((resource) => resource.id)),
      policy: ports.policy,
      audit: ports.audit,
      limiter: peerLimiter(limiter.limiter, config.rateLimits.peer),
      directory: ports.directory,
    }),
  );

  const stop = async () => {
    await Promise.all([routingServer.shutdown(), federationServer.shutdown()]);
    pool.close();
    clients.close();
    await limiter.close();
    await rejectionRecordLimiter.close();
  };

  try {
    const routingPort = await routingServer.listen(config.listen.host, config.listen.routing);
    const federationPort = await federationServer.listen(config.listen.host, config.listen.federation);
    return { name: 'routing', ports: { routing: routingPort, federation: federationPort }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startWithApiKeys(env: ServiceEnvironment, name: Exclude<ServiceName, 'auth' | 'routing'>, register: (server: GrpcServer) => void): Promise<RunningService> {
  const clients = createServiceClients({ org: env.config.org, endpoints: env.endpoints, caPems: env.tls.caPems, identity: identityFor(env.tls, name) });
  const server = newServer(env, name, new NodeAuthenticator({ certificates: ownOrgVerifier(env), apiKeys: apiKeysVia(clients.auth) }));
  register(server);

  const port = await server.listen(env.config.listen.host, env.config.listen[name]);
  return {
    name,
    ports: { [name]: port },
    stop: async () => {
      await server.shutdown();
      clients.close();
    },
  };
}

function newServer(env: ServiceEnvironment, role: NodeRole, authenticator: NodeAuthenticator): GrpcServer {
  return new GrpcServer({
    name: role,
    logger: env.logger.child({ server: role }),
    credentials: createServerCredentials({ ...identityFor(env.tls, role), clientCaPems: env.tls.caPems }),
    authenticator,
  });
}

function ownOrgVerifier(env: ServiceEnvironment): CertificateVerifier {
  return new CertificateVerifier({ bundleFor: async (org) => (org === env.config.org ? env.tls.caPems : undefined) });
}

function apiKeysVia(client: auth.AuthClient): (apiKey: string) => Promise<ApiKeyIdentity> {
  return async (apiKey) => {
    const { identity } = await callUnary(client, client.authenticate, { apiKey }, { target: 'auth' });
    if (!identity) {
      throw new Error('auth returned no identity');
    }
    return { principal: identity.principal, org: identity.org, scopes: identity.scopes, keyId: identity.credentialId };
  };
}

function toApiKeyIdentity(record: { principal: string; scopes: string[]; keyId: string }, org: string): ApiKeyIdentity {
  return { principal: record.principal, org, scopes: record.scopes, keyId: record.keyId };
}

function createRateLimiter(config: NodeConfig, logger: Logger): { limiter: RateLimiter; close: () => Promise<void> } {
  if (!config.redisUrl) {
    logger.info('no redisUrl configured: rate limits are kept in process');
    const limiter = new InProcessGcraLimiter();
    return { limiter, close: () => limiter.close() };
  }

  // NOTE: an unreachable Redis fails the call closed (UNAVAILABLE); a
  // configurable fail-open or local-share mode is not implemented yet.
  const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1000, connectTimeout: 2000, lazyConnect: false });
  redis.on('error', (error) => logger.warn({ error: error.message }, 'redis connection error'));
  const limiter = new RedisGcraLimiter({ redis });
  return {
    limiter,
    close: async () => {
      await limiter.close();
      redis.disconnect();
    },
  };
}

/**
 * Records a federation call that was rejected for authentication or
 * permission reasons, with the reason that is withheld from the caller.
 * Callers that did not authenticate cannot choose the correlation id, and
 * their records are limited per remote address, so they cannot flood the
 * trail or attach events to other requests.
 */
async function recordRejectedPeerCall(
  deps: { audit: AuditSink; nodeId: string; limiter: RateLimiter; logger: Logger },
  call: RejectedCall,
): Promise<void> {
  const authenticated = call.caller !== undefined;
  if (!authenticated) {
    const address = call.peerAddress.replace(/:\d+$/, '').replace(/[{}]/g, '');
    const admission = await deps.limiter.consume(rateLimitKey('peer', `unauthenticated/${address}`), UNAUTHENTICATED_RECORD_LIMIT);
    if (!admission.allowed) {
      deps.logger.info({ address: call.peerAddress, [LogField.errorCode]: call.errorCode }, 'rejected call not recorded: record limit for this address reached');
      return;
    }
  }

  const sentCorrelationId = String(call.metadata.get('sark-correlation-id')[0] ?? '');
  await deps.audit.append({
    correlationId: authenticated && /^[A-Za-z0-9._:-]{1,128}$/.test(sentCorrelationId) ? sentCorrelationId : call.requestId,
    eventType: 'federation_call_rejected',
    targetNodeId: deps.nodeId,
    actor: call.caller?.certificate?.spiffeId ?? '',
    reason: `${call.errorCode}: ${call.detail}`,
    attributes: { method: call.method, grpc_code: status[call.code], peer_address: call.peerAddress, request_id: call.requestId, sent_correlation_id: sentCorrelationId.slice(0, 128) },
  });
}

function peerLimiter(limiter: RateLimiter, limit: { perHour: number; burst: number }): PeerRateLimiter {
  return {
    admit: async (peerOrg, peerNodeId) => limiter.consume(rateLimitKey('peer', `${peerOrg}/${peerNodeId}`), limit),
  };
}
