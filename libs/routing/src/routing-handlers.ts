import { routing as pb } from '@sark/proto';
import { FailedPreconditionError, InvalidArgumentError, LogField, PermissionDeniedError, SarkError } from '@sark/platform';
import type { CallContext, ServiceHandlers } from '@sark/grpc';
import { correlationIdOrNew, parseAccessRequest, requirePrincipalOf, type ParsedAccessRequest } from './access-request.js';
import { fromProtoDecision, toProtoDecision } from './decision.js';
import type { FederationClientPool } from './federation-client-pool.js';
import type { AuditSink, Decision, PeerDirectory, PeerNode, PeerTrust } from './ports.js';

export interface RoutingHandlerOptions {
  org: string;
  nodeId: string;
  directory: PeerDirectory;
  trust: PeerTrust;
  audit: AuditSink;
  federation: FederationClientPool;
}

interface Outcome {
  decision: Decision;
  reason: string;
  policyIds: string[];
  targetNodeId: string;
  targetEventId: string;
}

/**
 * Handlers of sark.routing.v1.Routing: sends a principal's request to the
 * node of the org that owns the resource and records the outcome with the
 * same correlation id as the target. An unreachable target is a deny.
 */
export function createRoutingHandlers(options: RoutingHandlerOptions): ServiceHandlers<typeof pb.RoutingService> {
  return {
    async authorize(request, context) {
      const access = parseAccessRequest(request.request);
      const correlationId = correlationIdOrNew(request.correlationId);
      checkCaller(context, access, options.org);
      if (access.resourceOrg === options.org) {
        throw new InvalidArgumentError('request.resource', `${access.resource} is owned by this org: call sark.auth.v1.Auth/Authorize for local decisions`);
      }

      const nodes = await options.directory.resolveOrg(access.resourceOrg);
      const bundle = await options.trust.trustedBundle(access.resourceOrg);
      const outcome = await askOwner(options, {
        access,
        correlationId,
        nodes,
        bundle,
        onRejected: (targetNodeId, error) => recordFailure(options, context, { access, correlationId, targetNodeId, error }),
      });

      const sourceEvent = await options.audit.append({
        correlationId,
        eventType: 'cross_org_request',
        principal: access.principal,
        resource: access.resource,
        action: access.action,
        decision: outcome.decision,
        sourceNodeId: options.nodeId,
        targetNodeId: outcome.targetNodeId,
        actor: actorOf(context),
        reason: outcome.reason,
        peerEventId: outcome.targetEventId,
        attributes: { policy_ids: outcome.policyIds, target_org: access.resourceOrg },
      });
      context.logger.info({ [LogField.correlationId]: correlationId, [LogField.peerNodeId]: outcome.targetNodeId, decision: outcome.decision }, 'cross-org request routed');

      return {
        decision: { decision: toProtoDecision(outcome.decision), reason: outcome.reason, policyIds: outcome.policyIds },
        correlationId,
        targetOrg: access.resourceOrg,
        targetNodeId: outcome.targetNodeId,
        targetEventId: outcome.targetEventId,
        sourceEventId: sourceEvent.eventId,
      };
    },
  };
}

/**
 * Asks the owner org's nodes in turn until one responds. A node that is
 * unreachable passes the request to the next. When none responds, the
 * request is denied by default. An error status from a node is recorded
 * with `onRejected` and ends the attempt.
 */
async function askOwner(
  options: RoutingHandlerOptions,
  target: {
    access: ParsedAccessRequest;
    correlationId: string;
    nodes: PeerNode[];
    bundle: string[];
    onRejected: (targetNodeId: string, error: unknown) => Promise<void>;
  },
): Promise<Outcome> {
  const unreachable: string[] = [];

  for (const node of target.nodes) {
    let outcome: Outcome | undefined;
    try {
      outcome = await askTarget(options, { ...target, node });
    } catch (error) {
      await target.onRejected(node.nodeId, error);
      throw error;
    }
    if (outcome) {
      return outcome;
    }
    unreachable.push(node.nodeId);
  }

  const reason = unreachable.length === 1 ? `target node ${unreachable[0]} is unreachable: denied by default` : `target nodes ${unreachable.join(', ')} are unreachable: denied by default`;
  return { decision: 'deny', reason, policyIds: [], targetNodeId: unreachable[0] ?? '', targetEventId: '' };
}

/** Asks one node of the owner org; returns undefined when the node cannot be reached. */
async function askTarget(
  options: RoutingHandlerOptions,
  target: { access: ParsedAccessRequest; correlationId: string; node: PeerNode; bundle: string[] },
): Promise<Outcome | undefined> {
  const { access, correlationId, node, bundle } = target;

  try {
    const response = await options.federation.authorize(node, bundle, {
      correlationId,
      request: { principal: access.principal, action: access.action, resource: access.resource, context: access.context },
      sentAt: { seconds: Math.floor(Date.now() / 1000), nanos: 0 },
    });
    return {
      decision: fromProtoDecision(response.decision?.decision),
      reason: response.decision?.reason ?? '',
      policyIds: response.decision?.policyIds ?? [],
      // The node id checked against the server certificate, not the one the peer reports.
      targetNodeId: node.nodeId,
      targetEventId: response.auditEventId,
    };
  } catch (error) {
    if (error instanceof SarkError && (error.kind === 'unavailable' || error.kind === 'deadline_exceeded')) {
      return undefined;
    }
    if (error instanceof SarkError && (error.kind === 'unauthenticated' || error.kind === 'permission_denied')) {
      // The peer rejected this node, not our caller: tell the caller so
      // without the peer's status, which would read as the caller's fault.
      throw new FailedPreconditionError('routing.rejected_by_peer', `target node ${node.nodeId} rejected this node (${error.kind}): check that ${node.org} trusts this org and lists this node`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** Records a request that the target rejected with an error status, then lets the error go to the caller. */
async function recordFailure(
  options: RoutingHandlerOptions,
  context: CallContext,
  failure: { access: ParsedAccessRequest; correlationId: string; targetNodeId: string; error: unknown },
): Promise<void> {
  const code = failure.error instanceof SarkError ? failure.error.code : 'internal';
  await options.audit.append({
    correlationId: failure.correlationId,
    eventType: 'cross_org_request_failed',
    principal: failure.access.principal,
    resource: failure.access.resource,
    action: failure.access.action,
    sourceNodeId: options.nodeId,
    targetNodeId: failure.targetNodeId,
    actor: actorOf(context),
    reason: code,
  });
}

/**
 * Checks that the caller may act for the principal. An API key may only act
 * for its own principal. A certificate of this org
 * (a service or operator) may act for any principal of this org.
 */
function checkCaller(context: CallContext, access: ParsedAccessRequest, org: string): void {
  const apiKey = context.caller.apiKey;
  if (apiKey && apiKey.principal !== access.principal) {
    throw new PermissionDeniedError('routing.principal_not_caller', `API key of ${apiKey.principal} cannot make requests for ${access.principal}`);
  }
  requirePrincipalOf(access, org, 'this node');
}

function actorOf(context: CallContext): string {
  return context.caller.apiKey?.principal ?? context.caller.certificate?.spiffeId ?? '';
}
