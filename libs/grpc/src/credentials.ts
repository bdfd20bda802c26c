import { ServerCredentials, credentials as channelCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity as checkTlsServerIdentity, type PeerCertificate } from 'node:tls';
import { parseSubjectAltName } from '@sark/pki';

export interface ServerTlsOptions {
  /** This server's certificate chain (leaf first), PEM. */
  certChainPem: string;
  keyPem: string;
  /**
   * CA certificates that client certificates may chain to. The TLS layer
   * accepts a chain to any of them. The caller authenticator then checks
   * the certificate against the bundle of the org it names, so bundles
   * never act as one merged root pool.
   */
  clientCaPems: string[];
}

/**
 * Server credentials that request a client certificate without making the
 * handshake fail when there is none or it is not trusted. Health and
 * reflection stay reachable without a client certificate, and every other
 * RPC fails with UNAUTHENTICATED in the caller authenticator, which is a
 * status a client can act on, instead of a reset connection.
 */
class ClientCertificateRequestingCredentials extends ServerCredentials {
  constructor(private readonly tls: ServerTlsOptions) {
    super(
      { requestCert: true, rejectUnauthorized: false },
      { ca: tls.clientCaPems.join('\n'), cert: tls.certChainPem, key: tls.keyPem },
    );
  }

  override _isSecure(): boolean {
    return true;
  }

  override _equals(other: ServerCredentials): boolean {
    return other instanceof ClientCertificateRequestingCredentials && other.tls === this.tls;
  }
}

export function createServerCredentials(options: ServerTlsOptions): ServerCredentials {
  return new ClientCertificateRequestingCredentials(options);
}

export interface ChannelTlsOptions {
  /** The only CA certificates the server's certificate may chain to. */
  caPems: string[];
  certChainPem: string;
  keyPem: string;
  /**
   * DNS name the server certificate must carry. Use it when the address is
   * an IP or differs from the server's name; it is also sent as SNI.
   */
  serverName?: string;
  /**
   * SPIFFE ID the server certificate must carry instead of a host name.
   * Services of one node check each other this way, so their certificates
   * need no DNS or IP entry for every address they are reached at.
   */
  serverSpiffeId?: string;
  /** Extra check of the server certificate; return an Error to reject it. */
  verifyServer?: (certificate: PeerCertificate) => Error | undefined;
}

/** Creates mutual-TLS channel credentials plus the channel options they need. */
export function createChannelCredentials(options: ChannelTlsOptions): { credentials: ChannelCredentials; channelOptions: Record<string, string> } {
  const credentials = channelCredentials.createSsl(
    Buffer.from(options.caPems.join('\n')),
    Buffer.from(options.keyPem),
    Buffer.from(options.certChainPem),
    {
      checkServerIdentity: (hostname, certificate) => {
        const identityError = options.serverSpiffeId
          ? checkSpiffeId(certificate, options.serverSpiffeId)
          : checkTlsServerIdentity(options.serverName ?? hostname, certificate);
        return identityError ?? options.verifyServer?.(certificate);
      },
    },
  );
  // With a SPIFFE ID check the name only serves as SNI, and a DNS name
  // avoids Node's warning about IP addresses as SNI.
  const serverName = options.serverName ?? (options.serverSpiffeId ? spiffeIdToServerName(options.serverSpiffeId) : undefined);
  const channelOptions: Record<string, string> = serverName ? { 'grpc.ssl_target_name_override': serverName, 'grpc.default_authority': serverName } : {};

  return { credentials, channelOptions };
}

function checkSpiffeId(certificate: PeerCertificate, expected: string): Error | undefined {
  const uris = uriSans(certificate);
  return uris.includes(expected) ? undefined : new Error(`server certificate is not ${expected}: it carries ${uris.join(', ') || 'no URI'}`);
}

/** Returns the URI entries of a certificate's subject alternative name, parsed so that a quoted name cannot pose as an entry. */
export function uriSans(certificate: PeerCertificate): string[] {
  try {
    return parseSubjectAltName(new X509Certificate(certificate.raw).subjectAltName)
      .filter((entry) => entry.type === 'URI')
      .map((entry) => entry.value);
  } catch {
    return [];
  }
}

/** Turns `spiffe://orga.example/sark/audit` into `audit.sark.orga.example`. */
function spiffeIdToServerName(spiffeId: string): string {
  const match = /^spiffe:\/\/([^/]+)\/(.+)$/.exec(spiffeId);
  return match ? `${(match[2] as string).split('/').reverse().join('.')}.${match[1]}` : 'localhost';
}
