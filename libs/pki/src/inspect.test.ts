import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';

import { InvalidArgumentError } from '@sark/platform';

import { createOrgCa } from './authority.js';
import { fingerprintSha256, readCertificateIdentity, readTrustDomain } from './inspect.js';
import { issueCertificate } from './issue.js';
import { splitPemBundle } from './pem.js';
import { parseSubjectAltName } from './subject-alt-name.js';

function assertInvalidArgument(action: () => unknown, field: string, message: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
    assert.equal(error.field, field);
    assert.equal(error.message, `${field}: ${message}`);
    return true;
  });
}

const clock = () => new Date('2031-03-04T05:06:07.890Z');
const ca = createOrgCa({ org: 'orga.example', now: clock });
const issued = issueCertificate(ca, {
  role: 'routing',
  nodeId: 'sark.orga.example',
  dnsNames: ['localhost'],
  ipAddresses: ['127.0.0.1', '::1'],
  validityDays: 30,
  now: clock,
});

describe('readCertificateIdentity', () => {
  it('reads a PEM chain', () => {
    assert.deepEqual(readCertificateIdentity(issued.chainPem), {
      spiffeId: 'spiffe://orga.example/sark/routing',
      org: 'orga.example',
      role: 'routing',
      dnsNames: ['sark.orga.example', 'localhost'],
      ipAddresses: ['127.0.0.1', '::1'],
      fingerprintSha256: issued.fingerprintSha256,
      notBefore: new Date('2031-03-04T05:06:07.000Z'),
      notAfter: new Date('2031-04-03T05:06:07.000Z'),
    });
  });

  it('reads DER bytes and X509Certificate', () => {
    const x509 = new X509Certificate(issued.certPem);

    assert.equal(readCertificateIdentity(x509.raw).spiffeId, 'spiffe://orga.example/sark/routing');
    assert.equal(readCertificateIdentity(x509).fingerprintSha256, issued.fingerprintSha256);
  });

  it('rejects a CA certificate', () => {
    assertInvalidArgument(
      () => readCertificateIdentity(ca.certPem),
      'certificate',
      'has an invalid SPIFFE ID URI SAN (spiffeId: must be spiffe://<org>/sark/<role>, got "spiffe://orga.example")',
    );
  });

  it('rejects text that is not a certificate', () => {
    assertInvalidArgument(() => readCertificateIdentity('hello'), 'certificate', 'is not a PEM or DER X.509 certificate');
  });
});

describe('readTrustDomain', () => {
  it('reads the CA org', () => {
    assert.equal(readTrustDomain(ca.certPem), 'orga.example');
  });

  it('returns undefined for a leaf', () => {
    assert.equal(readTrustDomain(issued.certPem), undefined);
  });
});

describe('fingerprintSha256', () => {
  it('matches Node for PEM and DER', () => {
    const x509 = new X509Certificate(ca.certPem);

    assert.equal(fingerprintSha256(ca.certPem), x509.fingerprint256);
    assert.equal(fingerprintSha256(x509.raw), x509.fingerprint256);
    assert.match(fingerprintSha256(ca.certPem), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('rejects garbage bytes', () => {
    assertInvalidArgument(() => fingerprintSha256(Buffer.from([1, 2, 3])), 'certificate', 'is not a PEM or DER X.509 certificate');
  });
});

describe('splitPemBundle', () => {
  it('splits a chain and skips other text', () => {
    const text = `comment line\n${issued.chainPem}${issued.keyPem}trailing`;
    const pems = splitPemBundle(text);

    assert.equal(pems.length, 2);
    assert.equal(new X509Certificate(pems[0] ?? '').fingerprint256, issued.fingerprintSha256);
    assert.equal(new X509Certificate(pems[1] ?? '').fingerprint256, fingerprintSha256(ca.certPem));
    assert.ok(pems.every((pem) => pem.startsWith('-----BEGIN CERTIFICATE-----\n') && pem.endsWith('-----END CERTIFICATE-----\n')));
  });

  it('returns nothing for text without certificates', () => {
    assert.deepEqual(splitPemBundle(issued.keyPem), []);
  });
});

describe('parseSubjectAltName', () => {
  it('parses plain entries', () => {
    assert.deepEqual(parseSubjectAltName('DNS:a.example, URI:spiffe://a.example/sark/trust, IP Address:127.0.0.1'), [
      { type: 'DNS', value: 'a.example' },
      { type: 'URI', value: 'spiffe://a.example/sark/trust' },
      { type: 'IP Address', value: '127.0.0.1' },
    ]);
  });

  it('keeps a quoted separator inside one entry', () => {
    assert.deepEqual(parseSubjectAltName('DNS:"evil.example, URI:spiffe://b.example/sark/trust", DNS:x.example'), [
      { type: 'DNS', value: 'evil.example, URI:spiffe://b.example/sark/trust' },
      { type: 'DNS', value: 'x.example' },
    ]);
  });

  it('decodes escapes in quoted values', () => {
    assert.deepEqual(parseSubjectAltName('URI:"a\\"b\\\\c"'), [{ type: 'URI', value: 'a"b\\c' }]);
  });

  it('returns nothing for no extension', () => {
    assert.deepEqual(parseSubjectAltName(undefined), []);
  });

  it('rejects malformed text', () => {
    assert.throws(() => parseSubjectAltName('DNS:"unterminated'), /unterminated quoted value/);
    assert.throws(() => parseSubjectAltName('no type here'), /no ':' after the name type/);
    assert.throws(() => parseSubjectAltName('DNS:"a"x'), /expected ', ' between entries/);
  });
});
