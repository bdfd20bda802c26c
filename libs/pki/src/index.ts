export { createOrgCa, type CreateOrgCaOptions, type OrgCa } from './authority.js';
export { ensureDevPki, DEV_PKI_ROLES, type DevPki, type DevPkiRole, type EnsureDevPkiOptions } from './dev-pki.js';
export {
  CA_CERT_FILE,
  CA_KEY_FILE,
  certificateFilePaths,
  loadCertificateAuthority,
  writeCertificateFiles,
  writeOrgCaFiles,
  type CertificateFilePaths,
  type WriteCertificateFilesOptions,
} from './files.js';
export {
  fingerprintSha256,
  readCertificateIdentity,
  readTrustDomain,
  readValidity,
  toX509Certificate,
  type CertificateIdentity,
  type CertificateInput,
} from './inspect.js';
export { issueCertificate, type IssueCertificateOptions, type IssuedCertificate } from './issue.js';
export {
  FIXED_ROLES,
  SERVICE_ROLES,
  fileBaseForRole,
  isValidDnsName,
  isValidIpAddress,
  parseSpiffeId,
  spiffeIdFor,
  trustDomainIdFor,
  validateNodeId,
  validateOrg,
  validateRole,
  type FixedRole,
  type SarkRole,
  type ServiceRole,
  type SpiffeIdParts,
} from './names.js';
export { splitPemBundle } from './pem.js';
export {
  verifyCertificateAgainstBundle,
  type CertificateVerification,
  type VerificationFailureReason,
  type VerifyCertificateOptions,
} from './verify.js';
export { parseSubjectAltName, type SubjectAltNameEntry } from './subject-alt-name.js';
