import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@sark/platform';

export type TrustState = 'untrusted' | 'pending' | 'trusted' | 'revoked';

/** A partner org with its trust bundle. */
export interface PeerRecord {
  org: string;
  state: TrustState;
  caCertificatesPem: string[];
  fingerprintsSha256: string[];
  updatedAt: Date;
}

/** Reads and keeps the trust state of partner orgs. */
export interface TrustStore {
  /** @throws NotFoundError when no bundle is registered for the org. */
  getPeer(org: string): Promise<PeerRecord>;
  listPeers(): Promise<PeerRecord[]>;
  /** Returns the CA certificates of a TRUSTED org, or undefined for any other org. */
  trustedBundle(org: string): Promise<string[] | undefined>;
}

/** Splits a PEM file into its certificates, each checked to parse as X.509. */
export function parseBundle(text: string, source: string): string[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new InvalidArgumentError(source, 'contains no PEM certificate');
  }

  for (const block of blocks) {
    const certificate = new X509Certificate(block);
    if (!certificate.ca) {
      throw new InvalidArgumentError(source, `certificate ${certificate.subject.replace(/\n/g, ', ')} is not a CA certificate`);
    }
  }
  return blocks.map((block) => `${block}\n`);
}

/**
 * Trust store built from configuration: every org with a configured bundle
 * is TRUSTED. Bundles are kept per org and never merged.
 */
export class StaticTrustStore implements TrustStore {
  private readonly peers = new Map<string, PeerRecord>();

  constructor(bundles: Array<{ org: string; caCertificatesPem: string[] }>, now: () => Date = () => new Date()) {
    for (const bundle of bundles) {
      if (this.peers.has(bundle.org)) {
        throw new FailedPreconditionError('trust.duplicate_bundle', `trust bundle for ${bundle.org} is configured twice: merge the files into one`);
      }
      this.peers.set(bundle.org, {
        org: bundle.org,
        state: 'trusted',
        caCertificatesPem: bundle.caCertificatesPem,
        fingerprintsSha256: bundle.caCertificatesPem.map((pem) => new X509Certificate(pem).fingerprint256),
        updatedAt: now(),
      });
    }
  }

  /** Loads each org's bundle from its PEM file. */
  static fromFiles(bundles: Array<{ org: string; caFile: string }>): StaticTrustStore {
    return new StaticTrustStore(
      bundles.map((bundle) => ({ org: bundle.org, caCertificatesPem: parseBundle(readFileSync(bundle.caFile, 'utf8'), `trustBundles[${bundle.org}].caFile ${bundle.caFile}`) })),
    );
  }

  async getPeer(org: string): Promise<PeerRecord> {
    const peer = this.peers.get(org);
    if (!peer) {
      throw new NotFoundError('trust.peer_not_found', `no trust bundle is registered for org ${org}: add it to trustBundles`);
    }
    return peer;
  }

  async listPeers(): Promise<PeerRecord[]> {
    return [...this.peers.values()].sort((a, b) => a.org.localeCompare(b.org));
  }

  async trustedBundle(org: string): Promise<string[] | undefined> {
    const peer = this.peers.get(org);
    return peer?.state === 'trusted' ? peer.caCertificatesPem : undefined;
  }
}
