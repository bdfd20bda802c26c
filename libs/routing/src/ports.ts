/**
 * Ports to the other services of its node that routing depends on. The node wires
 * these to gRPC clients of discovery, trust, auth and audit.
 */
import type { AuditEventInput } from '@sark/audit';

export type { AuditEventInput };

export type Decision = 'allow' | 'deny';

export interface AccessRequest {
  principal: string;
  action: string;
  resource: string;
  context: Record<string, unknown>;
}

export interface PolicyDecision {
  decision: Decision;
  reason: string;
  policyIds: string[];
}

export interface AuditSink {
  append(event: AuditEventInput): Promise<{ eventId: string; sequence: number }>;
}

export interface PolicyDecider {
  authorize(request: AccessRequest, source: { org: string; nodeId: string }): Promise<PolicyDecision>;
}

export interface PeerNode {
  nodeId: string;
  org: string;
  federationEndpoint: string;
}

export interface PeerDirectory {
  /** @throws NotFoundError when no node of the org is known. */
  resolveOrg(org: string): Promise<PeerNode[]>;
}

export interface PeerTrust {
  /**
   * Returns the trust bundle of a TRUSTED org.
   *
   * @throws FailedPreconditionError when the org is known but not trusted.
   */
  trustedBundle(org: string): Promise<string[]>;
}

export interface AdmissionDecision {
  allowed: boolean;
  retryAfterMs: number;
}

/** Holds each calling peer node to its rate limit. */
export interface PeerRateLimiter {
  admit(peerOrg: string, peerNodeId: string): Promise<AdmissionDecision>;
}
