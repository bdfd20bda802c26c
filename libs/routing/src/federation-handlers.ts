import { federation as pb } from '@sark/proto';
import { NotFoundError, PermissionDeniedError, ResourceExhaustedError, LogField } from '@sark/platform';
import type { CallContext, CertificateIdentity, ServiceHandlers } from '@sark/grpc';
import { correlationIdOrNew, parseAccessRequest, requirePrincipalOf } from './access-request.js';
import { toProtoDecision } from './decision.js';
import type { AuditSink, PeerDirectory, PeerRateLimiter, PolicyDecider } from './ports.js';

export interface FederationHandlerOptions {
  org: string;
  nodeId: string;
  version: string;
  /** Resource ids this org exposes to partners. */
  resources: ReadonlySet<string>;
  policy: PolicyDecider;
  audit: AuditSink;
  limiter: PeerRateLimiter;
  /** Partner nodes known to discovery; a caller must be one of its org's nodes. */
  directory: PeerDirectory;
}

/**
 * Handlers of the peer-facing sark.federation.v1.Federation service. The
 * calling org and node come from the verified federation certificate of the
 * TLS peer, never from the request body.
 */
export function createFederationHandlers(options: FederationHandlerOptions): ServiceHandlers<typeof pb.FederationService> {
  return {
    async getNodeInfo(_request, context) {
      await peerOf(context, options.directory);
      return { node: { nodeId: options.nodeId, org: options.org, version: options.version } };
    },

    async authorize(request, context) {
      const peer = await peerOf(context, options.directory);
      const correlationId = correlationIdOrNew(request.correlationId);
      const access = parseAccessRequest(request.request);
      requirePrincipalOf(access, peer.org, `calling node ${peer.nodeId}`);
      if (access.resourceOrg !== options.org || !options.resources.has(access.resource)) {
        throw new NotFoundError('routing.resource_not_found', `resource ${access.resource} is not exposed by org ${options.org}`);
      }

      const admission = await options.limiter.admit(peer.org, peer.nodeId);
      if (!admission.allowed) {
        throw new ResourceExhaustedError('routing.peer_rate_limited', `rate limit of peer node ${peer.nodeId} reached: retry after ${Math.ceil(admission.retryAfterMs)} ms`, {
          retryAfterMs: admission.retryAfterMs,
        });
      }

      const decision = await options.policy.authorize(access, { org: peer.org, nodeId: peer.nodeId });
      const event = await options.audit.append({
        correlationId,
        eventType: 'cross_org_authorization',
        principal: access.principal,
        resource: access.resource,
        action: access.action,
        decision: decision.decision,
        sourceNodeId: peer.nodeId,
        targetNodeId: options.nodeId,
        actor: peer.spiffeId,
        reason: decision.reason,
        attributes: { policy_ids: decision.policyIds, source_org: peer.org },
      });
      context.logger.info({ [LogField.correlationId]: correlationId, [LogField.peerNodeId]: peer.nodeId, decision: decision.decision }, 'cross-org request decided');

      return {
        decision: { decision: toProtoDecision(decision.decision), reason: decision.reason, policyIds: decision.policyIds },
        correlationId,
        targetNodeId: options.nodeId,
        auditEventId: event.eventId,
      };
    },
  };
}

interface FederationPeer extends CertificateIdentity {
  nodeId: string;
}

/**
 * Returns the calling partner node. Its node id is a DNS name of its
 * federation certificate that discovery lists as a node of the certificate's
 * org, so one partner cannot pass itself off as another partner's node.
 */
async function peerOf(context: CallContext, directory: PeerDirectory): Promise<FederationPeer> {
  const certificate = context.caller.certificate;
  if (!certificate || certificate.role !== 'federation') {
    throw new PermissionDeniedError('routing.not_a_federation_peer', 'only partner nodes with a federation certificate may call the federation endpoint');
  }

  const known = await directory.resolveOrg(certificate.org).catch((error: unknown) => {
    if (error instanceof NotFoundError) {
      return [];
    }
    throw error;
  });
  const nodeId = certificate.dnsNames.find((name) => known.some((node) => node.nodeId === name));
  if (!nodeId) {
    throw new PermissionDeniedError(
      'routing.peer_node_unknown',
      `federation certificate ${certificate.spiffeId} names no node of ${certificate.org} that this node knows (DNS names ${certificate.dnsNames.join(', ') || 'none'}): add the node to peers`,
    );
  }
  return { ...certificate, nodeId };
}

