import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, it } from 'node:test';

import forge from 'node-forge';

import { InvalidArgumentError } from '@sark/platform';

import { createOrgCa } from './authority.js';

function assertInvalidArgument(action: () => unknown, field: string, message: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
    assert.equal(error.field, field);
    assert.equal(error.message, `${field}: ${message}`);
    return true;
  });
}

const clock = () => new Date('2031-03-04T05:06:07.890Z');
const DAY_MS = 24 * 60 * 60 * 1000;

describe('createOrgCa', () => {
  const ca = createOrgCa({ org: 'orga.example', now: clock });
  const x509 = new X509Certificate(ca.certPem);

  it('is a self-signed CA', () => {
    assert.equal(ca.org, 'orga.example');
    assert.equal(x509.ca, true);
    assert.equal(x509.checkIssued(x509), true);
    assert.equal(x509.verify(x509.publicKey), true);
    assert.equal(x509.subject, 'CN=orga.example SARK root CA\nO=orga.example');
    assert.equal(x509.issuer, x509.subject);
    assert.equal(x509.subjectAltName, 'URI:spiffe://orga.example');
  });

  it('has an RSA 2048 key matching keyPem', () => {
    assert.equal(x509.publicKey.asymmetricKeyType, 'rsa');
    assert.equal(x509.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(x509.checkPrivateKey(createPrivateKey(ca.keyPem)), true);
    assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('takes validity from the clock', () => {
    assert.equal(new Date(x509.validFrom).toISOString(), '2031-03-04T05:06:07.000Z');
    assert.equal(new Date(x509.validTo).getTime(), new Date('2031-03-04T05:06:07.000Z').getTime() + 3650 * DAY_MS);
  });

  it('honours validityDays', () => {
    const shortCa = createOrgCa({ org: 'orga.example', validityDays: 2, now: clock });
    const shortX509 = new X509Certificate(shortCa.certPem);

    assert.equal(new Date(shortX509.validTo).toISOString(), '2031-03-06T05:06:07.000Z');
  });

  it('sets critical CA extensions', () => {
    const certificate = forge.pki.certificateFromPem(ca.certPem);
    const basicConstraints = certificate.getExtension('basicConstraints') as { critical: boolean; cA: boolean };
    const keyUsage = certificate.getExtension('keyUsage') as Record<string, boolean>;
    const subjectKeyIdentifier = certificate.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier: string };

    assert.equal(basicConstraints.critical, true);
    assert.equal(basicConstraints.cA, true);
    assert.equal(keyUsage.critical, true);
    assert.equal(keyUsage.keyCertSign, true);
    assert.equal(keyUsage.cRLSign, true);
    assert.equal(keyUsage.digitalSignature, false);
    assert.equal(subjectKeyIdentifier.subjectKeyIdentifier, certificate.generateSubjectKeyIdentifier().toHex());
  });

  it('uses a random positive 16-byte serial', () => {
    const other = new X509Certificate(createOrgCa({ org: 'orga.example', now: clock }).certPem);

    assert.match(x509.serialNumber, /^[0-7][0-9A-F]{31}$/);
    assert.notEqual(x509.serialNumber, other.serialNumber);
  });

  const badInputs: Array<[string, Parameters<typeof createOrgCa>[0], string, string]> = [
    ['upper-case org', { org: 'OrgA.example' }, 'org', 'must be a lowercase DNS name such as orga.example, got "OrgA.example"'],
    ['empty org', { org: '' }, 'org', 'must be a lowercase DNS name such as orga.example, got ""'],
    ['org with a path', { org: 'orga.example/x' }, 'org', 'must be a lowercase DNS name such as orga.example, got "orga.example/x"'],
    ['zero validity', { org: 'orga.example', validityDays: 0 }, 'validityDays', 'must be a whole number of days from 1 to 36500, got 0'],
    ['fractional validity', { org: 'orga.example', validityDays: 1.5 }, 'validityDays', 'must be a whole number of days from 1 to 36500, got 1.5'],
    ['huge validity', { org: 'orga.example', validityDays: 36_501 }, 'validityDays', 'must be a whole number of days from 1 to 36500, got 36501'],
  ];

  for (const [name, options, field, message] of badInputs) {
    it(`rejects ${name}`, () => {
      assertInvalidArgument(() => createOrgCa(options), field, message);
    });
  }
});
