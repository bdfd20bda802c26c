import { X509Certificate } from 'node:crypto';

import { InvalidArgumentError } from '@sark/platform';

import { parseSpiffeId, parseTrustDomainId, type SarkRole } from './names.js';
import { parseSubjectAltName, type SubjectAltNameEntry } from './subject-alt-name.js';

/** A certificate as PEM text, DER bytes or a parsed Node certificate. */
export type CertificateInput = string | Buffer | X509Certificate;

/** The SARK identity a leaf certificate carries. */
export interface CertificateIdentity {
  spiffeId: string;
  org: string;
  role: SarkRole;
  dnsNames: string[];
  /** IPv4 in dotted decimal, IPv6 compressed and in lower case as URL hosts print it (`::1`, `::ffff:a00:1`). */
  ipAddresses: string[];
  /** SHA-256 of the DER bytes: upper-case hex pairs joined by colons, as in `X509Certificate.fingerprint256`. */
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

/**
 * Parses a certificate. PEM text with several certificates yields the first.
 *
 * @throws InvalidArgumentError named `field` when the input is not an X.509 certificate.
 */
export function toX509Certificate(certificate: CertificateInput, field = 'certificate'): X509Certificate {
  if (certificate instanceof X509Certificate) {
    return certificate;
  }

  try {
    return new X509Certificate(certificate);
  } catch (error) {
    throw new InvalidArgumentError(field, 'is not a PEM or DER X.509 certificate', { cause: error });
  }
}

/**
 * Returns the SHA-256 fingerprint of a certificate's DER bytes as upper-case
 * hex pairs joined by colons (`AB:01:...`), the format of Node's
 * `X509Certificate.fingerprint256`.
 *
 * @throws InvalidArgumentError when the input is not an X.509 certificate.
 */
export function fingerprintSha256(certificate: CertificateInput): string {
  return toX509Certificate(certificate).fingerprint256;
}

/**
 * Reads the SARK identity of a leaf certificate from its subject alternative
 * names. It checks the format only and trusts nothing: verify the certificate
 * with `verifyCertificateAgainstBundle` or a TLS handshake first.
 *
 * @throws InvalidArgumentError named `certificate` when the input is not a
 *   certificate, or does not carry exactly one URI SAN of the form
 *   `spiffe://<org>/sark/<role>`.
 */
export function readCertificateIdentity(certificate: CertificateInput): CertificateIdentity {
  const x509 = toX509Certificate(certificate);
  const entries = readSubjectAltNames(x509);
  const uris = valuesOfType(entries, 'URI');
  if (uris.length !== 1 || uris[0] === undefined) {
    const message = `must carry exactly one URI SAN spiffe://<org>/sark/<role>, found ${uris.length}`;
    throw new InvalidArgumentError('certificate', message);
  }

  const spiffeId = uris[0];
  const { org, role } = parseCertificateSpiffeId(spiffeId);

  return {
    spiffeId,
    org,
    role,
    dnsNames: valuesOfType(entries, 'DNS'),
    ipAddresses: valuesOfType(entries, 'IP Address').map(normalizeIpAddress),
    fingerprintSha256: x509.fingerprint256,
    ...readValidity(x509),
  };
}

/**
 * Returns the org named by a CA certificate's trust domain URI SAN
 * `spiffe://<org>`, or undefined when it has none.
 *
 * @throws InvalidArgumentError when the input is not a certificate.
 */
export function readTrustDomain(certificate: CertificateInput): string | undefined {
  const x509 = toX509Certificate(certificate);
  const orgs = valuesOfType(readSubjectAltNames(x509), 'URI').map(parseTrustDomainId);

  return orgs.find((org) => org !== undefined);
}

/** Returns a certificate's validity window. */
export function readValidity(certificate: CertificateInput): { notBefore: Date; notAfter: Date } {
  const x509 = toX509Certificate(certificate);

  return { notBefore: parseX509Date(x509.validFrom), notAfter: parseX509Date(x509.validTo) };
}

function readSubjectAltNames(x509: X509Certificate): SubjectAltNameEntry[] {
  try {
    return parseSubjectAltName(x509.subjectAltName);
  } catch (error) {
    throw new InvalidArgumentError('certificate', 'has a subjectAltName extension that cannot be parsed', { cause: error });
  }
}

function valuesOfType(entries: SubjectAltNameEntry[], type: string): string[] {
  return entries.filter((entry) => entry.type === type).map((entry) => entry.value);
}

// Node prints IPv6 SANs uncompressed and in upper case (`0:0:0:0:0:0:0:1`).
// The WHATWG URL parser serialises an IPv6 host compressed and in lower case.
function normalizeIpAddress(address: string): string {
  if (!address.includes(':')) {
    return address;
  }

  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

function parseCertificateSpiffeId(spiffeId: string): { org: string; role: SarkRole } {
  try {
    return parseSpiffeId(spiffeId);
  } catch (error) {
    const reason = error instanceof InvalidArgumentError ? error.message : String(error);
    throw new InvalidArgumentError('certificate', `has an invalid SPIFFE ID URI SAN (${reason})`, { cause: error });
  }
}

// Node 20 gives validity dates only as OpenSSL text, such as `Jan  2 03:04:05 2026 GMT`.
function parseX509Date(text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError('certificate', `has a validity date that cannot be parsed: ${JSON.stringify(text)}`);
  }

  return date;
}
