import { isIPv4 } from 'node:net';

import { InvalidArgumentError } from '@sark/platform';

import { isValidIpAddress } from './names.js';

const IPV6_GROUPS = 8;

/**
 * Converts an IPv4 or IPv6 address to its network-order bytes as a binary
 * string, the form node-forge expects for an iPAddress subject alternative
 * name. node-forge's own converter misreads IPv6 addresses that end in a
 * dotted IPv4 part (`::ffff:127.0.0.1`), so this one replaces it.
 *
 * @throws InvalidArgumentError naming `field` unless `address` is a valid IP address.
 */
export function ipAddressToBytes(address: string, field: string): string {
  if (!isValidIpAddress(address)) {
    const message = `must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1, got ${JSON.stringify(address)}`;
    throw new InvalidArgumentError(field, message);
  }

  const bytes = isIPv4(address) ? ipv4ToBytes(address) : ipv6ToBytes(address);

  return String.fromCharCode(...bytes);
}

function ipv4ToBytes(address: string): number[] {
  return address.split('.').map(Number);
}

function ipv6ToBytes(address: string): number[] {
  const groups = ipv6Groups(address);

  return groups.flatMap((group) => [group >> 8, group & 0xff]);
}

function ipv6Groups(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const headGroups = parseIpv6GroupList(head);
  const tailGroups = tail === undefined ? [] : parseIpv6GroupList(tail);
  const zeroCount = IPV6_GROUPS - headGroups.length - tailGroups.length;

  return [...headGroups, ...new Array<number>(zeroCount).fill(0), ...tailGroups];
}

function parseIpv6GroupList(text: string): number[] {
  if (text === '') {
    return [];
  }

  return text.split(':').flatMap((part) => {
    if (!part.includes('.')) {
      return [parseInt(part, 16)];
    }

    const [a = 0, b = 0, c = 0, d = 0] = ipv4ToBytes(part);

    return [(a << 8) | b, (c << 8) | d];
  });
}
