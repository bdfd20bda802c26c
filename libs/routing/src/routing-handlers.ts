import { routing as pb } from '@sark/proto';
import { InvalidArgumentError, LogField, PermissionDeniedError, SarkError } from '@sark/platform';
import type { CallContext, ServiceHandlers } from '@sark/grpc';
import { correlationIdOrNew, parseAccessRequest, requirePrincipalOf, type ParsedAccessRequest } from './access-request.js';
import { fromProtoDecision, toProtoDecision } from './decision.js';
import type { FederationClientPool } from './federation-client-pool.js';
import type { AuditSink, Decision, PeerDirectory, PeerTrust } from './ports.js';

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
      const node = nodes[0]!;
      const outcome = await askTarget(options, { access, correlationId, node, bundle }).catch(async (error: unknown) => {
        await recordFailure(options, context, { access, correlationId, targetNodeId: node.nodeId, error });
        throw error;
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

async function askTarget(
  options: RoutingHandlerOptions,
  target: { access: ParsedAccessRequest; correlationId: string; node: { nodeId: string; org: string; federationEndpoint: string }; bundle: string[] },
): Promise<Outcome> {
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
      targetNodeId: response.targetNodeId || node.nodeId,
      targetEventId: response.auditEventId,
    };
  } catch (error) {
    if (error instanceof SarkError && (error.kind === 'unavailable' || error.kind === 'deadline_exceeded')) {
      return { decision: 'deny', reason: `target node ${node.nodeId} is unreachable: denied by default`, policyIds: [], targetNodeId: node.nodeId, targetEventId: '' };
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
 * An API key may only speak for its own principal. A certificate of this org
 * (a service or operator) may speak for any principal of this org.
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
