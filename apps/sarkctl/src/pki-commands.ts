import { AlreadyExistsError, NotFoundError } from '@sark/platform';
import {
  certificateFilePaths,
  createOrgCa,
  fileBaseForRole,
  fingerprintSha256,
  issueCertificate,
  loadCertificateAuthority,
  readValidity,
  validateOrg,
  validateRole,
  writeCertificateFiles,
  writeOrgCaFiles,
  type CertificateFilePaths,
  type IssuedCertificate,
  type OrgCa,
} from '@sark/pki';

import {
  EXIT_OK,
  UsageError,
  requiredStringOption,
  stringListOption,
  stringOption,
  toUsageError,
  type CliIo,
  type Command,
  type CommandGroup,
  type OptionValues,
} from './command.js';

const FILE_BASE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const WHOLE_NUMBER = /^[0-9]+$/;

const initCommand: Command = {
  summary: 'Create the org CA (ca.pem and ca-key.pem)',
  description: [
    'Creates the self-signed CA of an org: ca.pem, the trust bundle to share with',
    'federated orgs, and ca-key.pem (mode 0600), which signs every certificate of the',
    'org. An existing CA is never replaced, because the certificates it issued would',
    'stop verifying.',
  ].join('\n'),
  options: {
    org: {
      type: 'string',
      required: true,
      valueName: '<org>',
      description: "The org's DNS name, which is its trust domain, such as orga.example.",
    },
    out: {
      type: 'string',
      required: true,
      valueName: '<dir>',
      description: 'Directory to write ca.pem and ca-key.pem to; created with mode 0700 if missing.',
    },
  },
  run: runInit,
};

const issueCommand: Command = {
  summary: 'Issue a certificate signed by the org CA',
  description: [
    'Issues a certificate with the SPIFFE ID spiffe://<org>/sark/<role> and a new RSA',
    'key, signed by the CA in --ca-dir. Writes <name>.pem (the certificate, then the CA',
    'certificate) and <name>-key.pem (mode 0600), and prints the SPIFFE ID and the',
    'SHA-256 fingerprint.',
  ].join('\n'),
  options: {
    'ca-dir': {
      type: 'string',
      required: true,
      valueName: '<dir>',
      description: 'Directory with ca.pem and ca-key.pem, as written by pki init.',
    },
    role: {
      type: 'string',
      required: true,
      valueName: '<role>',
      description: 'Role in the SPIFFE ID: federation, discovery, trust, routing, auth, audit or operator/<name>.',
    },
    'node-id': {
      type: 'string',
      valueName: '<id>',
      description: "The node's DNS name, set as subject CN and DNS name. Required for role federation.",
    },
    dns: {
      type: 'string',
      multiple: true,
      valueName: '<name>',
      description: 'Extra DNS name the certificate is valid for, such as localhost. Clients that check host names need every name a service is reached by.',
    },
    ip: {
      type: 'string',
      multiple: true,
      valueName: '<addr>',
      description: 'IP address the certificate is valid for, such as 127.0.0.1. Clients such as grpcurl need it when they connect by address.',
    },
    days: {
      type: 'string',
      valueName: '<n>',
      description: 'Validity in days, from now. Default 365; at most until the CA expires.',
    },
    out: {
      type: 'string',
      required: true,
      valueName: '<dir>',
      description: 'Directory to write the files to; created with mode 0700 if missing.',
    },
    name: {
      type: 'string',
      valueName: '<base>',
      description: 'File base name. Default: the role with / replaced by - (operator-admin).',
    },
    force: { type: 'boolean', description: 'Replace existing files of the same name.' },
  },
  run: runIssue,
};

/** The `sarkctl pki` commands. */
export const pkiCommands: CommandGroup = {
  summary: 'Manage the org CA and issue certificates for nodes, services and operators.',
  commands: { init: initCommand, issue: issueCommand },
};

async function runInit(values: OptionValues, io: CliIo): Promise<number> {
  const org = withUsageErrors(() => validateOrg(requiredStringOption(values, 'org')), { org: 'org' });
  const out = requiredStringOption(values, 'out');

  const ca = createOrgCa({ org, now: io.now });
  const paths = await rethrowAlreadyExists(
    () => writeOrgCaFiles(out, ca),
    `${out} already contains a CA (ca.pem or ca-key.pem); it is not replaced because ` +
      'the certificates it issued would stop verifying. Choose another --out directory',
  );

  const { notAfter } = readValidity(ca.certPem);
  io.stdout.write(
    [
      `org: ${org}`,
      `ca certificate: ${paths.certPath}`,
      `ca private key: ${paths.keyPath}`,
      `fingerprint sha256: ${fingerprintSha256(ca.certPem)}`,
      `not after: ${notAfter.toISOString()}`,
      '',
    ].join('\n'),
  );

  return EXIT_OK;
}

async function runIssue(values: OptionValues, io: CliIo): Promise<number> {
  const caDir = requiredStringOption(values, 'ca-dir');
  const out = requiredStringOption(values, 'out');
  const role = withUsageErrors(() => validateRole(requiredStringOption(values, 'role')), { role: 'role' });
  const base = parseFileBase(stringOption(values, 'name')) ?? fileBaseForRole(role);
  const validityDays = parseDays(stringOption(values, 'days'));

  const ca = await loadCaWithAdvice(caDir);
  const issued = withUsageErrors(
    () =>
      issueCertificate(ca, {
        role,
        nodeId: stringOption(values, 'node-id'),
        dnsNames: stringListOption(values, 'dns'),
        ipAddresses: stringListOption(values, 'ip'),
        validityDays,
        now: io.now,
      }),
    { nodeId: 'node-id', dnsNames: 'dns', ipAddresses: 'ip', validityDays: 'days' },
  );
  const paths = await writeIssuedFiles(out, base, issued, values.force === true);

  io.stdout.write(
    [
      `spiffe id: ${issued.spiffeId}`,
      `fingerprint sha256: ${issued.fingerprintSha256}`,
      `certificate: ${paths.certPath}`,
      `private key: ${paths.keyPath}`,
      `not after: ${issued.notAfter.toISOString()}`,
      '',
    ].join('\n'),
  );

  return EXIT_OK;
}

async function writeIssuedFiles(out: string, base: string, issued: IssuedCertificate, overwrite: boolean): Promise<CertificateFilePaths> {
  const expected = certificateFilePaths(out, base);

  return rethrowAlreadyExists(
    () => writeCertificateFiles({ dir: out, base, certPem: issued.chainPem, keyPem: issued.keyPem, overwrite }),
    `${expected.certPath} or ${expected.keyPath} already exists; pass --force to replace them or choose another --name`,
  );
}

function parseFileBase(name: string | undefined): string | undefined {
  if (name !== undefined && !FILE_BASE_NAME.test(name)) {
    const reason = `must be a file name of letters, digits, '.', '_' and '-' without a leading '.', got ${JSON.stringify(name)}`;
    throw new UsageError(`--name: ${reason}`);
  }

  return name;
}

function parseDays(days: string | undefined): number | undefined {
  if (days !== undefined && !WHOLE_NUMBER.test(days)) {
    throw new UsageError(`--days: must be a whole number of days such as 365, got ${JSON.stringify(days)}`);
  }

  return days === undefined ? undefined : Number(days);
}

async function loadCaWithAdvice(caDir: string): Promise<OrgCa> {
  try {
    return await loadCertificateAuthority(caDir);
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new Error(`${error.message}; pass the directory of 'sarkctl pki init' as --ca-dir`, { cause: error });
    }
    throw error;
  }
}

function withUsageErrors<T>(action: () => T, optionByField: Record<string, string>): T {
  try {
    return action();
  } catch (error) {
    throw toUsageError(error, optionByField);
  }
}

async function rethrowAlreadyExists<T>(action: () => Promise<T>, message: string): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof AlreadyExistsError) {
      throw new Error(message, { cause: error });
    }
    throw error;
  }
}
