import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, it } from 'node:test';

import forge from 'node-forge';

import { FailedPreconditionError, InvalidArgumentError } from '@sark/platform';

import { createOrgCa, type OrgCa } from './authority.js';
import { issueCertificate, type IssueCertificateOptions } from './issue.js';
import { splitPemBundle } from './pem.js';

function assertInvalidArgument(action: () => unknown, field: string, message: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
    assert.equal(error.field, field);
    assert.equal(error.message, `${field}: ${message}`);
    return true;
  });
}

const DAY_MS = 24 * 60 * 60 * 1000;
const issuedAt = new Date('2031-03-04T05:06:07.890Z');
const clock = () => issuedAt;
const caA = createOrgCa({ org: 'orga.example', now: () => new Date('2031-01-01T00:00:00Z') });
const caB = createOrgCa({ org: 'orgb.example', now: () => new Date('2031-01-01T00:00:00Z') });
const caX509 = new X509Certificate(caA.certPem);

describe('issueCertificate federation', () => {
  const issued = issueCertificate(caA, {
    role: 'federation',
    nodeId: 'sark.orga.example',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1', '::1'],
    now: clock,
  });
  const leaf = new X509Certificate(issued.certPem);

  it('verifies against the org CA', () => {
    assert.equal(leaf.checkIssued(caX509), true);
    assert.equal(leaf.verify(caX509.publicKey), true);
    assert.equal(leaf.ca, false);
  });

  it('does not verify against another CA', () => {
    const otherCa = new X509Certificate(caB.certPem);

    assert.equal(leaf.checkIssued(otherCa), false);
    assert.equal(leaf.verify(otherCa.publicKey), false);
  });

  it('carries SPIFFE ID, node id and hosts', () => {
    assert.equal(
      leaf.subjectAltName,
      'URI:spiffe://orga.example/sark/federation, DNS:sark.orga.example, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    assert.equal(issued.spiffeId, 'spiffe://orga.example/sark/federation');
    assert.equal(leaf.subject, 'CN=sark.orga.example\nO=orga.example');
    assert.equal(leaf.issuer, caX509.subject);
  });

  it('takes validity from the clock', () => {
    assert.equal(new Date(leaf.validFrom).toISOString(), '2031-03-04T05:06:07.000Z');
    assert.equal(new Date(leaf.validTo).toISOString(), new Date(Date.parse('2031-03-04T05:06:07.000Z') + 365 * DAY_MS).toISOString());
    assert.equal(issued.notBefore.toISOString(), '2031-03-04T05:06:07.000Z');
    assert.equal(issued.notAfter.toISOString(), new Date(leaf.validTo).toISOString());
  });

  it('returns key, chain and fingerprint', () => {
    const chain = splitPemBundle(issued.chainPem);

    assert.equal(leaf.checkPrivateKey(createPrivateKey(issued.keyPem)), true);
    assert.equal(chain.length, 2);
    assert.equal(issued.chainPem, chain.join(''));
    assert.doesNotMatch(issued.chainPem, /\r/);
    assert.equal(new X509Certificate(chain[0] ?? '').fingerprint256, leaf.fingerprint256);
    assert.equal(new X509Certificate(chain[1] ?? '').fingerprint256, caX509.fingerprint256);
    assert.equal(issued.fingerprintSha256, leaf.fingerprint256);
    assert.match(issued.fingerprintSha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('sets leaf extensions', () => {
    const certificate = forge.pki.certificateFromPem(issued.certPem);
    const basicConstraints = certificate.getExtension('basicConstraints') as { critical: boolean; cA: boolean };
    const keyUsage = certificate.getExtension('keyUsage') as Record<string, boolean>;
    const extKeyUsage = certificate.getExtension('extKeyUsage') as Record<string, boolean>;

    assert.equal(basicConstraints.critical, true);
    assert.equal(basicConstraints.cA, false);
    assert.equal(keyUsage.critical, true);
    assert.equal(keyUsage.digitalSignature, true);
    assert.equal(keyUsage.keyEncipherment, true);
    assert.equal(keyUsage.keyCertSign, false);
    assert.equal(extKeyUsage.serverAuth, true);
    assert.equal(extKeyUsage.clientAuth, true);
    assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  });

  it('names the CA key in authorityKeyIdentifier', () => {
    const certificate = forge.pki.certificateFromPem(issued.certPem);
    const caCertificate = forge.pki.certificateFromPem(caA.certPem);
    const authorityKeyIdentifier = certificate.getExtension('authorityKeyIdentifier') as { value: string };
    const keyIdentifier = forge.asn1.fromDer(authorityKeyIdentifier.value).value[0] as forge.asn1.Asn1;
    const caKeyIdentifier = caCertificate.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier: string };

    assert.equal(forge.util.bytesToHex(keyIdentifier.value as string), caKeyIdentifier.subjectKeyIdentifier);
  });
});

describe('issueCertificate other roles', () => {
  it('issues an operator certificate without DNS names', () => {
    const issued = issueCertificate(caA, { role: 'operator/admin', now: clock });
    const leaf = new X509Certificate(issued.certPem);

    assert.equal(leaf.subjectAltName, 'URI:spiffe://orga.example/sark/operator/admin');
    assert.equal(leaf.subject, 'CN=operator/admin\nO=orga.example');
    assert.equal(leaf.verify(caX509.publicKey), true);
  });

  it('issues a service certificate with hosts', () => {
    const issued = issueCertificate(caA, { role: 'discovery', dnsNames: ['localhost', 'localhost'], ipAddresses: ['::ffff:127.0.0.1'], now: clock });
    const leaf = new X509Certificate(issued.certPem);

    assert.equal(leaf.subjectAltName, 'URI:spiffe://orga.example/sark/discovery, DNS:localhost, IP Address:0:0:0:0:0:FFFF:7F00:1');
    assert.equal(leaf.subject, 'CN=discovery\nO=orga.example');
  });

  it('honours validityDays', () => {
    const issued = issueCertificate(caA, { role: 'audit', validityDays: 7, now: clock });

    assert.equal(issued.notAfter.toISOString(), '2031-03-11T05:06:07.000Z');
  });

  it('gives each certificate its own key and serial', () => {
    const first = new X509Certificate(issueCertificate(caA, { role: 'trust', now: clock }).certPem);
    const second = new X509Certificate(issueCertificate(caA, { role: 'trust', now: clock }).certPem);

    assert.notEqual(first.serialNumber, second.serialNumber);
    assert.notEqual(first.publicKey.export({ format: 'pem', type: 'spki' }), second.publicKey.export({ format: 'pem', type: 'spki' }));
  });
});

describe('issueCertificate bad inputs', () => {
  const roleMessage = (role: string) => `must be one of federation, discovery, trust, routing, auth, audit or operator/<name>, got ${JSON.stringify(role)}`;
  const cases: Array<[string, IssueCertificateOptions, string, string]> = [
    ['unknown role', { role: 'admin' }, 'role', roleMessage('admin')],
    ['empty role', { role: '' }, 'role', roleMessage('')],
    [
      'bad operator name',
      { role: 'operator/Bob' },
      'role',
      `operator name must be 1-63 lowercase letters, digits, '-' or '.', starting with a letter or digit, got "Bob"`,
    ],
    ['federation without node id', { role: 'federation' }, 'nodeId', "is required for role federation; pass the node's DNS name, such as sark.orga.example"],
    ['bad node id', { role: 'federation', nodeId: 'Sark.orga.example' }, 'nodeId', 'must be a lowercase DNS name such as sark.orga.example, got "Sark.orga.example"'],
    ['bad DNS name', { role: 'trust', dnsNames: ['localhost', 'bad_name'] }, 'dnsNames[1]', 'must be a lowercase DNS name such as localhost, got "bad_name"'],
    ['IP as DNS name', { role: 'trust', dnsNames: ['127.0.0.1'] }, 'dnsNames[0]', 'must be a lowercase DNS name such as localhost, got "127.0.0.1"'],
    ['bad IPv4', { role: 'trust', ipAddresses: ['300.1.1.1'] }, 'ipAddresses[0]', 'must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1, got "300.1.1.1"'],
    ['IPv6 zone', { role: 'trust', ipAddresses: ['fe80::1%eth0'] }, 'ipAddresses[0]', 'must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1, got "fe80::1%eth0"'],
    ['name as IP', { role: 'trust', ipAddresses: ['localhost'] }, 'ipAddresses[0]', 'must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1, got "localhost"'],
    ['zero days', { role: 'trust', validityDays: 0 }, 'validityDays', 'must be a whole number of days from 1 to 36500, got 0'],
    ['NaN days', { role: 'trust', validityDays: Number.NaN }, 'validityDays', 'must be a whole number of days from 1 to 36500, got NaN'],
  ];

  for (const [name, options, field, message] of cases) {
    it(`rejects ${name}`, () => {
      assertInvalidArgument(() => issueCertificate(caA, { ...options, now: clock }), field, message);
    });
  }
});

describe('issueCertificate bad CA', () => {
  const leaf = issueCertificate(caA, { role: 'trust', now: clock });
  const cases: Array<[string, OrgCa, string, string]> = [
    ['key of another CA', { ...caA, keyPem: caB.keyPem }, 'ca.keyPem', 'is not the private key of the CA certificate'],
    ['leaf as CA', { org: 'orga.example', certPem: leaf.certPem, keyPem: leaf.keyPem }, 'ca.certPem', 'is not a CA certificate because basicConstraints cA is not set'],
    ['org of another CA', { ...caA, org: 'orgb.example' }, 'ca.org', 'is "orgb.example" but the CA certificate is for "orga.example"'],
    ['invalid org', { ...caA, org: 'ORGA' }, 'ca.org', 'must be a lowercase DNS name such as orga.example, got "ORGA"'],
    ['garbage certificate', { ...caA, certPem: 'not a certificate' }, 'ca.certPem', 'is not a PEM or DER X.509 certificate'],
    ['garbage key', { ...caA, keyPem: 'not a key' }, 'ca.keyPem', 'is not a PEM private key'],
  ];

  for (const [name, ca, field, message] of cases) {
    it(`rejects ${name}`, () => {
      assertInvalidArgument(() => issueCertificate(ca, { role: 'trust', now: clock }), field, message);
    });
  }

  it('rejects a leaf that outlasts the CA', () => {
    const shortCa = createOrgCa({ org: 'orga.example', validityDays: 10, now: () => new Date('2031-03-01T05:06:07Z') });

    assertInvalidArgument(
      () => issueCertificate(shortCa, { role: 'trust', validityDays: 8, now: clock }),
      'validityDays',
      'must not outlast the CA certificate, which expires at 2031-03-11T05:06:07.000Z; use at most 7 days or create a new CA',
    );
  });

  it('rejects an expired CA', () => {
    const expiredCa = createOrgCa({ org: 'orga.example', validityDays: 1, now: () => new Date('2031-01-01T00:00:00Z') });

    assert.throws(
      () => issueCertificate(expiredCa, { role: 'trust', validityDays: 1, now: clock }),
      (error: unknown) => {
        assert.ok(error instanceof FailedPreconditionError);
        assert.equal(error.code, 'pki.ca_not_valid');
        assert.equal(
          error.message,
          'the CA certificate of orga.example is valid from 2031-01-01T00:00:00.000Z to 2031-01-02T00:00:00.000Z, not at 2031-03-04T05:06:07.890Z; create a new CA',
        );
        return true;
      },
    );
  });

  it('rejects a CA that is not yet valid', () => {
    assert.throws(
      () => issueCertificate(caA, { role: 'trust', now: () => new Date('2030-12-31T23:59:59Z') }),
      (error: unknown) => error instanceof FailedPreconditionError && error.code === 'pki.ca_not_valid',
    );
  });
});
