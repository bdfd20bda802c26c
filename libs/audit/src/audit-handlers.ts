import { audit as pb, common } from '@sark/proto';
import { InvalidArgumentError, PermissionDeniedError, validatePageSize } from '@sark/platform';
import type { CallContext, ServiceHandlers } from '@sark/grpc';
import type { AuditEventInput, AuditEventRecord, AuditStore } from './store/index.js';

/** API key scope that may read the audit trail. */
export const AUDIT_READ_SCOPE = 'audit:read';

/**
 * Handlers of sark.audit.v1.Audit. Append is open to this org's services
 * (their certificates); Query also to API keys with the `audit:read` scope.
 */
export function createAuditHandlers(options: { store: AuditStore; org: string }): ServiceHandlers<typeof pb.AuditService> {
  return {
    async append(request, context) {
      requireServiceCertificate(context, options.org);
      if (!request.event) {
        throw new InvalidArgumentError('event', 'is required');
      }

      const appended = await options.store.append(fromProto(request.event));
      return { eventId: appended.eventId, sequence: appended.sequence };
    },

    async query(request, context) {
      requireReader(context, options.org);
      if (request.afterSequence < 0) {
        throw new InvalidArgumentError('after_sequence', 'must be 0 or greater');
      }
      const limit = validatePageSize(request.pageSize, { default: 100, max: 1000 });

      const events = await options.store.query({
        correlationId: request.correlationId || undefined,
        eventType: request.eventType || undefined,
        principal: request.principal || undefined,
        afterSequence: request.afterSequence,
        limit,
      });
      const last = events[events.length - 1];
      return { events: events.map(toProto), nextAfterSequence: events.length === limit && last ? last.sequence : 0 };
    },
  };
}

function requireServiceCertificate(context: CallContext, org: string): void {
  const certificate = context.caller.certificate;
  if (certificate?.org !== org || certificate.role.startsWith('operator/')) {
    throw new PermissionDeniedError('audit.append_not_allowed', 'only services of this org may append audit events');
  }
}

function requireReader(context: CallContext, org: string): void {
  const { certificate, apiKey } = context.caller;
  if (certificate?.org === org || apiKey?.scopes.includes(AUDIT_READ_SCOPE)) {
    return;
  }
  throw new PermissionDeniedError('audit.query_not_allowed', `reading the audit trail needs a certificate of ${org} or an API key with scope ${AUDIT_READ_SCOPE}`);
}

function fromProto(event: pb.AuditEvent): AuditEventInput {
  return {
    correlationId: event.correlationId,
    eventType: event.eventType,
    principal: event.principal || undefined,
    resource: event.resource || undefined,
    action: event.action || undefined,
    decision: decisionFromProto(event.decision),
    sourceNodeId: event.sourceNodeId || undefined,
    targetNodeId: event.targetNodeId || undefined,
    actor: event.actor || undefined,
    reason: event.reason || undefined,
    peerEventId: event.peerEventId || undefined,
    attributes: (event.attributes ?? undefined) as Record<string, unknown> | undefined,
  };
}

function toProto(record: AuditEventRecord): pb.AuditEvent {
  const millis = record.recordedAt.getTime();
  return {
    eventId: record.eventId,
    sequence: record.sequence,
    correlationId: record.correlationId,
    eventType: record.eventType,
    principal: record.principal ?? '',
    resource: record.resource ?? '',
    action: record.action ?? '',
    decision: decisionToProto(record.decision),
    sourceNodeId: record.sourceNodeId ?? '',
    targetNodeId: record.targetNodeId ?? '',
    actor: record.actor ?? '',
    reason: record.reason ?? '',
    peerEventId: record.peerEventId ?? '',
    attributes: record.attributes ?? {},
    recordedAt: { seconds: Math.floor(millis / 1000), nanos: (millis % 1000) * 1e6 },
  };
}

function decisionFromProto(decision: common.Decision): 'allow' | 'deny' | undefined {
  if (decision === common.Decision.DECISION_ALLOW) {
    return 'allow';
  }
  if (decision === common.Decision.DECISION_DENY) {
    return 'deny';
  }
  return undefined;
}

function decisionToProto(decision: 'allow' | 'deny' | null): common.Decision {
  if (decision === 'allow') {
    return common.Decision.DECISION_ALLOW;
  }
  if (decision === 'deny') {
    return common.Decision.DECISION_DENY;
  }
  return common.Decision.DECISION_UNSPECIFIED;
}
