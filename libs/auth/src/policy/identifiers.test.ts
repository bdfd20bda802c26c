import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '@sark/platform';
import { isDnsName, parseOrg, parsePrincipal, parseResourceId, validateAction } from './identifiers.js';

describe('parsePrincipal', () => {
  it('splits name and org', () => {
    assert.deepEqual(parsePrincipal('alice@orga.example'), { id: 'alice@orga.example', name: 'alice', org: 'orga.example' });
  });

  it('lowercases the org and keeps the name', () => {
    assert.deepEqual(parsePrincipal('Alice.B+ops@OrgA.Example'), { id: 'Alice.B+ops@orga.example', name: 'Alice.B+ops', org: 'orga.example' });
  });

  it('accepts a 64-character name', () => {
    const name = 'a'.repeat(64);
    assert.equal(parsePrincipal(`${name}@orga.example`).name, name);
  });

  const invalid = [
    ['no at sign', 'alice'],
    ['empty name', '@orga.example'],
    ['empty org', 'alice@'],
    ['65-character name', `${'a'.repeat(65)}@orga.example`],
    ['space in name', 'al ice@orga.example'],
    ['two at signs', 'a@b@orga.example'],
    ['label starting with hyphen', 'alice@-orga.example'],
    ['empty label', 'alice@orga..example'],
    ['underscore in org', 'alice@org_a.example'],
  ];
  for (const [label, value] of invalid) {
    it(`rejects ${label}`, () => {
      assert.throws(
        () => parsePrincipal(value as string),
        (error: unknown) => error instanceof InvalidArgumentError && error.field === 'request.principal',
      );
    });
  }

  it('names a custom field', () => {
    assert.throws(
      () => parsePrincipal('nope', 'key.principal'),
      (error: unknown) => error instanceof InvalidArgumentError && error.field === 'key.principal' && error.message.startsWith('key.principal: must be name@org'),
    );
  });

  it('quotes the rejected value', () => {
    assert.throws(() => parsePrincipal('bad value'), { message: /got "bad value"$/ });
  });
});

describe('parseResourceId', () => {
  it('splits org and path at the first slash', () => {
    assert.deepEqual(parseResourceId('orgb.example/reports/q3'), { id: 'orgb.example/reports/q3', org: 'orgb.example', path: 'reports/q3' });
  });

  it('lowercases the org and keeps the path', () => {
    assert.deepEqual(parseResourceId('OrgB.example/Reports/Q3'), { id: 'orgb.example/Reports/Q3', org: 'orgb.example', path: 'Reports/Q3' });
  });

  it('accepts non-ASCII printable paths', () => {
    assert.equal(parseResourceId('orgb.example/berichte/übersicht').path, 'berichte/übersicht');
  });

  it('accepts a 512-character path', () => {
    assert.equal(parseResourceId(`orgb.example/${'p'.repeat(512)}`).path.length, 512);
  });

  const invalid = [
    ['no slash', 'orgb.example'],
    ['empty path', 'orgb.example/'],
    ['empty org', '/reports'],
    ['513-character path', `orgb.example/${'p'.repeat(513)}`],
    ['space in path', 'orgb.example/q3 report'],
    ['tab in path', 'orgb.example/q3\treport'],
    ['control character in path', 'orgb.example/q3\u0000'],
    ['invalid org', 'orgb_example/reports'],
  ];
  for (const [label, value] of invalid) {
    it(`rejects ${label}`, () => {
      assert.throws(
        () => parseResourceId(value as string),
        (error: unknown) => error instanceof InvalidArgumentError && error.field === 'request.resource',
      );
    });
  }
});

describe('validateAction', () => {
  it('accepts names with dots, colons and dashes', () => {
    assert.equal(validateAction('reports:read-all.v2_x'), 'reports:read-all.v2_x');
  });

  it('accepts 128 characters', () => {
    assert.equal(validateAction('a'.repeat(128)), 'a'.repeat(128));
  });

  for (const value of ['', 'a'.repeat(129), 'read all', 'read/all', 'read"']) {
    it(`rejects ${JSON.stringify(value.slice(0, 20))}`, () => {
      assert.throws(
        () => validateAction(value),
        (error: unknown) => error instanceof InvalidArgumentError && error.field === 'request.action',
      );
    });
  }
});

describe('isDnsName', () => {
  it('accepts single and multiple labels', () => {
    assert.equal(isDnsName('localhost'), true);
    assert.equal(isDnsName('a-b.orga.example'), true);
  });

  it('rejects names over 253 characters', () => {
    const name = Array.from({ length: 64 }, () => 'abc').join('.');
    assert.equal(name.length, 255);
    assert.equal(isDnsName(name), false);
  });

  it('rejects labels over 63 characters', () => {
    assert.equal(isDnsName(`${'a'.repeat(64)}.example`), false);
    assert.equal(isDnsName(`${'a'.repeat(63)}.example`), true);
  });

  it('rejects a trailing hyphen and a trailing dot', () => {
    assert.equal(isDnsName('orga-.example'), false);
    assert.equal(isDnsName('orga.example.'), false);
  });
});

describe('parseOrg', () => {
  it('lowercases the name', () => {
    assert.equal(parseOrg('OrgA.Example', 'request.source_org'), 'orga.example');
  });

  it('names the field on error', () => {
    assert.throws(
      () => parseOrg('org a', 'request.source_org'),
      (error: unknown) => error instanceof InvalidArgumentError && error.field === 'request.source_org',
    );
  });
});
