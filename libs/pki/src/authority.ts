import forge from 'node-forge';

import { generateRsaKeyPair } from './key-pair.js';
import { signCertificate, subjectAltNameExtension, validateValidityDays, validityWindow } from './certificate-builder.js';
import { trustDomainIdFor, validateOrg } from './names.js';

const DEFAULT_CA_VALIDITY_DAYS = 3650;

/** An org's certificate authority: the self-signed root that is the org's trust bundle, and its key. */
export interface OrgCa {
  org: string;
  certPem: string;
  /** PKCS#8 PEM private key. Keep it secret, because anyone with it can issue any identity of the org. */
  keyPem: string;
}

export interface CreateOrgCaOptions {
  /** The org's DNS name, which is its trust domain, such as `orga.example`. */
  org: string;
  /** Default 3650. */
  validityDays?: number;
  /** Start of the validity window. Default: the current time. */
  now?: () => Date;
}

/**
 * Creates a self-signed org CA with an RSA 2048 key, signed with SHA-256.
 * The certificate has subject `CN=<org> SARK root CA, O=<org>`, the URI SAN
 * `spiffe://<org>`, critical basicConstraints cA=true, critical keyUsage
 * keyCertSign and cRLSign, and a subjectKeyIdentifier.
 *
 * @throws InvalidArgumentError when `org` is not a lowercase DNS name or
 *   `validityDays` is not a whole number from 1 to 36500.
 */
export function createOrgCa(options: CreateOrgCaOptions): OrgCa {
  const org = validateOrg(options.org);
  const validityDays = validateValidityDays(options.validityDays ?? DEFAULT_CA_VALIDITY_DAYS);
  const now = options.now ?? (() => new Date());

  const keyPair = generateRsaKeyPair();
  const name: forge.pki.CertificateField[] = [
    { shortName: 'CN', value: `${org} SARK root CA` },
    { shortName: 'O', value: org },
  ];
  const certPem = signCertificate(
    {
      publicKey: keyPair.publicKey,
      subject: name,
      issuer: name,
      extensions: [
        { name: 'basicConstraints', critical: true, cA: true },
        { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
        { name: 'subjectKeyIdentifier' },
        subjectAltNameExtension({ uris: [trustDomainIdFor(org)], dnsNames: [], ipAddresses: [] }),
      ],
      ...validityWindow(now(), validityDays),
    },
    keyPair.privateKey,
  );

  return { org, certPem, keyPem: keyPair.privateKeyPem };
}
