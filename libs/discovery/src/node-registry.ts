import { NotFoundError } from '@sark/platform';

export type NodeSource = 'static';

/** A partner node as discovered. Being known grants no trust. */
export interface DiscoveredNode {
  nodeId: string;
  org: string;
  /** host:port of the node's federation endpoint. */
  federationEndpoint: string;
  source: NodeSource;
}

/** The view of partner nodes. */
export interface NodeRegistry {
  listNodes(filter: { org?: string }): Promise<DiscoveredNode[]>;
  /** @throws NotFoundError when no node of the org is known. */
  resolveOrg(org: string): Promise<DiscoveredNode[]>;
}

/** Registry of the nodes listed in static configuration, sorted by node id. */
export class StaticNodeRegistry implements NodeRegistry {
  private readonly nodes: DiscoveredNode[];

  constructor(nodes: Array<Omit<DiscoveredNode, 'source'>>) {
    this.nodes = nodes.map((node) => ({ ...node, source: 'static' as const })).sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  }

  async listNodes(filter: { org?: string }): Promise<DiscoveredNode[]> {
    return this.nodes.filter((node) => !filter.org || node.org === filter.org);
  }

  async resolveOrg(org: string): Promise<DiscoveredNode[]> {
    const nodes = await this.listNodes({ org });
    if (nodes.length === 0) {
      throw new NotFoundError('discovery.org_not_found', `no node of org ${org} is known: add it to peers`);
    }
    return nodes;
  }
}
