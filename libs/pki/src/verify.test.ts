import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import forge from 'node-forge';

import { InvalidArgumentError } from '@sark/platform';

import { createOrgCa, type OrgCa } from './authority.js';
import { signCertificate, subjectAltNameExtension, validityWindow } from './certificate-builder.js';
import { fingerprintSha256 } from './inspect.js';
import { issueCertificate } from './issue.js';
import { generateRsaKeyPair } from './key-pair.js';
import { verifyCertificateAgainstBundle } from './verify.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const caCreatedAt = new Date('2031-01-01T00:00:00Z');
const issuedAt = new Date('2031-03-04T05:06:07Z');
const at = (date: Date, offsetMs = 0) => () => new Date(date.getTime() + offsetMs);

const caB = createOrgCa({ org: 'orgb.example', now: at(caCreatedAt) });
const caC = createOrgCa({ org: 'orgc.example', now: at(caCreatedAt) });

/**
 * Signs a leaf with `ca`'s key that claims `spiffeId`, bypassing the checks
 * of issueCertificate, as a dishonest org could.
 */
function signClaimingLeaf(ca: OrgCa, spiffeId: string): string {
  const keyPair = generateRsaKeyPair();
  const caCertificate = forge.pki.certificateFromPem(ca.certPem);

  return signCertificate(
    {
      publicKey: keyPair.publicKey,
      subject: [{ shortName: 'CN', value: 'sark.orgb.example' }],
      issuer: caCertificate.subject.attributes,
      extensions: [
        { name: 'basicConstraints', critical: true, cA: false },
        { name: 'authorityKeyIdentifier', keyIdentifier: caCertificate.generateSubjectKeyIdentifier().getBytes() },
        subjectAltNameExtension({ uris: [spiffeId], dnsNames: ['sark.orgb.example'], ipAddresses: [] }),
      ],
      ...validityWindow(issuedAt, 30),
    },
    forge.pki.privateKeyFromPem(ca.keyPem),
  );
}

describe('verifyCertificateAgainstBundle', () => {
  const leafB = issueCertificate(caB, { role: 'federation', nodeId: 'sark.orgb.example', validityDays: 30, now: at(issuedAt) });

  it('accepts a leaf of the bundle CA', () => {
    assert.deepEqual(verifyCertificateAgainstBundle(leafB.certPem, [caB.certPem], { now: at(issuedAt) }), {
      valid: true,
      issuerFingerprintSha256: fingerprintSha256(caB.certPem),
    });
  });

  it('accepts a bundle of several CAs in one PEM', () => {
    const result = verifyCertificateAgainstBundle(leafB.chainPem, [caC.certPem + caB.certPem], { now: at(issuedAt, DAY_MS) });

    assert.equal(result.valid, true);
  });

  it('rejects a leaf of another org CA', () => {
    const leafC = issueCertificate(caC, { role: 'federation', nodeId: 'sark.orgc.example', now: at(issuedAt) });
    const result = verifyCertificateAgainstBundle(leafC.certPem, [caB.certPem], { now: at(issuedAt) });

    assert.deepEqual(result, {
      valid: false,
      reason: 'unknown_issuer',
      detail: 'no CA certificate in the bundle issued and signed the certificate issued by CN=orgc.example SARK root CA, O=orgc.example',
    });
  });

  it('rejects org C claiming an org B identity', () => {
    const claimingLeaf = signClaimingLeaf(caC, 'spiffe://orgb.example/sark/federation');
    const result = verifyCertificateAgainstBundle(claimingLeaf, [caB.certPem], { now: at(issuedAt) });

    assert.equal(result.valid, false);
    assert.equal(result.valid === false && result.reason, 'unknown_issuer');
  });

  it('rejects a cross-org claim in a shared bundle', () => {
    const claimingLeaf = signClaimingLeaf(caC, 'spiffe://orgb.example/sark/federation');
    const result = verifyCertificateAgainstBundle(claimingLeaf, [caB.certPem, caC.certPem], { now: at(issuedAt) });

    assert.deepEqual(result, {
      valid: false,
      reason: 'trust_domain_mismatch',
      detail: 'the CA of orgc.example issued a certificate that claims org orgb.example',
    });
  });

  it('rejects a CA that copies the bundle CA name', () => {
    const impostorCa = createOrgCa({ org: 'orgb.example', now: at(caCreatedAt) });
    const impostorLeaf = issueCertificate(impostorCa, { role: 'federation', nodeId: 'sark.orgb.example', now: at(issuedAt) });
    const result = verifyCertificateAgainstBundle(impostorLeaf.certPem, [caB.certPem], { now: at(issuedAt) });

    assert.equal(result.valid === false && result.reason, 'unknown_issuer');
  });

  it('rejects an expired leaf', () => {
    const result = verifyCertificateAgainstBundle(leafB.certPem, [caB.certPem], { now: at(issuedAt, 30 * DAY_MS + 1000) });

    assert.deepEqual(result, {
      valid: false,
      reason: 'expired',
      detail: 'the certificate expired at 2031-04-03T05:06:07.000Z, before 2031-04-03T05:06:08.000Z',
    });
  });

  it('accepts a leaf on its last second', () => {
    const result = verifyCertificateAgainstBundle(leafB.certPem, [caB.certPem], { now: at(issuedAt, 30 * DAY_MS) });

    assert.equal(result.valid, true);
  });

  it('rejects a leaf not yet valid', () => {
    const result = verifyCertificateAgainstBundle(leafB.certPem, [caB.certPem], { now: at(issuedAt, -1000) });

    assert.deepEqual(result, {
      valid: false,
      reason: 'not_yet_valid',
      detail: 'the certificate is valid from 2031-03-04T05:06:07.000Z, not yet at 2031-03-04T05:06:06.000Z',
    });
  });

  it('rejects a leaf of an expired CA', () => {
    const shortCa = createOrgCa({ org: 'orgb.example', validityDays: 2, now: at(issuedAt) });
    const leaf = issueCertificate(shortCa, { role: 'trust', validityDays: 1, now: at(issuedAt) });
    const result = verifyCertificateAgainstBundle(leaf.certPem, [shortCa.certPem], { now: at(issuedAt, 3 * DAY_MS) });

    assert.deepEqual(result, {
      valid: false,
      reason: 'issuer_not_valid',
      detail: 'the issuing CA certificate is not valid at 2031-03-07T05:06:07.000Z',
    });
  });

  it('rejects a CA certificate as leaf', () => {
    const result = verifyCertificateAgainstBundle(caB.certPem, [caB.certPem], { now: at(issuedAt) });

    assert.deepEqual(result, {
      valid: false,
      reason: 'not_a_leaf',
      detail: 'the certificate CN=orgb.example SARK root CA, O=orgb.example is a CA certificate, not a leaf',
    });
  });

  it('ignores leaves in the bundle', () => {
    const otherLeaf = issueCertificate(caB, { role: 'audit', now: at(issuedAt) });
    const result = verifyCertificateAgainstBundle(leafB.certPem, [otherLeaf.certPem], { now: at(issuedAt) });

    assert.equal(result.valid === false && result.reason, 'unknown_issuer');
  });

  it('rejects a bundle entry without certificates', () => {
    assert.throws(
      () => verifyCertificateAgainstBundle(leafB.certPem, [caB.certPem, 'not pem'], { now: at(issuedAt) }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.equal(error.field, 'bundlePems[1]');
        assert.equal(error.message, 'bundlePems[1]: contains no PEM certificate (-----BEGIN CERTIFICATE-----)');
        return true;
      },
    );
  });
});
