import { federation as pb } from '@sark/proto';
import { callUnary, createChannelCredentials, uriSans } from '@sark/grpc';
import type { PeerNode } from './ports.js';

export interface FederationClientPoolOptions {
  /** This node's federation certificate chain and key. */
  certChainPem: string;
  keyPem: string;
  /** Deadline of each call to a peer; default 5000 ms. */
  timeoutMs?: number;
}

/**
 * One mTLS client per peer node. Each client trusts only the bundle of the
 * peer's own org, checks that the server certificate names the peer's node
 * id, and that its SPIFFE ID is the federation identity of that org.
 */
export class FederationClientPool {
  /** One client per node id, with the endpoint and bundle it was made for. */
  private readonly clients = new Map<string, { client: pb.FederationClient; settings: string }>();

  constructor(private readonly options: FederationClientPoolOptions) {}

  async authorize(node: PeerNode, bundle: string[], request: pb.AuthorizeRequest): Promise<pb.AuthorizeResponse> {
    const client = this.clientFor(node, bundle);
    return callUnary(client, client.authorize, request, {
      target: `federation endpoint of ${node.nodeId}`,
      timeoutMs: this.options.timeoutMs,
      metadata: { 'sark-correlation-id': request.correlationId },
    });
  }

  close(): void {
    for (const { client } of this.clients.values()) {
      client.close();
    }
    this.clients.clear();
  }

  private clientFor(node: PeerNode, bundle: string[]): pb.FederationClient {
    const settings = `${node.federationEndpoint}|${bundle.join('')}`;
    const existing = this.clients.get(node.nodeId);
    if (existing?.settings === settings) {
      return existing.client;
    }
    // The node moved or its org's bundle changed: the old channel is stale.
    existing?.client.close();

    const expectedSpiffeId = `spiffe://${node.org}/sark/federation`;
    const { credentials, channelOptions } = createChannelCredentials({
      caPems: bundle,
      certChainPem: this.options.certChainPem,
      keyPem: this.options.keyPem,
      serverName: node.nodeId,
      verifyServer: (certificate) => (uriSans(certificate).includes(expectedSpiffeId) ? undefined : new Error(`server certificate is not ${expectedSpiffeId}`)),
    });
    const client = new pb.FederationClient(node.federationEndpoint, credentials, channelOptions);
    this.clients.set(node.nodeId, { client, settings });
    return client;
  }
}
