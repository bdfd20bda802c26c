import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { FailedPreconditionError, InvalidArgumentError } from '@sark/platform';

import { DEV_PKI_ROLES, ensureDevPki, type DevPki } from './dev-pki.js';
import { fingerprintSha256, readCertificateIdentity } from './inspect.js';
import { verifyCertificateAgainstBundle } from './verify.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const startedAt = new Date('2031-03-04T05:06:07Z');
const at = (offsetMs: number) => () => new Date(startedAt.getTime() + offsetMs);

async function fingerprintsOf(pki: DevPki): Promise<Record<string, string>> {
  const fingerprints: Record<string, string> = { ca: fingerprintSha256(await readFile(pki.caPath, 'utf8')) };
  for (const role of DEV_PKI_ROLES) {
    fingerprints[role] = fingerprintSha256(await readFile(pki.files[role].certPath, 'utf8'));
  }

  return fingerprints;
}

describe('ensureDevPki', () => {
  let root: string;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sark-dev-pki-'));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates a CA and a certificate per role', async () => {
    const dir = path.join(root, 'fresh');
    const pki = await ensureDevPki({ dir, org: 'orga.example', nodeId: 'sark.orga.example', now: at(0) });

    assert.equal(pki.created, true);
    assert.equal(pki.caPath, path.join(dir, 'ca.pem'));
    assert.deepEqual(pki.files['operator/admin'], { certPath: path.join(dir, 'operator-admin.pem'), keyPath: path.join(dir, 'operator-admin-key.pem') });
    assert.deepEqual((await readdir(dir)).sort(), [
      'audit-key.pem', 'audit.pem', 'auth-key.pem', 'auth.pem', 'ca-key.pem', 'ca.pem', 'discovery-key.pem', 'discovery.pem',
      'federation-key.pem', 'federation.pem', 'operator-admin-key.pem', 'operator-admin.pem', 'routing-key.pem', 'routing.pem',
      'trust-key.pem', 'trust.pem',
    ]);
  });

  it('sets key files to mode 0600', async () => {
    const pki = await ensureDevPki({ dir: path.join(root, 'modes'), org: 'orga.example', nodeId: 'sark.orga.example', now: at(0) });
    const keyPaths = [pki.caKeyPath, ...DEV_PKI_ROLES.map((role) => pki.files[role].keyPath)];

    for (const keyPath of keyPaths) {
      assert.equal((await stat(keyPath)).mode & 0o777, 0o600, keyPath);
    }
  });

  it('issues verifiable certificates with hosts', async () => {
    const pki = await ensureDevPki({ dir: path.join(root, 'content'), org: 'orga.example', nodeId: 'sark.orga.example', now: at(0) });
    const caPem = await readFile(pki.caPath, 'utf8');

    for (const role of DEV_PKI_ROLES) {
      const certPem = await readFile(pki.files[role].certPath, 'utf8');
      const keyPem = await readFile(pki.files[role].keyPath, 'utf8');
      const identity = readCertificateIdentity(certPem);
      const isOperator = role === 'operator/admin';

      assert.equal(identity.spiffeId, `spiffe://orga.example/sark/${role}`);
      assert.deepEqual(identity.dnsNames, isOperator ? [] : ['sark.orga.example', 'localhost'], role);
      assert.deepEqual(identity.ipAddresses, isOperator ? [] : ['127.0.0.1'], role);
      assert.equal(verifyCertificateAgainstBundle(certPem, [caPem], { now: at(0) }).valid, true, role);
      assert.equal(new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem)), true, role);
    }
    assert.equal(new X509Certificate(await readFile(pki.files.federation.certPath, 'utf8')).subject, 'CN=sark.orga.example\nO=orga.example');
  });

  it('reuses existing files', async () => {
    const dir = path.join(root, 'reuse');
    const first = await ensureDevPki({ dir, org: 'orga.example', nodeId: 'sark.orga.example', now: at(0) });
    const firstFingerprints = await fingerprintsOf(first);
    const firstKey = await readFile(first.files.trust.keyPath, 'utf8');

    const second = await ensureDevPki({ dir, org: 'orga.example', nodeId: 'sark.orga.example', now: at(DAY_MS) });

    assert.equal(second.created, false);
    assert.deepEqual(await fingerprintsOf(second), firstFingerprints);
    assert.equal(await readFile(second.files.trust.keyPath, 'utf8'), firstKey);
  });

  it('takes custom hosts', async () => {
    const pki = await ensureDevPki({ dir: path.join(root, 'hosts'), org: 'orga.example', nodeId: 'sark.orga.example', hosts: ['sark.local', '::1'], now: at(0) });
    const identity = readCertificateIdentity(await readFile(pki.files.routing.certPath, 'utf8'));

    assert.deepEqual(identity.dnsNames, ['sark.orga.example', 'sark.local']);
    assert.deepEqual(identity.ipAddresses, ['::1']);
  });

  it('reissues expired leaves but keeps the CA', async () => {
    const dir = path.join(root, 'expired');
    const first = await ensureDevPki({ dir, org: 'orga.example', nodeId: 'sark.orga.example', now: at(0) });
    const firstFingerprints = await fingerprintsOf(first);

    const later = await ensureDevPki({ dir, org: 'orga.example', nodeId: 'sark.orga.example', now: at(400 * DAY_MS) });
    const laterFingerprints = await fingerprintsOf(later);

    assert.equal(later.created, true);
    assert.equal(laterFingerprints.ca, firstFingerprints.ca);
    for (const role of DEV_PKI_ROLES) {
      assert.notEqual(laterFingerprints[role], firstFingerprints[role], role);
    }
    assert.equal((await stat(later.files.audit.keyPath)).mode & 0o777, 0o600);
  });

  it('reissues a leaf without the new node id', async () => {
    const dir = path.join(root, 'renamed');
    const first = await ensureDevPki({ dir, org: 'orga.example', nodeId: 'sark.orga.example', now: at(0) });
    const firstFingerprints = await fingerprintsOf(first);

    const renamed = await ensureDevPki({ dir, org: 'orga.example', nodeId: 'node2.orga.example', now: at(0) });
    const identity = readCertificateIdentity(await readFile(renamed.files.federation.certPath, 'utf8'));

    assert.equal(renamed.created, true);
    assert.deepEqual(identity.dnsNames, ['node2.orga.example', 'localhost']);
    assert.equal((await fingerprintsOf(renamed))['operator/admin'], firstFingerprints['operator/admin']);
  });

  it('rejects a directory of another org', async () => {
    const dir = path.join(root, 'other-org');
    await ensureDevPki({ dir, org: 'orga.example', nodeId: 'sark.orga.example', now: at(0) });

    await assert.rejects(ensureDevPki({ dir, org: 'orgb.example', nodeId: 'sark.orgb.example', now: at(0) }), (error: unknown) => {
      assert.ok(error instanceof FailedPreconditionError);
      assert.equal(error.code, 'pki.dev_pki_org_mismatch');
      assert.equal(error.message, `${dir} contains the CA of org orga.example, not orgb.example; use another directory or delete this one`);
      return true;
    });
  });

  it('rejects a key without its certificate', async () => {
    const dir = path.join(root, 'incomplete');
    const pki = await ensureDevPki({ dir, org: 'orga.example', nodeId: 'sark.orga.example', now: at(0) });
    await unlink(pki.files.auth.certPath);

    await assert.rejects(ensureDevPki({ dir, org: 'orga.example', nodeId: 'sark.orga.example', now: at(0) }), (error: unknown) => {
      assert.ok(error instanceof FailedPreconditionError);
      assert.equal(error.code, 'pki.dev_pki_incomplete');
      assert.equal(error.message, `${pki.files.auth.keyPath} exists but ${pki.files.auth.certPath} is missing; delete ${pki.files.auth.keyPath} to issue a new pair`);
      return true;
    });
  });

  it('replaces an unparsable certificate', async () => {
    const dir = path.join(root, 'corrupt');
    const pki = await ensureDevPki({ dir, org: 'orga.example', nodeId: 'sark.orga.example', now: at(0) });
    await writeFile(pki.files.discovery.certPath, 'garbage');

    const repaired = await ensureDevPki({ dir, org: 'orga.example', nodeId: 'sark.orga.example', now: at(0) });

    assert.equal(repaired.created, true);
    assert.equal(readCertificateIdentity(await readFile(pki.files.discovery.certPath, 'utf8')).role, 'discovery');
  });

  const badInputs: Array<[string, { org: string; nodeId: string; hosts?: string[] }, string, string]> = [
    ['bad host', { org: 'orga.example', nodeId: 'sark.orga.example', hosts: ['Bad'] }, 'hosts[0]', 'must be a lowercase DNS name or an IP address, such as localhost or 127.0.0.1, got "Bad"'],
    ['bad node id', { org: 'orga.example', nodeId: 'sark_1' }, 'nodeId', 'must be a lowercase DNS name such as sark.orga.example, got "sark_1"'],
    ['invalid org', { org: 'Orga', nodeId: 'sark.orga.example' }, 'org', 'must be a lowercase DNS name such as orga.example, got "Orga"'],
  ];

  for (const [name, options, field, message] of badInputs) {
    it(`rejects ${name}`, async () => {
      const dir = path.join(root, 'never-created');

      await assert.rejects(ensureDevPki({ dir, ...options, now: at(0) }), (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.equal(error.field, field);
        assert.equal(error.message, `${field}: ${message}`);
        return true;
      });
      await assert.rejects(stat(dir), { code: 'ENOENT' });
    });
  }
});
