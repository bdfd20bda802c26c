import { discovery as pb } from '@sark/proto';
import { paginate } from '@sark/platform';
import type { ServiceHandlers } from '@sark/grpc';
import { requireOrg } from '@sark/trust';
import type { DiscoveredNode, NodeRegistry } from './node-registry.js';

/** Handlers of sark.discovery.v1.Discovery over a node registry. */
export function createDiscoveryHandlers(registry: NodeRegistry): ServiceHandlers<typeof pb.DiscoveryService> {
  return {
    async listNodes(request) {
      const org = request.org === '' ? undefined : requireOrg('org', request.org);
      const page = paginate(await registry.listNodes({ org }), request, { default: 100, max: 500 });
      return { nodes: page.items.map(toProto), nextPageToken: page.nextPageToken };
    },

    async resolveOrg(request) {
      const nodes = await registry.resolveOrg(requireOrg('org', request.org));
      return { nodes: nodes.map(toProto) };
    },
  };
}

function toProto(node: DiscoveredNode): pb.Node {
  return { nodeId: node.nodeId, org: node.org, federationEndpoint: node.federationEndpoint, source: pb.NodeSource.NODE_SOURCE_STATIC };
}
