import { InvalidArgumentError } from '@sark/platform';

const dnsNamePattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Checks that a request field contains an org or node id, which is a lowercase DNS name. */
export function requireOrg(field: string, value: string): string {
  if (value === '') {
    throw new InvalidArgumentError(field, 'is required')
  }
  if (!dnsNamePattern.test(value)) {
    throw new InvalidArgumentError(field, `${JSON.stringify(value.slice(0, 64))} is not a lowercase DNS name such as orgb.example`);
  }
  return value;
}
