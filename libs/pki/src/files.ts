import { createPrivateKey, randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { AlreadyExistsError, FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@sark/platform';

import type { OrgCa } from './authority.js';
import { readTrustDomain, toX509Certificate } from './inspect.js';

/** File name of the org CA certificate inside a PKI directory. */
export const CA_CERT_FILE = 'ca.pem';
/** File name of the org CA private key inside a PKI directory. */
export const CA_KEY_FILE = 'ca-key.pem';

const PRIVATE_KEY_MODE = 0o600;
const CERTIFICATE_MODE = 0o644;
const DIRECTORY_MODE = 0o700;

/** Paths of a certificate file and of its private key file. */
export interface CertificateFilePaths {
  certPath: string;
  keyPath: string;
}

export interface WriteCertificateFilesOptions {
  dir: string;
  /** File base name: the files are `<base>.pem` and `<base>-key.pem`. */
  base: string;
  /** Certificate PEM, usually the chain (leaf then CA). */
  certPem: string;
  keyPem: string;
  /** Replace existing files. Default false. */
  overwrite?: boolean;
}

/** Returns the paths `<dir>/<base>.pem` and `<dir>/<base>-key.pem`. */
export function certificateFilePaths(dir: string, base: string): CertificateFilePaths {
  return { certPath: path.join(dir, `${base}.pem`), keyPath: path.join(dir, `${base}-key.pem`) };
}

/**
 * Writes a certificate to `<dir>/<base>.pem` (mode 0644) and its key to
 * `<dir>/<base>-key.pem` (mode 0600), creating `dir` with mode 0700 when it
 * is missing. The key is written first, so a certificate file never exists
 * without its key.
 *
 * @throws AlreadyExistsError `pki.certificate_exists` when either file exists
 *   and `overwrite` is not set. Nothing is written then.
 */
export async function writeCertificateFiles(options: WriteCertificateFilesOptions): Promise<CertificateFilePaths> {
  const paths = certificateFilePaths(options.dir, options.base);
  await mkdir(options.dir, { recursive: true, mode: DIRECTORY_MODE });
  if (!options.overwrite) {
    await rejectExisting([paths.keyPath, paths.certPath], 'pki.certificate_exists', 'pass overwrite: true to replace them');
  }

  await writeFileWithMode(paths.keyPath, options.keyPem, PRIVATE_KEY_MODE, options.overwrite ?? false);
  await writeFileWithMode(paths.certPath, options.certPem, CERTIFICATE_MODE, options.overwrite ?? false);

  return paths;
}

/**
 * Writes an org CA to `<dir>/ca.pem` and `<dir>/ca-key.pem` (mode 0600),
 * creating `dir` with mode 0700 when it is missing.
 *
 * @throws AlreadyExistsError `pki.ca_exists` when either file exists. An
 *   existing CA is never replaced, because every certificate it issued would
 *   stop verifying.
 */
export async function writeOrgCaFiles(dir: string, ca: OrgCa): Promise<CertificateFilePaths> {
  const paths = { certPath: path.join(dir, CA_CERT_FILE), keyPath: path.join(dir, CA_KEY_FILE) };
  await mkdir(dir, { recursive: true, mode: DIRECTORY_MODE });
  await rejectExisting(
    [paths.keyPath, paths.certPath],
    'pki.ca_exists',
    'remove them first only if no certificate issued by that CA is still in use',
  );

  await writeFileWithMode(paths.keyPath, ca.keyPem, PRIVATE_KEY_MODE, false);
  await writeFileWithMode(paths.certPath, ca.certPem, CERTIFICATE_MODE, false);

  return paths;
}

/**
 * Loads the org CA from `<dir>/ca.pem` and `<dir>/ca-key.pem`. The org is read
 * from the certificate's trust domain URI SAN `spiffe://<org>`.
 *
 * @throws NotFoundError `pki.ca_not_found` when either file is missing.
 * @throws FailedPreconditionError `pki.ca_invalid` when the certificate cannot
 *   be parsed, has no trust domain, or the key does not belong to it.
 */
export async function loadCertificateAuthority(dir: string): Promise<OrgCa> {
  const certPath = path.join(dir, CA_CERT_FILE);
  const keyPath = path.join(dir, CA_KEY_FILE);
  const certPem = await readRequiredFile(certPath, 'pki.ca_not_found', 'the CA certificate');
  const keyPem = await readRequiredFile(keyPath, 'pki.ca_not_found', 'the CA private key');

  const org = checkCaFiles(certPem, keyPem, certPath, keyPath);

  return { org, certPem, keyPem };
}

/**
 * Reads a text file.
 *
 * @throws NotFoundError with `code` when the file does not exist. Other
 *   file system errors are rethrown unchanged.
 */
export async function readRequiredFile(filePath: string, code: string, description: string): Promise<string> {
  try {
    return await readFile(filePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(code, `${description} ${filePath} was not found`, { cause: error });
    }
    throw error;
  }
}

/** Returns whether a file or directory exists at `filePath`. */
export async function pathExists(filePath: string): Promise<boolean> {
  try {
    await lstat(filePath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return false;
    }
    throw error;
  }
}

function checkCaFiles(certPem: string, keyPem: string, certPath: string, keyPath: string): string {
  try {
    const certificate = toX509Certificate(certPem, certPath);
    const org = readTrustDomain(certificate);
    if (!certificate.ca || org === undefined) {
      throw new InvalidArgumentError(certPath, 'is not a SARK org CA certificate with a URI SAN spiffe://<org>');
    }
    if (!certificate.checkPrivateKey(createPrivateKey(keyPem))) {
      throw new InvalidArgumentError(keyPath, `is not the private key of ${certPath}`);
    }
    return org;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const message = `the CA in ${path.dirname(certPath)} is unusable: ${reason}`;
    throw new FailedPreconditionError('pki.ca_invalid', message, { cause: error });
  }
}

async function rejectExisting(filePaths: string[], code: string, advice: string): Promise<void> {
  const existing: string[] = [];
  for (const filePath of filePaths) {
    if (await pathExists(filePath)) {
      existing.push(filePath);
    }
  }

  if (existing.length > 0) {
    throw new AlreadyExistsError(code, `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; ${advice}`);
  }
}

// Without `overwrite`, the 'wx' flag fails if another writer created the file
// meanwhile. With it, writing a temporary file and renaming it means readers
// never see a partly written file, and the new file gets `mode` whatever the
// old one had.
async function writeFileWithMode(filePath: string, content: string, mode: number, overwrite: boolean): Promise<void> {
  if (!overwrite) {
    await writeFile(filePath, content, { mode, flag: 'wx' });
    return;
  }

  const temporaryPath = `${filePath}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporaryPath, content, { mode, flag: 'wx' });
    await rename(temporaryPath, filePath);
  } finally {
    await rm(temporaryPath, { force: true });
  }
}
