import { UnauthenticatedError } from '@sark/platform';
import type { ApiKeyIdentity, Caller, CallerAuthenticator, Credentials } from '@sark/grpc';
import type { CertificateVerifier } from '@sark/trust';

export interface NodeAuthenticatorOptions {
  certificates: CertificateVerifier;
  /** Verifies an API key; unset means the service accepts certificates only. */
  apiKeys?: (apiKey: string) => Promise<ApiKeyIdentity>;
}

/**
 * Authenticates a caller by its client certificate, its API key, or both.
 * Every credential presented must be valid; at least one is required.
 */
export class NodeAuthenticator implements CallerAuthenticator {
  constructor(private readonly options: NodeAuthenticatorOptions) {}

  async authenticate(credentials: Credentials): Promise<Caller> {
    if (!credentials.certificateDer && !credentials.apiKey) {
      throw new UnauthenticatedError('auth.credentials_missing', 'no verified client certificate and no API key');
    }

    const caller: Caller = {};
    if (credentials.certificateDer) {
      caller.certificate = await this.options.certificates.verify(credentials.certificateDer);
    }
    if (credentials.apiKey) {
      if (!this.options.apiKeys) {
        throw new UnauthenticatedError('auth.api_key_not_accepted', 'this endpoint accepts client certificates only');
      }
      caller.apiKey = await this.options.apiKeys(credentials.apiKey);
    }
    return caller;
  }
}
