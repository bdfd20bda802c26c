import { common } from '@sark/proto';
import type { Decision } from './ports.js';

export function toProtoDecision(decision: Decision): common.Decision {
  return decision === 'allow' ? common.Decision.DECISION_ALLOW : common.Decision.DECISION_DENY;
}

/** Maps a decision from the wire; anything but ALLOW is a deny. */
export function fromProtoDecision(decision: common.Decision | undefined): Decision {
  return decision === common.Decision.DECISION_ALLOW ? 'allow' : 'deny';
}
