import { InvalidArgumentError } from '@sark/platform';

import type { OrgCa } from './authority.js';
import { loadCaSigner, type CaSigner } from './ca-signer.js';
import { signCertificate, subjectAltNameExtension, validateValidityDays, validityWindow } from './certificate-builder.js';
import { fingerprintSha256 } from './inspect.js';
import { generateRsaKeyPair } from './key-pair.js';
import { isValidDnsName, isValidIpAddress, spiffeIdFor, validateNodeId, validateRole, type SarkRole } from './names.js';

const DEFAULT_LEAF_VALIDITY_DAYS = 365;
const MS_PER_DAY = 24 * 60 * 60 * 1000;

export interface IssueCertificateOptions {
  /** `federation`, `discovery`, `trust`, `routing`, `auth`, `audit` or `operator/<name>`. */
  role: string;
  /** The node's DNS name. Required for `federation`. When given, it is the subject CN and the first DNS SAN. */
  nodeId?: string;
  /** Extra DNS SANs, such as `localhost`, so that clients can verify the server's host name. */
  dnsNames?: string[];
  /** IP address SANs, such as `127.0.0.1` or `::1`. */
  ipAddresses?: string[];
  /** Default 365. The certificate must expire no later than the CA certificate. */
  validityDays?: number;
  /** Start of the validity window. Default: the current time. */
  now?: () => Date;
}

/** A leaf certificate and its new key. */
export interface IssuedCertificate {
  certPem: string;
  /** PKCS#8 PEM private key of the leaf. */
  keyPem: string;
  /** The leaf then the CA certificate, the chain a TLS endpoint presents. */
  chainPem: string;
  spiffeId: string;
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

interface LeafRequest {
  role: SarkRole;
  nodeId: string | undefined;
  dnsNames: string[];
  ipAddresses: string[];
  validityDays: number;
}

/**
 * Issues a leaf certificate signed by the org CA with a new RSA 2048 key.
 * The certificate carries the URI SAN `spiffe://<org>/sark/<role>`, subject
 * `CN=<node id or role>, O=<org>`, critical basicConstraints cA=false, critical
 * keyUsage digitalSignature and keyEncipherment, extKeyUsage serverAuth and
 * clientAuth, and subject and authority key identifiers.
 *
 * @throws InvalidArgumentError naming the field: an invalid role, node id,
 *   DNS name, IP address or validity period, a missing node id for
 *   `federation`, a validity that outlasts the CA, or an unusable CA.
 * @throws FailedPreconditionError `pki.ca_not_valid` when the CA certificate
 *   is not valid at `now`.
 */
export function issueCertificate(ca: OrgCa, options: IssueCertificateOptions): IssuedCertificate {
  const request = validateLeafRequest(options);
  const now = (options.now ?? (() => new Date()))();
  const signer = loadCaSigner(ca, now);
  const window = validityWindow(now, request.validityDays);
  checkWithinCaLifetime(window, signer);

  const spiffeId = spiffeIdFor(signer.org, request.role);
  const keyPair = generateRsaKeyPair();
  const dnsNames = unique(request.nodeId === undefined ? request.dnsNames : [request.nodeId, ...request.dnsNames]);
  const certPem = signCertificate(
    {
      publicKey: keyPair.publicKey,
      subject: [
        { shortName: 'CN', value: request.nodeId ?? request.role },
        { shortName: 'O', value: signer.org },
      ],
      issuer: signer.certificate.subject.attributes,
      extensions: [
        { name: 'basicConstraints', critical: true, cA: false },
        { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
        { name: 'subjectKeyIdentifier' },
        { name: 'authorityKeyIdentifier', keyIdentifier: signer.keyIdentifier },
        subjectAltNameExtension({ uris: [spiffeId], dnsNames, ipAddresses: unique(request.ipAddresses) }),
      ],
      ...window,
    },
    signer.privateKey,
  );

  return {
    certPem,
    keyPem: keyPair.privateKeyPem,
    chainPem: certPem + normalizePem(signer.certPem),
    spiffeId,
    fingerprintSha256: fingerprintSha256(certPem),
    ...window,
  };
}

function validateLeafRequest(options: IssueCertificateOptions): LeafRequest {
  const role = validateRole(options.role);
  const nodeId = options.nodeId === undefined ? undefined : validateNodeId(options.nodeId);
  if (role === 'federation' && nodeId === undefined) {
    throw new InvalidArgumentError(
      'nodeId',
      "is required for role federation; pass the node's DNS name, such as sark.orga.example",
    );
  }

  const dnsNames = options.dnsNames ?? [];
  dnsNames.forEach((name, index) => {
    if (!isValidDnsName(name)) {
      const message = `must be a lowercase DNS name such as localhost, got ${JSON.stringify(name)}`;
      throw new InvalidArgumentError(`dnsNames[${index}]`, message);
    }
  });
  const ipAddresses = options.ipAddresses ?? [];
  ipAddresses.forEach((address, index) => {
    if (!isValidIpAddress(address)) {
      const message = `must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1, got ${JSON.stringify(address)}`;
      throw new InvalidArgumentError(`ipAddresses[${index}]`, message);
    }
  });
  const validityDays = validateValidityDays(options.validityDays ?? DEFAULT_LEAF_VALIDITY_DAYS);

  return { role, nodeId, dnsNames, ipAddresses, validityDays };
}

function checkWithinCaLifetime(window: { notBefore: Date; notAfter: Date }, signer: CaSigner): void {
  if (window.notAfter.getTime() <= signer.notAfter.getTime()) {
    return;
  }

  const maxDays = Math.floor((signer.notAfter.getTime() - window.notBefore.getTime()) / MS_PER_DAY);
  throw new InvalidArgumentError(
    'validityDays',
    `must not outlast the CA certificate, which expires at ${signer.notAfter.toISOString()}; ` +
      `use at most ${maxDays} days or create a new CA`,
  );
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function normalizePem(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}
