import { X509Certificate } from 'node:crypto';
import { UnauthenticatedError } from '@sark/platform';
import type { CertificateIdentity } from '@sark/grpc';

const spiffePattern = /^spiffe:\/\/([a-z0-9.-]+)\/sark\/((?:operator\/)?[a-z0-9.-]+)$/;

/** Returns the CA certificates that certificates of an org must chain to, or undefined when the org is not trusted. */
export type BundleLookup = (org: string) => Promise<string[] | undefined>;

export interface CertificateVerifierOptions {
  bundleFor: BundleLookup;
  now?: () => Date;
}

/**
 * Verifies a client certificate against the bundle of the org that its
 * SPIFFE ID names, and only that bundle. A certificate that chains to org
 * C's bundle never authenticates as org B, even when it claims a
 * `spiffe://orgb.example/...` ID.
 */
export class CertificateVerifier {
  private readonly now: () => Date;

  constructor(private readonly options: CertificateVerifierOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** @throws UnauthenticatedError with the reason in its code and detail. */
  async verify(der: Buffer): Promise<CertificateIdentity> {
    const certificate = new X509Certificate(der);
    const { spiffeId, org, role } = readSpiffeId(certificate);

    const bundle = await this.options.bundleFor(org);
    if (!bundle) {
      throw new UnauthenticatedError('trust.org_not_trusted', `certificate ${spiffeId} names org ${org}, which is not trusted`);
    }

    const issuer = bundle.map((pem) => new X509Certificate(pem)).find((ca) => certificate.checkIssued(ca) && certificate.verify(ca.publicKey));
    if (!issuer) {
      throw new UnauthenticatedError('trust.chain_invalid', `certificate ${spiffeId} does not chain to the trust bundle of ${org}`);
    }

    this.checkValidity(certificate, spiffeId);
    this.checkValidity(issuer, `CA of ${org}`);
    return { spiffeId, org, role, dnsNames: dnsNamesOf(certificate), fingerprintSha256: certificate.fingerprint256 };
  }

  private checkValidity(certificate: X509Certificate, label: string): void {
    const now = this.now().getTime();
    if (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo)) {
      throw new UnauthenticatedError('trust.certificate_expired', `${label} is outside its validity period ${certificate.validFrom} to ${certificate.validTo}`);
    }
  }
}

function readSpiffeId(certificate: X509Certificate): { spiffeId: string; org: string; role: string } {
  const uris = sanEntries(certificate, 'URI');
  const matches = uris.map((uri) => ({ uri, match: spiffePattern.exec(uri) })).filter((entry) => entry.match);
  if (matches.length !== 1) {
    throw new UnauthenticatedError('trust.spiffe_id_missing', `certificate must carry exactly one spiffe://<org>/sark/<role> URI SAN, found ${JSON.stringify(uris)}`);
  }

  const [{ uri, match }] = matches as [{ uri: string; match: RegExpExecArray }];
  return { spiffeId: uri, org: match[1] as string, role: match[2] as string };
}

/** Reads SAN entries of one type (`DNS`, `URI`, `IP Address`) from a certificate. */
export function sanEntries(certificate: X509Certificate, type: string): string[] {
  return (certificate.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith(`${type}:`))
    .map((entry) => entry.slice(type.length + 1));
}

function dnsNamesOf(certificate: X509Certificate): string[] {
  return sanEntries(certificate, 'DNS');
}
