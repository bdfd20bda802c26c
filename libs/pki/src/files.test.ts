import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { AlreadyExistsError, FailedPreconditionError, NotFoundError } from '@sark/platform';

import { createOrgCa } from './authority.js';
import { loadCertificateAuthority, writeCertificateFiles, writeOrgCaFiles } from './files.js';

const caA = createOrgCa({ org: 'orga.example' });
const caB = createOrgCa({ org: 'orgb.example' });

async function fileMode(filePath: string): Promise<number> {
  return (await stat(filePath)).mode & 0o777;
}

describe('PKI files', () => {
  let root: string;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sark-pki-files-'));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes and loads an org CA', async () => {
    const dir = path.join(root, 'ca-a', 'nested');
    const paths = await writeOrgCaFiles(dir, caA);

    assert.deepEqual(paths, { certPath: path.join(dir, 'ca.pem'), keyPath: path.join(dir, 'ca-key.pem') });
    assert.equal(await fileMode(paths.keyPath), 0o600);
    assert.equal(await fileMode(dir), 0o700);
    assert.deepEqual(await loadCertificateAuthority(dir), caA);
  });

  it('keeps an existing CA', async () => {
    const dir = path.join(root, 'ca-twice');
    await writeOrgCaFiles(dir, caA);

    await assert.rejects(writeOrgCaFiles(dir, caB), (error: unknown) => {
      assert.ok(error instanceof AlreadyExistsError);
      assert.equal(error.code, 'pki.ca_exists');
      assert.equal(
        error.message,
        `${path.join(dir, 'ca-key.pem')} and ${path.join(dir, 'ca.pem')} already exist; remove them first only if no certificate issued by that CA is still in use`,
      );
      return true;
    });
    assert.equal(await readFile(path.join(dir, 'ca.pem'), 'utf8'), caA.certPem);
  });

  it('reports a missing CA', async () => {
    const dir = path.join(root, 'empty');

    await assert.rejects(loadCertificateAuthority(dir), (error: unknown) => {
      assert.ok(error instanceof NotFoundError);
      assert.equal(error.code, 'pki.ca_not_found');
      assert.equal(error.message, `the CA certificate ${path.join(dir, 'ca.pem')} was not found`);
      return true;
    });
  });

  it('reports a CA key of another CA', async () => {
    const dir = path.join(root, 'mixed');
    await writeOrgCaFiles(dir, { ...caA, keyPem: caB.keyPem });

    await assert.rejects(loadCertificateAuthority(dir), (error: unknown) => {
      assert.ok(error instanceof FailedPreconditionError);
      assert.equal(error.code, 'pki.ca_invalid');
      assert.equal(error.message, `the CA in ${dir} is unusable: ${path.join(dir, 'ca-key.pem')}: is not the private key of ${path.join(dir, 'ca.pem')}`);
      return true;
    });
  });

  it('writes certificate files once', async () => {
    const dir = path.join(root, 'leaves');
    const paths = await writeCertificateFiles({ dir, base: 'trust', certPem: 'CERT-1', keyPem: 'KEY-1' });

    assert.deepEqual(paths, { certPath: path.join(dir, 'trust.pem'), keyPath: path.join(dir, 'trust-key.pem') });
    assert.equal(await fileMode(paths.keyPath), 0o600);
    await assert.rejects(writeCertificateFiles({ dir, base: 'trust', certPem: 'CERT-2', keyPem: 'KEY-2' }), (error: unknown) => {
      assert.ok(error instanceof AlreadyExistsError);
      assert.equal(error.code, 'pki.certificate_exists');
      return true;
    });
    assert.equal(await readFile(paths.certPath, 'utf8'), 'CERT-1');
  });

  it('overwrites with a private key mode', async () => {
    const dir = path.join(root, 'overwrite');
    const paths = await writeCertificateFiles({ dir, base: 'audit', certPem: 'CERT-1', keyPem: 'KEY-1' });
    await chmod(paths.keyPath, 0o644);

    await writeCertificateFiles({ dir, base: 'audit', certPem: 'CERT-2', keyPem: 'KEY-2', overwrite: true });

    assert.equal(await readFile(paths.certPath, 'utf8'), 'CERT-2');
    assert.equal(await readFile(paths.keyPath, 'utf8'), 'KEY-2');
    assert.equal(await fileMode(paths.keyPath), 0o600);
    assert.deepEqual((await readdir(dir)).sort(), ['audit-key.pem', 'audit.pem']);
  });
});
