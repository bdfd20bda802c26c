import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidArgumentError } from '@sark/platform';

import { fileBaseForRole, isValidDnsName, isValidIpAddress, parseSpiffeId, spiffeIdFor, validateRole } from './names.js';

function assertInvalidArgument(action: () => unknown, field: string, message: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`);
    assert.equal(error.field, field);
    assert.equal(error.message, `${field}: ${message}`);
    assert.equal(error.code, 'request.invalid_argument');
    return true;
  });
}

describe('isValidDnsName', () => {
  const cases: Array<[string, boolean]> = [
    ['orga.example', true],
    ['sark.orga.example', true],
    ['localhost', true],
    ['a-b.c0.example', true],
    ['0rg.example', true],
    [`${'a'.repeat(63)}.example`, true],
    [`${'a'.repeat(64)}.example`, false],
    [Array.from({ length: 64 }, () => 'abc').join('.'), false],
    ['', false],
    ['Orga.example', false],
    ['orga.example.', false],
    ['.orga.example', false],
    ['orga..example', false],
    ['-orga.example', false],
    ['orga-.example', false],
    ['org_a.example', false],
    ['127.0.0.1', false],
    ['host.123', false],
    ['*.orga.example', false],
    ['orga.example:443', false],
  ];

  for (const [name, expected] of cases) {
    it(`${JSON.stringify(name.length > 40 ? `${name.slice(0, 20)}...` : name)} is ${expected ? 'valid' : 'invalid'}`, () => {
      assert.equal(isValidDnsName(name), expected);
    });
  }
});

describe('isValidIpAddress', () => {
  it('accepts IPv4 and IPv6', () => {
    assert.equal(isValidIpAddress('127.0.0.1'), true);
    assert.equal(isValidIpAddress('::1'), true);
    assert.equal(isValidIpAddress('::ffff:10.0.0.1'), true);
  });

  it('rejects zones, ranges and names', () => {
    assert.equal(isValidIpAddress('fe80::1%eth0'), false);
    assert.equal(isValidIpAddress('256.0.0.1'), false);
    assert.equal(isValidIpAddress('10.0.0.0/8'), false);
    assert.equal(isValidIpAddress('localhost'), false);
  });
});

describe('spiffeIdFor', () => {
  it('builds IDs for every role', () => {
    assert.equal(spiffeIdFor('orga.example', 'federation'), 'spiffe://orga.example/sark/federation');
    assert.equal(spiffeIdFor('orga.example', 'audit'), 'spiffe://orga.example/sark/audit');
    assert.equal(spiffeIdFor('orgb.example', 'operator/alice.smith-2'), 'spiffe://orgb.example/sark/operator/alice.smith-2');
  });

  it('rejects an invalid org', () => {
    assertInvalidArgument(() => spiffeIdFor('Org A', 'trust'), 'org', 'must be a lowercase DNS name such as orga.example, got "Org A"');
  });

  it('rejects an invalid role', () => {
    assertInvalidArgument(
      () => spiffeIdFor('orga.example', 'admin'),
      'role',
      'must be one of federation, discovery, trust, routing, auth, audit or operator/<name>, got "admin"',
    );
  });
});

describe('validateRole', () => {
  const operatorNameMessage = (name: string) =>
    `operator name must be 1-63 lowercase letters, digits, '-' or '.', starting with a letter or digit, got ${JSON.stringify(name)}`;
  const cases: Array<[string, string]> = [
    ['operator/', operatorNameMessage('')],
    ['operator/Alice', operatorNameMessage('Alice')],
    ['operator/..', operatorNameMessage('..')],
    ['operator/-alice', operatorNameMessage('-alice')],
    ['operator/a/b', operatorNameMessage('a/b')],
    [`operator/${'a'.repeat(64)}`, operatorNameMessage('a'.repeat(64))],
  ];

  for (const [role, message] of cases) {
    it(`rejects ${JSON.stringify(role.slice(0, 30))}`, () => {
      assertInvalidArgument(() => validateRole(role), 'role', message);
    });
  }

  it('accepts a 63-character operator name', () => {
    const role = `operator/${'a'.repeat(63)}`;

    assert.equal(validateRole(role), role);
  });

  it('rejects a role in upper case', () => {
    assertInvalidArgument(
      () => validateRole('Trust'),
      'role',
      'must be one of federation, discovery, trust, routing, auth, audit or operator/<name>, got "Trust"',
    );
  });
});

describe('parseSpiffeId', () => {
  it('splits org and role', () => {
    assert.deepEqual(parseSpiffeId('spiffe://orga.example/sark/routing'), { org: 'orga.example', role: 'routing' });
    assert.deepEqual(parseSpiffeId('spiffe://orga.example/sark/operator/admin'), { org: 'orga.example', role: 'operator/admin' });
  });

  const shapeMessage = (uri: string) => `must be spiffe://<org>/sark/<role>, got ${JSON.stringify(uri)}`;
  const cases: Array<[string, string]> = [
    ['https://orga.example/sark/trust', shapeMessage('https://orga.example/sark/trust')],
    ['spiffe://orga.example', shapeMessage('spiffe://orga.example')],
    ['spiffe://orga.example/', shapeMessage('spiffe://orga.example/')],
    ['spiffe://orga.example/other/trust', shapeMessage('spiffe://orga.example/other/trust')],
    ['SPIFFE://orga.example/sark/trust', shapeMessage('SPIFFE://orga.example/sark/trust')],
    ['spiffe://orga.example:8443/sark/trust', 'org must be a lowercase DNS name such as orga.example, got "orga.example:8443"'],
    ['spiffe://user@orga.example/sark/trust', 'org must be a lowercase DNS name such as orga.example, got "user@orga.example"'],
    ['spiffe://ORGA.example/sark/trust', 'org must be a lowercase DNS name such as orga.example, got "ORGA.example"'],
    [
      'spiffe://orga.example/sark/trust/extra',
      'must be one of federation, discovery, trust, routing, auth, audit or operator/<name>, got "trust/extra"',
    ],
    ['spiffe://orga.example/sark/trust?x=1', 'must be one of federation, discovery, trust, routing, auth, audit or operator/<name>, got "trust?x=1"'],
    [
      'spiffe://orga.example/sark/operator/../federation',
      `operator name must be 1-63 lowercase letters, digits, '-' or '.', starting with a letter or digit, got "../federation"`,
    ],
  ];

  for (const [uri, message] of cases) {
    it(`rejects ${uri}`, () => {
      assertInvalidArgument(() => parseSpiffeId(uri), 'spiffeId', message);
    });
  }
});

describe('fileBaseForRole', () => {
  it('replaces slashes with hyphens', () => {
    assert.equal(fileBaseForRole('operator/admin'), 'operator-admin');
    assert.equal(fileBaseForRole('federation'), 'federation');
  });
});
