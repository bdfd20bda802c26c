import { randomBytes } from 'node:crypto';

import forge from 'node-forge';

import { InvalidArgumentError } from '@sark/platform';

import { ipAddressToBytes } from './ip-address.js';

const MS_PER_DAY = 24 * 60 * 60 * 1000;
const MAX_VALIDITY_DAYS = 36_500;
const SERIAL_NUMBER_BYTES = 16;

// GeneralName tags from RFC 5280, section 4.2.1.6.
const DNS_NAME_TAG = 2;
const URI_TAG = 6;
const IP_ADDRESS_TAG = 7;

/** The fields of a certificate to sign. Extensions use node-forge's extension objects. */
export interface CertificateSpec {
  publicKey: forge.pki.PublicKey;
  subject: forge.pki.CertificateField[];
  issuer: forge.pki.CertificateField[];
  extensions: object[];
  notBefore: Date;
  notAfter: Date;
}

/** The subject alternative names of a certificate. */
export interface SubjectAltNames {
  uris: string[];
  dnsNames: string[];
  ipAddresses: string[];
}

/** Signs `spec` with SHA-256 and a random serial number, and returns the certificate as PEM. */
export function signCertificate(spec: CertificateSpec, signingKey: forge.pki.rsa.PrivateKey): string {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = spec.publicKey;
  certificate.serialNumber = randomSerialNumberHex();
  certificate.validity.notBefore = spec.notBefore;
  certificate.validity.notAfter = spec.notAfter;
  certificate.setSubject(spec.subject);
  certificate.setIssuer(spec.issuer);
  certificate.setExtensions(spec.extensions);

  certificate.sign(signingKey, forge.md.sha256.create());

  // node-forge ends PEM lines with CRLF. Node and OpenSSL write LF.
  return forge.pki.certificateToPem(certificate).replaceAll('\r\n', '\n');
}

/**
 * Returns the validity window that starts at `now`, rounded down to the
 * second because X.509 times have no fractions, and lasts `validityDays` days.
 */
export function validityWindow(now: Date, validityDays: number): { notBefore: Date; notAfter: Date } {
  const notBeforeMs = Math.floor(now.getTime() / 1000) * 1000;

  return { notBefore: new Date(notBeforeMs), notAfter: new Date(notBeforeMs + validityDays * MS_PER_DAY) };
}

/**
 * Validates a validity period in days and returns it.
 *
 * @throws InvalidArgumentError named `validityDays` unless it is a whole number from 1 to 36500.
 */
export function validateValidityDays(validityDays: number): number {
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > MAX_VALIDITY_DAYS) {
    throw new InvalidArgumentError(
      'validityDays',
      `must be a whole number of days from 1 to ${MAX_VALIDITY_DAYS}, got ${validityDays}`,
    );
  }

  return validityDays;
}

/** Builds the subjectAltName extension. IP addresses must already be validated. */
export function subjectAltNameExtension(names: SubjectAltNames): object {
  const altNames = [
    ...names.uris.map((value) => ({ type: URI_TAG, value })),
    ...names.dnsNames.map((value) => ({ type: DNS_NAME_TAG, value })),
    ...names.ipAddresses.map((address) => ({ type: IP_ADDRESS_TAG, value: ipAddressToBytes(address, 'ipAddresses') })),
  ];

  return { name: 'subjectAltName', altNames };
}

/**
 * Returns a random positive 16-byte serial number as hex. The first byte is
 * kept in 0x01-0x7f so that the DER INTEGER is positive and minimally
 * encoded, which OpenSSL requires.
 */
function randomSerialNumberHex(): string {
  const bytes = randomBytes(SERIAL_NUMBER_BYTES);
  bytes[0] = (bytes[0] ?? 0) & 0x7f || 0x01;

  return bytes.toString('hex');
}
