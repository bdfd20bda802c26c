import path from 'node:path';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { splitPemBundle } from '@sark/pki';

import type { ConnectionSettings, FileArgument } from './connection-options.js';

/** The PEM files a client presents and trusts, read and checked. */
export interface ClientTlsFiles {
  caPems: string[];
  certChainPem: string;
  keyPem: string;
}

/**
 * Reads `--ca`, `--cert` and `--key`, and checks that they parse and that the
 * key belongs to the first certificate of the chain. Checking here names the
 * file at fault, where a TLS library error would not.
 *
 * @throws Error naming the option and file that cannot be read or used, with what to do.
 */
export async function readClientTlsFiles(settings: ConnectionSettings): Promise<ClientTlsFiles> {
  const caText = await readTlsFile(settings.ca);
  const certChainPem = await readTlsFile(settings.cert);
  const keyPem = await readTlsFile(settings.key);

  const caPems = splitPemBundle(caText);
  if (caPems.length === 0) {
    throw new Error(`--ca ${settings.ca.path} contains no PEM certificate; pass the CA certificate of the node's org`);
  }
  caPems.forEach((pem) => parseCertificate(pem, settings.ca));

  const leaf = parseCertificate(splitPemBundle(certChainPem)[0], settings.cert);
  const key = parsePrivateKey(keyPem, settings.key);
  if (!leaf.checkPrivateKey(key)) {
    throw new Error(`--key ${settings.key.path} is not the private key of the certificate in --cert ${settings.cert.path}; pass the key file issued with it`);
  }

  return { caPems, certChainPem, keyPem };
}

async function readTlsFile(file: FileArgument): Promise<string> {
  try {
    return await readFile(file.path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    const advice = file.isDefault
      ? `start a node with npm start and run sarkctl from the repository root, or pass --${file.option}`
      : `check the path given to --${file.option}`;
    throw new Error(`cannot read --${file.option} ${path.resolve(file.path)}: ${reason} (${advice})`, { cause: error });
  }
}

function parseCertificate(pem: string | undefined, file: FileArgument): X509Certificate {
  if (pem === undefined) {
    throw new Error(`--${file.option} ${file.path} contains no PEM certificate`);
  }

  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new Error(`--${file.option} ${file.path} contains a certificate that cannot be parsed: ${(error as Error).message}`, { cause: error });
  }
}

function parsePrivateKey(pem: string, file: FileArgument): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw new Error(`--${file.option} ${file.path} is not an unencrypted PEM private key: ${(error as Error).message}`, { cause: error });
  }
}
