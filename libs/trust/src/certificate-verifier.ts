import { createHash, X509Certificate } from 'node:crypto';
import { InvalidArgumentError, UnauthenticatedError } from '@sark/platform';
import type { CertificateIdentity } from '@sark/grpc';
import { readCertificateIdentity, splitPemBundle, verifyCertificateAgainstBundle } from '@sark/pki';

/** Returns the CA certificates that certificates of an org must chain to, or undefined when the org is not trusted. */
export type BundleLookup = (org: string) => Promise<string[] | undefined>;

export interface CertificateVerifierOptions {
  bundleFor: BundleLookup;
  now?: () => Date;
  /** Verified certificates remembered per bundle; default 10,000. */
  maxCachedCertificates?: number;
}

interface CachedVerification {
  identity: CertificateIdentity;
  /** The bundle the certificate was verified against, concatenated. */
  bundleKey: string;
  notBeforeMs: number;
  notAfterMs: number;
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
  private readonly maxCached: number;
  /**
   * The last successful verification of each certificate, by SHA-256 of its
   * DER, with the bundle it was checked against. Parsing and checking X.509
   * on every call was the largest CPU cost of a cross-org request. An entry
   * is used only while the org's bundle is unchanged and the clock is inside
   * the validity of both the certificate and its issuing CA.
   */
  private readonly cache = new Map<string, CachedVerification>();

  constructor(private readonly options: CertificateVerifierOptions) {
    this.now = options.now ?? (() => new Date());
    this.maxCached = options.maxCachedCertificates ?? 10_000;
  }

  /** @throws UnauthenticatedError with the reason in its code and detail. */
  async verify(der: Buffer): Promise<CertificateIdentity> {
    const certificateKey = createHash('sha256').update(der).digest('base64');
    const cached = this.cache.get(certificateKey);
    const org = cached?.identity.org ?? readIdentity(der).org;

    const bundle = await this.options.bundleFor(org);
    const bundleKey = bundle?.join('') ?? '';
    const nowMs = this.now().getTime();
    if (bundle && cached && cached.bundleKey === bundleKey && nowMs >= cached.notBeforeMs && nowMs <= cached.notAfterMs) {
      return cached.identity;
    }

    const verified = this.verifyUncached(der, bundle);
    this.remember(certificateKey, { ...verified, bundleKey });
    return verified.identity;
  }

  private verifyUncached(der: Buffer, bundle: string[] | undefined): Omit<CachedVerification, 'bundleKey'> {
    const identity = readIdentity(der);
    if (!bundle) {
      throw new UnauthenticatedError('trust.org_not_trusted', `certificate ${identity.spiffeId} names org ${identity.org}, which is not trusted`);
    }

    const verification = verifyCertificateAgainstBundle(der, bundle, { now: this.now });
    if (!verification.valid) {
      const code = failureCodes[verification.reason] ?? 'trust.chain_invalid';
      throw new UnauthenticatedError(code, `certificate ${identity.spiffeId} is not valid for the trust bundle of ${identity.org}: ${verification.detail}`);
    }

    const { spiffeId, org, role, dnsNames, fingerprintSha256 } = identity;
    const issuerNotAfterMs = issuerNotAfter(bundle, verification.issuerFingerprintSha256);
    return {
      identity: { spiffeId, org, role, dnsNames, fingerprintSha256 },
      notBeforeMs: identity.notBefore.getTime(),
      notAfterMs: Math.min(identity.notAfter.getTime(), issuerNotAfterMs),
    };
  }

  private remember(certificateKey: string, verified: CachedVerification): void {
    this.cache.delete(certificateKey);
    if (this.cache.size >= this.maxCached) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) {
        this.cache.delete(oldest);
      }
    }
    this.cache.set(certificateKey, verified);
  }
}

/** Returns when the bundle's CA with the given fingerprint expires, in epoch milliseconds. */
function issuerNotAfter(bundle: string[], fingerprint: string): number {
  const issuer = bundle
    .flatMap((pem) => splitPemBundle(pem))
    .map((pem) => new X509Certificate(pem))
    .find((certificate) => certificate.fingerprint256 === fingerprint);
  return issuer ? Date.parse(issuer.validTo) : 0;
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
