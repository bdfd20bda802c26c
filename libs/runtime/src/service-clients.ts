import type { Client } from '@grpc/grpc-js';
import { audit, auth, discovery, trust } from '@sark/proto';
import { createChannelCredentials } from '@sark/grpc';
import type { NodeConfig, ServiceName } from '@sark/platform';
import type { TlsIdentity } from './node-tls.js';

/** Addresses of a node's own services, `host:port`. */
export type ServiceEndpoints = Record<ServiceName, string>;

/** Resolves the address of each service: `endpoints.<name>` or its listen address. */
export function resolveEndpoints(config: NodeConfig): ServiceEndpoints {
  const own = (name: ServiceName) => config.endpoints[name] ?? `${config.listen.host}:${config.listen[name]}`;
  return { discovery: own('discovery'), trust: own('trust'), routing: own('routing'), auth: own('auth'), audit: own('audit') };
}

/** mTLS clients to the other services of this node, authenticating as one service. */
export interface ServiceClients {
  audit: audit.AuditClient;
  auth: auth.AuthClient;
  trust: trust.TrustClient;
  discovery: discovery.DiscoveryClient;
  close(): void;
}

export function createServiceClients(endpoints: ServiceEndpoints, caPems: string[], identity: TlsIdentity): ServiceClients {
  const { credentials, channelOptions } = createChannelCredentials({ caPems, certChainPem: identity.certChainPem, keyPem: identity.keyPem });
  const clients = {
    audit: new audit.AuditClient(endpoints.audit, credentials, channelOptions),
    auth: new auth.AuthClient(endpoints.auth, credentials, channelOptions),
    trust: new trust.TrustClient(endpoints.trust, credentials, channelOptions),
    discovery: new discovery.DiscoveryClient(endpoints.discovery, credentials, channelOptions),
  };

  return {
    ...clients,
    close: () => Object.values(clients).forEach((client: Client) => client.close()),
  };
}
