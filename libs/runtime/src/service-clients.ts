import type { ChannelCredentials, Client } from '@grpc/grpc-js';
import { audit, auth, discovery, trust } from '@sark/proto';
import { createChannelCredentials } from '@sark/grpc';
import type { NodeConfig, ServiceName } from '@sark/platform';
import type { TlsIdentity } from './node-tls.js';

/** Addresses of a node's own services, `host:port`. */
export type ServiceEndpoints = Record<ServiceName, string>;

/** Resolves the address of each service: `endpoints.<name>` or its listen address. */
export function resolveEndpoints(config: NodeConfig): ServiceEndpoints {
  const own = (name: ServiceName) => config.endpoints[name] ?? `${reachableHost(config.listen.host)}:${config.listen[name]}`;
  return { discovery: own('discovery'), trust: own('trust'), routing: own('routing'), auth: own('auth'), audit: own('audit') };
}

/**
 * Returns the host at which this process reaches a server that listens on
 * `host`: loopback for the wildcard addresses, brackets around IPv6.
 */
export function reachableHost(host: string): string {
  if (host === '0.0.0.0') {
    return '127.0.0.1';
  }
  if (host === '::' || host === '[::]') {
    return '[::1]';
  }
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** mTLS clients to the other services of this node, authenticating as one service. */
export interface ServiceClients {
  audit: audit.AuditClient;
  auth: auth.AuthClient;
  trust: trust.TrustClient;
  discovery: discovery.DiscoveryClient;
  close(): void;
}

/**
 * Creates clients that present `identity` and accept only a server whose
 * certificate chains to this org's bundle and names the expected service
 * (`spiffe://<org>/sark/<service>`). Each client connects on first use and
 * reads its address from `endpoints` then, so a node can fill in the ports
 * of services that start after this one.
 */
export function createServiceClients({ org, endpoints, caPems, identity }: { org: string; endpoints: ServiceEndpoints; caPems: string[]; identity: TlsIdentity }): ServiceClients {
  const created = new Map<ServiceName, Client>();
  const connect = <C extends Client>(Constructor: new (address: string, credentials: ChannelCredentials, options: object) => C, service: ServiceName): C => {
    const existing = created.get(service);
    if (existing) {
      return existing as C;
    }

    const { credentials, channelOptions } = createChannelCredentials({ caPems, certChainPem: identity.certChainPem, keyPem: identity.keyPem, serverSpiffeId: `spiffe://${org}/sark/${service}` });
    const client = new Constructor(endpoints[service], credentials, channelOptions);
    created.set(service, client);
    return client;
  };

  return {
    get audit() {
      return connect(audit.AuditClient, 'audit');
    },
    get auth() {
      return connect(auth.AuthClient, 'auth');
    },
    get trust() {
      return connect(trust.TrustClient, 'trust');
    },
    get discovery() {
      return connect(discovery.DiscoveryClient, 'discovery');
    },
    close: () => created.forEach((client) => client.close()),
  };
}
