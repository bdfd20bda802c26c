import { InvalidArgumentError, UnauthenticatedError } from '@sark/platform';
import type { CertificateIdentity } from '@sark/grpc';
import { readCertificateIdentity, verifyCertificateAgainstBundle } from '@sark/pki';

/** Returns the CA certificates that certificates of an org must chain to, or undefined when the org is not trusted. */
export type BundleLookup = (org: string) => Promise<string[] | undefined>;

export interface CertificateVerifierOptions {
  bundleFor: BundleLookup;
  now?: () => Date;
}

const failureCodes: Record<string, string> = {
  not_yet_valid: 'trust.certificate_expired',
  expired: 'trust.certificate_expired',
  issuer_not_valid: 'trust.certificate_expired',
};

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
    const identity = readIdentity(der);

    const bundle = await this.options.bundleFor(identity.org);
    if (!bundle) {
      throw new UnauthenticatedError('trust.org_not_trusted', `certificate ${identity.spiffeId} names org ${identity.org}, which is not trusted`);
    }

    const verification = verifyCertificateAgainstBundle(der, bundle, { now: this.now });
    if (!verification.valid) {
      const code = failureCodes[verification.reason] ?? 'trust.chain_invalid';
      throw new UnauthenticatedError(code, `certificate ${identity.spiffeId} is not valid for the trust bundle of ${identity.org}: ${verification.detail}`);
    }

    return { spiffeId: identity.spiffeId, org: identity.org, role: identity.role, dnsNames: identity.dnsNames, fingerprintSha256: identity.fingerprintSha256 };
  }
}

function readIdentity(der: Buffer): ReturnType<typeof readCertificateIdentity> {
  try {
    return readCertificateIdentity(der);
  } catch (error) {
    if (error instanceof InvalidArgumentError) {
      throw new UnauthenticatedError('trust.spiffe_id_missing', `client certificate has no SARK SPIFFE ID: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
