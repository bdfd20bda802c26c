import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureDevPki } from '@sark/pki';
import { FailedPreconditionError, type Logger, type NodeConfig } from '@sark/platform';
import { parseBundle } from '@sark/trust';

/** Certificate roles of a node's own services. */
export type NodeRole = 'federation' | 'discovery' | 'trust' | 'routing' | 'auth' | 'audit';

export interface TlsIdentity {
  /** Leaf certificate followed by its CA, PEM. */
  certChainPem: string;
  keyPem: string;
}

/** The certificates a node runs with. */
export interface NodeTls {
  /** This org's trust bundle. */
  caPems: string[];
  caPath: string;
  /** Directory with `<role>.pem` and `<role>-key.pem`. */
  certDir: string;
  /** The identities this process loaded; a single-service process loads only its own. */
  identities: Partial<Record<NodeRole, TlsIdentity>>;
}

/**
 * Returns the certificate and key of one role.
 *
 * @throws FailedPreconditionError when this process did not load that role.
 */
export function identityFor(tls: NodeTls, role: NodeRole): TlsIdentity {
  const identity = tls.identities[role];
  if (!identity) {
    throw new FailedPreconditionError('config.tls_role_not_loaded', `the certificate for role ${role} was not loaded by this process`);
  }
  return identity;
}

const ROLES: NodeRole[] = ['federation', 'discovery', 'trust', 'routing', 'auth', 'audit'];

/**
 * Loads the node's certificates from `tls.caFile` and `tls.certDir`, or, when
 * `tls` is not configured, from a development PKI under `<dataDir>/pki` that
 * is created on first use.
 *
 * @throws FailedPreconditionError naming the file that is missing or unreadable.
 */
export async function loadNodeTls(config: NodeConfig, logger: Logger, roles: readonly NodeRole[] = ROLES): Promise<NodeTls> {
  const { caPath, certDir } = config.tls ? { caPath: config.tls.caFile, certDir: config.tls.certDir } : await prepareDevPki(config, logger);

  const caPems = parseBundle(await readRequired(caPath, 'tls.caFile'), `tls.caFile ${caPath}`);
  const loaded: Partial<Record<NodeRole, TlsIdentity>> = {};
  for (const role of roles) {
    loaded[role] = {
      certChainPem: await readRequired(path.join(certDir, `${role}.pem`), 'tls.certDir'),
      keyPem: await readRequired(path.join(certDir, `${role}-key.pem`), 'tls.certDir'),
    };
  }

  return { caPems, caPath, certDir, identities: loaded };
}

async function prepareDevPki(config: NodeConfig, logger: Logger): Promise<{ caPath: string; certDir: string }> {
  const dir = path.join(config.dataDir, 'pki');
  const pki = await ensureDevPki({ dir, org: config.org, nodeId: config.nodeId, hosts: ['localhost', '127.0.0.1', config.listen.host].filter(unique) });

  logger.warn(
    { dir, created: pki.created },
    pki.created ? 'no tls configured: created a development PKI; configure tls.caFile and tls.certDir for production' : 'no tls configured: using the development PKI; configure tls.caFile and tls.certDir for production',
  );
  return { caPath: pki.caPath, certDir: dir };
}

async function readRequired(file: string, key: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new FailedPreconditionError('config.tls_file_unreadable', `${key}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
}

function unique(value: string, index: number, all: string[]): boolean {
  return all.indexOf(value) === index;
}
