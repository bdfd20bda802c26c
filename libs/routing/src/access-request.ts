import { randomUUID } from 'node:crypto';
import { validatePolicyContext } from '@sark/auth';
import { InvalidArgumentError, PermissionDeniedError } from '@sark/platform';
import type { common } from '@sark/proto';
import type { AccessRequest } from './ports.js';

const principalPattern = /^([A-Za-z0-9._+-]{1,64})@([a-z0-9.-]{1,253})$/;
const actionPattern = /^[A-Za-z0-9._:-]{1,128}$/;
const resourcePattern = /^([a-z0-9.-]{1,253})\/(\S{1,512})$/;
const correlationIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/** A validated access request with the orgs it names. */
export interface ParsedAccessRequest extends AccessRequest {
  principalOrg: string;
  resourceOrg: string;
}

/**
 * Validates an AccessRequest message.
 *
 * @throws InvalidArgumentError naming the field (`request.principal` ...).
 */
export function parseAccessRequest(message: common.AccessRequest | undefined): ParsedAccessRequest {
  if (!message) {
    throw new InvalidArgumentError('request', 'is required');
  }

  const principal = principalPattern.exec(message.principal);
  if (!principal) {
    throw new InvalidArgumentError('request.principal', `${quote(message.principal)} is not a principal of the form name@org with a lowercase org, for example alice@orga.example`);
  }
  if (!actionPattern.test(message.action)) {
    throw new InvalidArgumentError('request.action', `${quote(message.action)} is not an action: use 1 to 128 letters, digits, '.', '_', ':' or '-'`);
  }
  const resource = resourcePattern.exec(message.resource);
  if (!resource) {
    throw new InvalidArgumentError('request.resource', `${quote(message.resource)} is not a resource id of the form <owner org>/<path>, for example orgb.example/reports/q3`);
  }

  // Checked here as well as at the owner, so a bad context fails before it
  // uses the peer's rate limit.
  const context = validatePolicyContext(message.context ?? {});

  return {
    principal: message.principal,
    action: message.action,
    resource: message.resource,
    context,
    principalOrg: principal[2] as string,
    resourceOrg: resource[1] as string,
  };
}

/** Returns the caller's correlation id after checking it, or a new UUID when empty. */
export function correlationIdOrNew(value: string): string {
  if (value === '') {
    return randomUUID();
  }
  if (!correlationIdPattern.test(value)) {
    throw new InvalidArgumentError('correlation_id', 'must be 1 to 128 letters, digits, \'.\', \'_\', \':\' or \'-\'');
  }
  return value;
}

/** Rejects a principal that does not belong to the given org. */
export function requirePrincipalOf(request: ParsedAccessRequest, org: string, orgMember: string): void {
  if (request.principalOrg !== org) {
    throw new PermissionDeniedError('routing.principal_org_mismatch', `principal ${request.principal} does not belong to ${org}, the org of ${orgMember}`);
  }
}

function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value);
}
