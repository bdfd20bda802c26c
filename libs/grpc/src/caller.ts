import type { Metadata } from '@grpc/grpc-js';
import { InvalidArgumentError, UnauthenticatedError } from '@sark/platform';

/** Identity proven by a client certificate that chains to its org's bundle. */
export interface CertificateIdentity {
  /** `spiffe://<org>/sark/<role>` */
  spiffeId: string;
  org: string;
  /** `federation`, a service name, or `operator/<name>`. */
  role: string;
  dnsNames: string[];
  fingerprintSha256: string;
}

/** Identity proven by an API key. */
export interface ApiKeyIdentity {
  principal: string;
  org: string;
  scopes: string[];
  keyId: string;
}

/** The authenticated caller of one RPC. At least one of the two is set. */
export interface Caller {
  certificate?: CertificateIdentity;
  apiKey?: ApiKeyIdentity;
}

export interface Credentials {
  /** DER of the client certificate, when the TLS handshake verified one. */
  certificateDer?: Buffer;
  /** API key from the `authorization: Bearer <key>` metadata. */
  apiKey?: string;
}

/**
 * Turns the credentials of a call into a caller.
 *
 * @throws UnauthenticatedError when no credential is valid.
 */
export interface CallerAuthenticator {
  authenticate(credentials: Credentials): Promise<Caller>;
}

/** Metadata key for API keys, as `Bearer <key>`. */
export const AUTHORIZATION_METADATA_KEY = 'authorization';

/** Reads the API key from `authorization: Bearer <key>`, if present. */
export function readApiKey(metadata: Metadata): string | undefined {
  const values = metadata.get(AUTHORIZATION_METADATA_KEY);
  if (values.length === 0) {
    return undefined;
  }
  if (values.length > 1) {
    throw new InvalidArgumentError(AUTHORIZATION_METADATA_KEY, 'send one authorization header, not several');
  }

  const match = /^Bearer\s+(\S+)$/i.exec(String(values[0]));
  if (!match) {
    throw new UnauthenticatedError('auth.authorization_malformed', 'authorization metadata is not "Bearer <api key>"');
  }
  return match[1];
}

/** Returns a short id of the caller for logs and audit events. */
export function describeCaller(caller: Caller): string {
  return caller.apiKey?.principal ?? caller.certificate?.spiffeId ?? 'anonymous';
}

/** Checks whether the caller presented an operator certificate of the given org. */
export function isOperator(caller: Caller, org: string): boolean {
  return caller.certificate?.org === org && caller.certificate.role.startsWith('operator/');
}
