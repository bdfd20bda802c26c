import { createPrivateKey } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { FailedPreconditionError, InvalidArgumentError } from '@sark/platform';

import { createOrgCa, type OrgCa } from './authority.js';
import {
  CA_CERT_FILE,
  CA_KEY_FILE,
  certificateFilePaths,
  loadCertificateAuthority,
  pathExists,
  readRequiredFile,
  writeCertificateFiles,
  writeOrgCaFiles,
  type CertificateFilePaths,
} from './files.js';
import { readCertificateIdentity, toX509Certificate } from './inspect.js';
import { ipAddressToBytes } from './ip-address.js';
import { issueCertificate } from './issue.js';
import {
  FIXED_ROLES,
  fileBaseForRole,
  isValidDnsName,
  isValidIpAddress,
  spiffeIdFor,
  validateNodeId,
  validateOrg,
  type SarkRole,
} from './names.js';
import { verifyCertificateAgainstBundle } from './verify.js';

/** The roles that get a certificate in a development PKI. */
export const DEV_PKI_ROLES = [...FIXED_ROLES, 'operator/admin'] as const;

export type DevPkiRole = (typeof DEV_PKI_ROLES)[number];

const DEFAULT_HOSTS = ['localhost', '127.0.0.1'];
const DIRECTORY_MODE = 0o700;

export interface EnsureDevPkiOptions {
  /** Directory of the PKI files; created with mode 0700 when missing. */
  dir: string;
  /** The org's DNS name, such as `orga.example`. */
  org: string;
  /** The node's DNS name, such as `sark.orga.example`. */
  nodeId: string;
  /**
   * DNS names and IP addresses added to the federation and service
   * certificates. Default `localhost` and `127.0.0.1`.
   */
  hosts?: string[];
  /** Used for new certificates and to check existing ones. Default: the current time. */
  now?: () => Date;
}

/** A development PKI on disk. */
export interface DevPki {
  /** Whether this call wrote any file. */
  created: boolean;
  dir: string;
  org: string;
  caPath: string;
  caKeyPath: string;
  /** Certificate files by role. Each certificate file contains the chain: leaf then CA. */
  files: Record<DevPkiRole, CertificateFilePaths>;
}

interface HostNames {
  dnsNames: string[];
  ipAddresses: string[];
}

/**
 * Creates or reuses a development PKI under `dir`: an org CA in `ca.pem` and
 * `ca-key.pem`, and for each role of DEV_PKI_ROLES `<file>.pem` and
 * `<file>-key.pem`, where file is the role with `/` replaced by `-`. Private
 * keys get mode 0600. The federation certificate carries the node id as DNS
 * SAN, and the federation and service certificates carry the node id and the
 * hosts. Existing files are loaded and kept. The exception is a leaf that is
 * unusable at `now` (it does not verify against the CA, its key does not
 * match, or it lacks the expected SPIFFE ID, DNS names or IP addresses), which
 * is issued again. The CA is never replaced.
 *
 * NOTE: concurrent calls on one directory can race and fail with
 * AlreadyExistsError; call this once per process start.
 *
 * @throws InvalidArgumentError for an invalid org, node id or host.
 * @throws FailedPreconditionError `pki.dev_pki_org_mismatch` when `dir`
 *   contains the CA of another org, `pki.dev_pki_incomplete` when only one
 *   file of a certificate and key pair exists, and `pki.ca_invalid` or
 *   `pki.ca_not_valid` when the stored CA is unusable.
 */
export async function ensureDevPki(options: EnsureDevPkiOptions): Promise<DevPki> {
  const org = validateOrg(options.org);
  const nodeId = validateNodeId(options.nodeId);
  const hosts = splitHosts(options.hosts ?? DEFAULT_HOSTS);
  const now = options.now ?? (() => new Date());
  await mkdir(options.dir, { recursive: true, mode: DIRECTORY_MODE });

  const { ca, created: caCreated } = await ensureCa(options.dir, org, now);
  let created = caCreated;
  const files = {} as Record<DevPkiRole, CertificateFilePaths>;
  for (const role of DEV_PKI_ROLES) {
    const names = subjectNamesFor(role, nodeId, hosts);
    const result = await ensureLeaf({ dir: options.dir, ca, role, nodeId, names, now });
    files[role] = result.paths;
    created ||= result.created;
  }

  const caPath = path.join(options.dir, CA_CERT_FILE);
  const caKeyPath = path.join(options.dir, CA_KEY_FILE);

  return { created, dir: options.dir, org, caPath, caKeyPath, files };
}

// Operators are clients only, so their certificates name no host.
function subjectNamesFor(role: DevPkiRole, nodeId: string, hosts: HostNames): HostNames {
  if (role.startsWith('operator/')) {
    return { dnsNames: [], ipAddresses: [] };
  }

  return { dnsNames: [nodeId, ...hosts.dnsNames], ipAddresses: hosts.ipAddresses };
}

function splitHosts(hosts: string[]): HostNames {
  const result: HostNames = { dnsNames: [], ipAddresses: [] };
  hosts.forEach((host, index) => {
    if (isValidIpAddress(host)) {
      result.ipAddresses.push(host);
    } else if (isValidDnsName(host)) {
      result.dnsNames.push(host);
    } else {
      throw new InvalidArgumentError(
        `hosts[${index}]`,
        `must be a lowercase DNS name or an IP address, such as localhost or 127.0.0.1, got ${JSON.stringify(host)}`,
      );
    }
  });

  return result;
}

async function ensureCa(dir: string, org: string, now: () => Date): Promise<{ ca: OrgCa; created: boolean }> {
  if (!(await pathExists(path.join(dir, CA_CERT_FILE)))) {
    const ca = createOrgCa({ org, now });
    await writeOrgCaFiles(dir, ca);
    return { ca, created: true };
  }

  const ca = await loadCertificateAuthority(dir);
  if (ca.org !== org) {
    throw new FailedPreconditionError(
      'pki.dev_pki_org_mismatch',
      `${dir} contains the CA of org ${ca.org}, not ${org}; use another directory or delete this one`,
    );
  }

  return { ca, created: false };
}

interface LeafSpec {
  dir: string;
  ca: OrgCa;
  role: SarkRole;
  nodeId: string;
  names: HostNames;
  now: () => Date;
}

async function ensureLeaf(spec: LeafSpec): Promise<{ paths: CertificateFilePaths; created: boolean }> {
  const paths = certificateFilePaths(spec.dir, fileBaseForRole(spec.role));
  const certExists = await pathExists(paths.certPath);
  const keyExists = await pathExists(paths.keyPath);
  if (certExists !== keyExists) {
    const [present, missing] = certExists ? [paths.certPath, paths.keyPath] : [paths.keyPath, paths.certPath];
    throw new FailedPreconditionError(
      'pki.dev_pki_incomplete',
      `${present} exists but ${missing} is missing; delete ${present} to issue a new pair`,
    );
  }
  if (certExists && (await isUsableLeaf(paths, spec))) {
    return { paths, created: false };
  }

  const issued = issueCertificate(spec.ca, {
    role: spec.role,
    nodeId: spec.role === 'federation' ? spec.nodeId : undefined,
    dnsNames: spec.names.dnsNames,
    ipAddresses: spec.names.ipAddresses,
    now: spec.now,
  });
  await writeCertificateFiles({
    dir: spec.dir,
    base: fileBaseForRole(spec.role),
    certPem: issued.chainPem,
    keyPem: issued.keyPem,
    overwrite: certExists,
  });

  return { paths, created: true };
}

async function isUsableLeaf(paths: CertificateFilePaths, spec: LeafSpec): Promise<boolean> {
  const certPem = await readRequiredFile(paths.certPath, 'pki.certificate_not_found', 'the certificate');
  const keyPem = await readRequiredFile(paths.keyPath, 'pki.certificate_not_found', 'the private key');

  try {
    const identity = readCertificateIdentity(certPem);
    const ipBytes = new Set(identity.ipAddresses.map((address) => ipAddressToBytes(address, 'certificate')));
    return (
      verifyCertificateAgainstBundle(certPem, [spec.ca.certPem], { now: spec.now }).valid &&
      toX509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem)) &&
      identity.spiffeId === spiffeIdFor(spec.ca.org, spec.role) &&
      spec.names.dnsNames.every((name) => identity.dnsNames.includes(name)) &&
      spec.names.ipAddresses.every((address) => ipBytes.has(ipAddressToBytes(address, 'hosts')))
    );
  } catch (error) {
    // A file that cannot be parsed is replaced like an expired one.
    if (error instanceof InvalidArgumentError || isNodeParseError(error)) {
      return false;
    }
    throw error;
  }
}

// createPrivateKey reports an unparsable key with an `ERR_OSSL_*` or `ERR_INVALID_*` code.
function isNodeParseError(error: unknown): boolean {
  return error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_');
}
