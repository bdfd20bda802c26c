import { isIPv4, isIPv6 } from 'node:net';

import { InvalidArgumentError } from '@sark/platform';

/** The roles of the five gRPC services a SARK node runs. */
export const SERVICE_ROLES = ['discovery', 'trust', 'routing', 'auth', 'audit'] as const;

/** Every role except operators, whose role is `operator/<name>`. */
export const FIXED_ROLES = ['federation', ...SERVICE_ROLES] as const;

export type ServiceRole = (typeof SERVICE_ROLES)[number];
export type FixedRole = (typeof FIXED_ROLES)[number];

/** The `<role>` part of `spiffe://<org>/sark/<role>`. */
export type SarkRole = FixedRole | `operator/${string}`;

/** The parts of a SARK SPIFFE ID `spiffe://<org>/sark/<role>`. */
export interface SpiffeIdParts {
  org: string;
  role: SarkRole;
}

const SPIFFE_SCHEME = 'spiffe://';
const SARK_PATH_PREFIX = '/sark/';
const OPERATOR_PREFIX = 'operator/';
const MAX_DNS_NAME_LENGTH = 253;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ALL_DIGITS = /^[0-9]+$/;
// Operator names become a SPIFFE path segment, so a leading '.' could form the
// forbidden segments '.' and '..'.
const OPERATOR_NAME = /^[a-z0-9][a-z0-9.-]{0,62}$/;

const ROLE_CHOICES = `${FIXED_ROLES.join(', ')} or operator/<name>`;

/**
 * Returns whether `name` is a lowercase DNS host name: dot-separated labels
 * of 1-63 letters, digits and inner hyphens, at most 253 characters, with no
 * trailing dot. A last label of only digits is rejected so that an IPv4
 * address is never taken for a DNS name.
 */
export function isValidDnsName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_DNS_NAME_LENGTH) {
    return false;
  }

  const labels = name.split('.');
  const lastLabel = labels[labels.length - 1] ?? '';

  return labels.every((label) => DNS_LABEL.test(label)) && !ALL_DIGITS.test(lastLabel);
}

/** Returns whether `address` is an IPv4 or IPv6 address without a zone index. */
export function isValidIpAddress(address: string): boolean {
  return isIPv4(address) || (isIPv6(address) && !address.includes('%'));
}

/**
 * Validates an org name (a SPIFFE trust domain) and returns it.
 *
 * @throws InvalidArgumentError naming `field` unless `org` is a lowercase DNS name.
 */
export function validateOrg(org: string, field = 'org'): string {
  if (!isValidDnsName(org)) {
    const message = `must be a lowercase DNS name such as orga.example, got ${JSON.stringify(org)}`;
    throw new InvalidArgumentError(field, message);
  }

  return org;
}

/**
 * Validates a node id and returns it.
 *
 * @throws InvalidArgumentError naming `field` unless `nodeId` is a lowercase DNS name.
 */
export function validateNodeId(nodeId: string, field = 'nodeId'): string {
  if (!isValidDnsName(nodeId)) {
    const message = `must be a lowercase DNS name such as sark.orga.example, got ${JSON.stringify(nodeId)}`;
    throw new InvalidArgumentError(field, message);
  }

  return nodeId;
}

/**
 * Validates a role and returns it typed.
 *
 * @throws InvalidArgumentError naming `field` unless `role` is one of the fixed
 *   roles or `operator/<name>` with a valid operator name.
 */
export function validateRole(role: string, field = 'role'): SarkRole {
  if ((FIXED_ROLES as readonly string[]).includes(role)) {
    return role as FixedRole;
  }

  if (!role.startsWith(OPERATOR_PREFIX)) {
    throw new InvalidArgumentError(field, `must be one of ${ROLE_CHOICES}, got ${JSON.stringify(role)}`);
  }

  const operatorName = role.slice(OPERATOR_PREFIX.length);
  if (!OPERATOR_NAME.test(operatorName)) {
    throw new InvalidArgumentError(
      field,
      "operator name must be 1-63 lowercase letters, digits, '-' or '.', starting with a letter or digit, " +
        `got ${JSON.stringify(operatorName)}`,
    );
  }

  return role as SarkRole;
}

/**
 * Builds the SPIFFE ID `spiffe://<org>/sark/<role>`.
 *
 * @throws InvalidArgumentError when `org` or `role` is invalid.
 */
export function spiffeIdFor(org: string, role: string): string {
  validateOrg(org);
  validateRole(role);

  return `${SPIFFE_SCHEME}${org}${SARK_PATH_PREFIX}${role}`;
}

/** Builds the SPIFFE ID of an org's trust domain, `spiffe://<org>`, which the org CA carries. */
export function trustDomainIdFor(org: string): string {
  validateOrg(org);

  return `${SPIFFE_SCHEME}${org}`;
}

/**
 * Splits a SARK SPIFFE ID into org and role. The match is exact: no
 * normalisation of case, ports, query strings, fragments or dot segments.
 *
 * @throws InvalidArgumentError with field `spiffeId` unless `uri` is
 *   `spiffe://<org>/sark/<role>` with a lowercase DNS org and a valid role.
 */
export function parseSpiffeId(uri: string): SpiffeIdParts {
  const rest = uri.startsWith(SPIFFE_SCHEME) ? uri.slice(SPIFFE_SCHEME.length) : undefined;
  const pathStart = rest?.indexOf('/') ?? -1;
  if (rest === undefined || pathStart < 0 || !rest.slice(pathStart).startsWith(SARK_PATH_PREFIX)) {
    throw new InvalidArgumentError('spiffeId', `must be spiffe://<org>/sark/<role>, got ${JSON.stringify(uri)}`);
  }

  const org = rest.slice(0, pathStart);
  const role = rest.slice(pathStart + SARK_PATH_PREFIX.length);
  if (!isValidDnsName(org)) {
    const message = `org must be a lowercase DNS name such as orga.example, got ${JSON.stringify(org)}`;
    throw new InvalidArgumentError('spiffeId', message);
  }

  return { org, role: validateRole(role, 'spiffeId') };
}

/**
 * Returns the org of a trust domain SPIFFE ID `spiffe://<org>`, or undefined
 * when `uri` is not one.
 */
export function parseTrustDomainId(uri: string): string | undefined {
  if (!uri.startsWith(SPIFFE_SCHEME)) {
    return undefined;
  }

  const org = uri.slice(SPIFFE_SCHEME.length);

  return isValidDnsName(org) ? org : undefined;
}

/** Returns the file base name for a role's certificate: the role with `/` replaced by `-` (`operator-admin`). */
export function fileBaseForRole(role: SarkRole): string {
  return role.replaceAll('/', '-');
}
