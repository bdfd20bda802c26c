import { InvalidArgumentError } from '@sark/platform';

/** A principal `name@org`, with the organisation lowercased. */
export interface PrincipalId {
  /** The canonical form `name@org`, used as the Cedar entity id. */
  id: string;
  name: string;
  org: string;
}

/** A resource `<org>/<path>`, with the organisation lowercased. */
export interface ResourceId {
  /** The canonical form `org/path`, used as the Cedar entity id. */
  id: string;
  org: string;
  path: string;
}

const maxDnsNameLength = 253;
const dnsLabelPattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const principalNamePattern = /^[A-Za-z0-9._+-]{1,64}$/;
const actionPattern = /^[A-Za-z0-9._:-]{1,128}$/;
// No whitespace and no control, format, private-use or unassigned code points.
const resourcePathPattern = /^[^\s\p{C}]{1,512}$/u;
const maxQuotedValueLength = 80;

/**
 * Returns whether `value` is a DNS name: dot-separated labels of 1-63
 * letters, digits and inner hyphens, at most 253 characters in all.
 * Letters may be of either case. A single label such as `localhost` counts.
 */
export function isDnsName(value: string): boolean {
  if (value.length === 0 || value.length > maxDnsNameLength) {
    return false;
  }

  return value
    .toLowerCase()
    .split('.')
    .every((label) => dnsLabelPattern.test(label));
}

/**
 * Parses an organisation name, which must be a DNS name, and lowercases it.
 * Throws InvalidArgumentError naming `field` when it is not a DNS name.
 */
export function parseOrg(value: string, field: string): string {
  if (typeof value !== 'string' || !isDnsName(value)) {
    throw new InvalidArgumentError(field, `must be a DNS name such as orga.example, got ${quote(value)}`);
  }

  return value.toLowerCase();
}

/**
 * Parses a principal `name@org`. The name is 1-64 characters of
 * `A-Z a-z 0-9 . _ + -` and keeps its case. The org is a DNS name and is
 * lowercased. Throws InvalidArgumentError naming `field` when malformed.
 */
export function parsePrincipal(value: string, field = 'request.principal'): PrincipalId {
  const expected = 'must be name@org, where name is 1-64 characters of A-Z a-z 0-9 . _ + - and org is a DNS name';
  const at = typeof value === 'string' ? value.lastIndexOf('@') : -1;
  if (at < 0) {
    throw new InvalidArgumentError(field, `${expected}, got ${quote(value)}`);
  }

  const name = value.slice(0, at);
  const org = value.slice(at + 1);
  if (!principalNamePattern.test(name) || !isDnsName(org)) {
    throw new InvalidArgumentError(field, `${expected}, got ${quote(value)}`);
  }

  const canonicalOrg = org.toLowerCase();
  return { id: `${name}@${canonicalOrg}`, name, org: canonicalOrg };
}

/**
 * Parses a resource `<org>/<path>`. The org is a DNS name and is lowercased.
 * The path is 1-512 printable characters without whitespace and may contain
 * further slashes. Throws InvalidArgumentError naming `field` when malformed.
 */
export function parseResourceId(value: string, field = 'request.resource'): ResourceId {
  const expected = 'must be <org>/<path>, where org is a DNS name and path is 1-512 printable characters without whitespace';
  const slash = typeof value === 'string' ? value.indexOf('/') : -1;
  if (slash < 0) {
    throw new InvalidArgumentError(field, `${expected}, got ${quote(value)}`);
  }

  const org = value.slice(0, slash);
  const path = value.slice(slash + 1);
  if (!isDnsName(org) || !resourcePathPattern.test(path)) {
    throw new InvalidArgumentError(field, `${expected}, got ${quote(value)}`);
  }

  const canonicalOrg = org.toLowerCase();
  return { id: `${canonicalOrg}/${path}`, org: canonicalOrg, path };
}

/**
 * Validates an action name: 1-128 characters of `A-Z a-z 0-9 . _ : -`.
 * Returns it unchanged, or throws InvalidArgumentError naming `field`.
 */
export function validateAction(value: string, field = 'request.action'): string {
  if (typeof value !== 'string' || !actionPattern.test(value)) {
    throw new InvalidArgumentError(field, `must be 1-128 characters of A-Z a-z 0-9 . _ : -, got ${quote(value)}`);
  }

  return value;
}

/** Quotes a rejected value for an error message, shortened so a huge input cannot flood the log. */
function quote(value: unknown): string {
  if (typeof value !== 'string') {
    return typeof value;
  }

  const shown = value.length > maxQuotedValueLength ? `${value.slice(0, maxQuotedValueLength)}...` : value;
  return JSON.stringify(shown);
}
