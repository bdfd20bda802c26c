import { createPrivateKey, type KeyObject } from 'node:crypto';

import forge from 'node-forge';

import { FailedPreconditionError, InvalidArgumentError } from '@sark/platform';

import type { OrgCa } from './authority.js';
import { readTrustDomain, readValidity, toX509Certificate } from './inspect.js';
import { validateOrg } from './names.js';

/** An org CA parsed and checked, ready to sign leaf certificates. */
export interface CaSigner {
  org: string;
  certPem: string;
  certificate: forge.pki.Certificate;
  privateKey: forge.pki.rsa.PrivateKey;
  /** The CA's key identifier as a binary string, for the leaves' authorityKeyIdentifier. */
  keyIdentifier: string;
  notAfter: Date;
}

/**
 * Parses an org CA and checks that it can sign at `at`: the certificate is an
 * RSA CA certificate for `ca.org`, the key belongs to it, and it is valid at `at`.
 *
 * @throws InvalidArgumentError naming the `ca.*` field that is wrong.
 * @throws FailedPreconditionError `pki.ca_not_valid` when the CA certificate is
 *   expired or not yet valid at `at`.
 */
export function loadCaSigner(ca: OrgCa, at: Date): CaSigner {
  const org = validateOrg(ca.org, 'ca.org');
  const x509 = toX509Certificate(ca.certPem, 'ca.certPem');
  if (!x509.ca) {
    throw new InvalidArgumentError('ca.certPem', 'is not a CA certificate because basicConstraints cA is not set');
  }
  const trustDomain = readTrustDomain(x509);
  if (trustDomain !== undefined && trustDomain !== org) {
    throw new InvalidArgumentError(
      'ca.org',
      `is ${JSON.stringify(org)} but the CA certificate is for ${JSON.stringify(trustDomain)}`,
    );
  }
  if (!x509.checkPrivateKey(parsePrivateKey(ca.keyPem))) {
    throw new InvalidArgumentError('ca.keyPem', 'is not the private key of the CA certificate');
  }

  const { notBefore, notAfter } = readValidity(x509);
  if (at.getTime() < notBefore.getTime() || at.getTime() > notAfter.getTime()) {
    throw new FailedPreconditionError(
      'pki.ca_not_valid',
      `the CA certificate of ${org} is valid from ${notBefore.toISOString()} to ${notAfter.toISOString()}, ` +
        `not at ${at.toISOString()}; create a new CA`,
    );
  }

  const certificate = parseForgeCertificate(ca.certPem);
  const privateKey = parseForgePrivateKey(ca.keyPem);

  return { org, certPem: ca.certPem, certificate, privateKey, keyIdentifier: keyIdentifierOf(certificate), notAfter };
}

function parsePrivateKey(keyPem: string): KeyObject {
  try {
    return createPrivateKey(keyPem);
  } catch (error) {
    throw new InvalidArgumentError('ca.keyPem', 'is not a PEM private key', { cause: error });
  }
}

function parseForgeCertificate(certPem: string): forge.pki.Certificate {
  try {
    return forge.pki.certificateFromPem(certPem);
  } catch (error) {
    throw new InvalidArgumentError('ca.certPem', 'must be a CA certificate with an RSA key', { cause: error });
  }
}

function parseForgePrivateKey(keyPem: string): forge.pki.rsa.PrivateKey {
  try {
    return forge.pki.privateKeyFromPem(keyPem);
  } catch (error) {
    throw new InvalidArgumentError('ca.keyPem', 'must be an RSA private key in PKCS#1 or PKCS#8 PEM', { cause: error });
  }
}

// Reuse the CA's own subjectKeyIdentifier so that the leaves' authorityKeyIdentifier
// matches it even when another tool, with another key id method, made the CA.
function keyIdentifierOf(certificate: forge.pki.Certificate): string {
  const extension = certificate.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
  if (extension?.subjectKeyIdentifier !== undefined) {
    return forge.util.hexToBytes(extension.subjectKeyIdentifier);
  }

  return certificate.generateSubjectKeyIdentifier().getBytes();
}
