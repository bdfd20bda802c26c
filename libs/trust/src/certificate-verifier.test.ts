import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { UnauthenticatedError } from '@sark/platform';
import { createOrgCa, issueCertificate } from '@sark/pki';
import { CertificateVerifier } from './certificate-verifier.js';

const caB = createOrgCa({ org: 'orgb.example' });
const caC = createOrgCa({ org: 'orgc.example' });
// A CA that org C placed in its own bundle and that names orgb.example.
const rogueCaInBundleC = createOrgCa({ org: 'orgb.example' });
const bundles: Record<string, string[]> = { 'orgb.example': [caB.certPem], 'orgc.example': [caC.certPem, rogueCaInBundleC.certPem] };

function derOf(pem: string): Buffer {
  return new X509Certificate(pem).raw;
}

async function failureCode(verifier: CertificateVerifier, der: Buffer): Promise<string> {
  try {
    await verifier.verify(der);
  } catch (error) {
    assert.ok(error instanceof UnauthenticatedError, String(error));
    return error.code;
  }
  assert.fail('expected verification to fail');
}

describe('certificate verifier', () => {
  const verifier = new CertificateVerifier({ bundleFor: async (org) => bundles[org] });

  it('returns the identity of a certificate of a trusted org', async () => {
    const leaf = issueCertificate(caB, { role: 'federation', nodeId: 'sark.orgb.example' });

    const identity = await verifier.verify(derOf(leaf.certPem));

    assert.equal(identity.spiffeId, 'spiffe://orgb.example/sark/federation');
    assert.equal(identity.org, 'orgb.example');
    assert.equal(identity.role, 'federation');
    assert.deepEqual(identity.dnsNames, ['sark.orgb.example']);
    assert.equal(identity.fingerprintSha256, new X509Certificate(leaf.certPem).fingerprint256);
  });

  it('reads operator roles', async () => {
    const leaf = issueCertificate(caB, { role: 'operator/admin' });

    assert.equal((await verifier.verify(derOf(leaf.certPem))).role, 'operator/admin');
  });

  it('rejects another org claiming a trusted org', async () => {
    // Chains to org C's bundle, but names org B in its SPIFFE ID.
    const forged = issueCertificate(rogueCaInBundleC, { role: 'federation', nodeId: 'sark.orgb.example' });

    assert.equal(forged.spiffeId, 'spiffe://orgb.example/sark/federation');
    assert.equal(await failureCode(verifier, derOf(forged.certPem)), 'trust.chain_invalid');
  });

  it('rejects an org without a bundle', async () => {
    const caD = createOrgCa({ org: 'orgd.example' });
    const leaf = issueCertificate(caD, { role: 'federation', nodeId: 'sark.orgd.example' });

    assert.equal(await failureCode(verifier, derOf(leaf.certPem)), 'trust.org_not_trusted');
  });

  it('rejects a certificate outside its validity period', async () => {
    const leaf = issueCertificate(caB, { role: 'audit', validityDays: 1 });
    const later = new CertificateVerifier({ bundleFor: async (org) => bundles[org], now: () => new Date(Date.now() + 3 * 86_400_000) });

    assert.equal(await failureCode(later, derOf(leaf.certPem)), 'trust.certificate_expired');
  });

  it('rejects a certificate without a SARK SPIFFE ID', async () => {
    assert.equal(await failureCode(verifier, derOf(caB.certPem)), 'trust.spiffe_id_missing');
  });
});

describe('certificate verifier cache', () => {
  it('rejects a cached certificate once its org bundle changes', async () => {
    const current: Record<string, string[]> = { 'orgb.example': [caB.certPem] };
    const verifier = new CertificateVerifier({ bundleFor: async (org) => current[org] });
    const leaf = derOf(issueCertificate(caB, { role: 'federation', nodeId: 'sark.orgb.example' }).certPem);
    await verifier.verify(leaf);

    current['orgb.example'] = [createOrgCa({ org: 'orgb.example' }).certPem];

    assert.equal(await failureCode(verifier, leaf), 'trust.chain_invalid');
  });

  it('rejects a cached certificate once its org is no longer trusted', async () => {
    const current: Record<string, string[]> = { 'orgb.example': [caB.certPem] };
    const verifier = new CertificateVerifier({ bundleFor: async (org) => current[org] });
    const leaf = derOf(issueCertificate(caB, { role: 'federation', nodeId: 'sark.orgb.example' }).certPem);
    await verifier.verify(leaf);

    delete current['orgb.example'];

    assert.equal(await failureCode(verifier, leaf), 'trust.org_not_trusted');
  });

  it('rejects a cached certificate after it expires', async () => {
    let nowMs = Date.now();
    const verifier = new CertificateVerifier({ bundleFor: async (org) => bundles[org], now: () => new Date(nowMs) });
    const leaf = derOf(issueCertificate(caB, { role: 'audit', validityDays: 1 }).certPem);
    await verifier.verify(leaf);

    nowMs += 2 * 86_400_000;

    assert.equal(await failureCode(verifier, leaf), 'trust.certificate_expired');
  });

  it('keeps at most the configured number of entries', async () => {
    const verifier = new CertificateVerifier({ bundleFor: async (org) => bundles[org], maxCachedCertificates: 2 });
    const leaves = [1, 2, 3].map(() => derOf(issueCertificate(caB, { role: 'audit' }).certPem));

    for (const leaf of leaves) {
      assert.equal((await verifier.verify(leaf)).role, 'audit');
    }

    assert.equal((verifier as unknown as { cache: Map<string, unknown> }).cache.size, 2);
  });
});
