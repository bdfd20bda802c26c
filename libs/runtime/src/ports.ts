import { audit as auditPb, common, discovery as discoveryPb, trust as trustPb } from '@sark/proto';
import { callUnary } from '@sark/grpc';
import { FailedPreconditionError, InternalError, NotFoundError, SarkError } from '@sark/platform';
import { fromProtoDecision, toProtoDecision, type AuditSink, type PeerDirectory, type PeerTrust, type PolicyDecider } from '@sark/routing';
import type { ServiceClients } from './service-clients.js';

/**
 * Calls a service of this node. A rejection of this service's own
 * certificate is a fault of the node's set-up, so it becomes INTERNAL
 * instead of reaching the caller as if the caller had been rejected.
 */
async function callOwnService<Req, Res>(...args: Parameters<typeof callUnary<Req, Res>>): Promise<Res> {
  try {
    return await callUnary<Req, Res>(...args);
  } catch (error) {
    if (error instanceof SarkError && (error.kind === 'unauthenticated' || error.kind === 'permission_denied')) {
      throw new InternalError('node.own_service_rejected', `${args[3].target} rejected this service (${error.code}): check the node's certificates`, { cause: error });
    }
    throw error;
  }
}

/** Routing's ports, implemented by calls to this node's services. */
export function createRoutingPorts(clients: ServiceClients): { audit: AuditSink; policy: PolicyDecider; directory: PeerDirectory; trust: PeerTrust } {
  return {
    audit: {
      async append(event) {
        const message: auditPb.AuditEvent = {
          ...auditPb.AuditEvent.fromPartial({}),
          ...event,
          decision: event.decision ? toProtoDecision(event.decision) : common.Decision.DECISION_UNSPECIFIED,
          attributes: event.attributes ?? {},
        } as auditPb.AuditEvent;
        return callOwnService(clients.audit, clients.audit.append, { event: message }, { target: 'audit' });
      },
    },

    policy: {
      async authorize(request, source) {
        const response = await callOwnService(clients.auth, clients.auth.authorize, { request, sourceOrg: source.org, sourceNodeId: source.nodeId }, { target: 'auth' });
        return {
          decision: fromProtoDecision(response.decision?.decision),
          reason: response.decision?.reason ?? '',
          policyIds: response.decision?.policyIds ?? [],
        };
      },
    },

    directory: {
      async resolveOrg(org) {
        const response = await callOwnService(clients.discovery, clients.discovery.resolveOrg, { org }, { target: 'discovery' });
        return response.nodes.filter((node) => node.source !== discoveryPb.NodeSource.NODE_SOURCE_UNSPECIFIED || node.federationEndpoint !== '');
      },
    },

    trust: {
      async trustedBundle(org) {
        let peer: trustPb.Peer | undefined;
        try {
          peer = (await callOwnService(clients.trust, clients.trust.getPeer, { org }, { target: 'trust' })).peer;
        } catch (error) {
          if (error instanceof NotFoundError) {
            throw new FailedPreconditionError('routing.org_not_trusted', `org ${org} is known but not trusted: register its trust bundle`, { cause: error });
          }
          throw error;
        }
        if (!peer || peer.state !== trustPb.TrustState.TRUST_STATE_TRUSTED || !peer.bundle) {
          throw new FailedPreconditionError('routing.org_not_trusted', `org ${org} is not trusted (state ${trustPb.trustStateToJSON(peer?.state ?? 0)})`);
        }
        return peer.bundle.caCertificatesPem;
      },
    },
  };
}

/** Bundle lookup for the federation endpoint: the bundle of a TRUSTED org, fetched per call so revocation applies at once. */
export function trustedBundleLookup(clients: ServiceClients): (org: string) => Promise<string[] | undefined> {
  return async (org) => {
    try {
      const { peer } = await callOwnService(clients.trust, clients.trust.getPeer, { org }, { target: 'trust' });
      return peer?.state === trustPb.TrustState.TRUST_STATE_TRUSTED ? peer.bundle?.caCertificatesPem : undefined;
    } catch (error) {
      if (error instanceof SarkError && (error.kind === 'not_found' || error.kind === 'invalid_argument')) {
        return undefined;
      }
      throw error;
    }
  };
}
