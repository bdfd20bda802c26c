import type { X509Certificate } from 'node:crypto';

import { InvalidArgumentError } from '@sark/platform';

import { readCertificateIdentity, readTrustDomain, readValidity, toX509Certificate, type CertificateInput } from './inspect.js';
import { splitPemBundle } from './pem.js';

/** Reason a certificate failed verification against a trust bundle. */
export type VerificationFailureReason =
  | 'not_a_leaf'
  | 'unknown_issuer'
  | 'issuer_not_valid'
  | 'not_yet_valid'
  | 'expired'
  | 'trust_domain_mismatch';

export type CertificateVerification =
  | { valid: true; issuerFingerprintSha256: string }
  | { valid: false; reason: VerificationFailureReason; detail: string };

export interface VerifyCertificateOptions {
  /** The time at which both certificates must be valid. Default: the current time. */
  now?: () => Date;
}

/**
 * Verifies a leaf certificate against trust bundles of CA certificates. The
 * leaf is valid when all of these hold:
 * - it is not itself a CA;
 * - a CA certificate of the bundles issued it (`checkIssued`) and signed it (`verify`);
 * - both certificates are inside their validity windows at `now`;
 * - when that CA carries a trust domain URI SAN `spiffe://<org>`, the leaf's
 *   SPIFFE ID names the same org. This stops one org's CA in a shared bundle
 *   from issuing another org's identities.
 * Revocation is not checked.
 *
 * @param bundlePems PEM texts, each with one or more certificates. Certificates
 *   that are not CAs are ignored.
 * @throws InvalidArgumentError when the certificate cannot be parsed, or a
 *   bundle entry contains no PEM certificate or an unparsable one.
 */
export function verifyCertificateAgainstBundle(
  certificate: CertificateInput,
  bundlePems: string[],
  options: VerifyCertificateOptions = {},
): CertificateVerification {
  const leaf = toX509Certificate(certificate);
  const authorities = parseBundles(bundlePems).filter((candidate) => candidate.ca);
  const at = (options.now ?? (() => new Date()))();
  if (leaf.ca) {
    return failure('not_a_leaf', `the certificate ${oneLineName(leaf.subject)} is a CA certificate, not a leaf`);
  }

  const issuers = authorities.filter((candidate) => leaf.checkIssued(candidate) && leaf.verify(candidate.publicKey));
  if (issuers.length === 0) {
    const issuerName = oneLineName(leaf.issuer);
    return failure('unknown_issuer', `no CA certificate in the bundle issued and signed the certificate issued by ${issuerName}`);
  }

  const issuer = issuers.find((candidate) => isWithinValidity(candidate, at));
  if (issuer === undefined) {
    return failure('issuer_not_valid', `the issuing CA certificate is not valid at ${at.toISOString()}`);
  }

  const leafFailure = checkLeafValidity(leaf, at) ?? checkTrustDomain(leaf, issuer);
  if (leafFailure !== undefined) {
    return leafFailure;
  }

  return { valid: true, issuerFingerprintSha256: issuer.fingerprint256 };
}

function parseBundles(bundlePems: string[]): X509Certificate[] {
  return bundlePems.flatMap((bundlePem, index) => {
    const pems = splitPemBundle(bundlePem);
    if (pems.length === 0) {
      throw new InvalidArgumentError(`bundlePems[${index}]`, 'contains no PEM certificate (-----BEGIN CERTIFICATE-----)');
    }

    return pems.map((pem) => toX509Certificate(pem, `bundlePems[${index}]`));
  });
}

function isWithinValidity(certificate: X509Certificate, at: Date): boolean {
  const { notBefore, notAfter } = readValidity(certificate);

  return notBefore.getTime() <= at.getTime() && at.getTime() <= notAfter.getTime();
}

function checkLeafValidity(leaf: X509Certificate, at: Date): CertificateVerification | undefined {
  const { notBefore, notAfter } = readValidity(leaf);
  if (at.getTime() < notBefore.getTime()) {
    return failure('not_yet_valid', `the certificate is valid from ${notBefore.toISOString()}, not yet at ${at.toISOString()}`);
  }
  if (at.getTime() > notAfter.getTime()) {
    return failure('expired', `the certificate expired at ${notAfter.toISOString()}, before ${at.toISOString()}`);
  }

  return undefined;
}

function checkTrustDomain(leaf: X509Certificate, issuer: X509Certificate): CertificateVerification | undefined {
  const issuerOrg = readTrustDomain(issuer);
  if (issuerOrg === undefined) {
    return undefined;
  }

  let leafOrg: string;
  try {
    leafOrg = readCertificateIdentity(leaf).org;
  } catch (error) {
    const reason = error instanceof InvalidArgumentError ? error.message : String(error);
    const detail = `the CA of ${issuerOrg} issued a certificate without a valid SARK SPIFFE ID (${reason})`;
    return failure('trust_domain_mismatch', detail);
  }

  if (leafOrg !== issuerOrg) {
    return failure('trust_domain_mismatch', `the CA of ${issuerOrg} issued a certificate that claims org ${leafOrg}`);
  }

  return undefined;
}

// Node prints distinguished names with one attribute per line.
function oneLineName(name: string): string {
  return name.split('\n').join(', ');
}

function failure(reason: VerificationFailureReason, detail: string): CertificateVerification {
  return { valid: false, reason, detail };
}
