import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';

import { createOrgCa } from './authority.js';
import { readCertificateIdentity } from './inspect.js';
import { issueCertificate, type IssuedCertificate } from './issue.js';

// OpenSSL checks validity against the real clock, so these certificates use it too.
const caA = createOrgCa({ org: 'orga.example' });
const caC = createOrgCa({ org: 'orgc.example' });
const serverCertificate = issueCertificate(caA, { role: 'trust', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
const operatorA = issueCertificate(caA, { role: 'operator/admin' });
const federationC = issueCertificate(caC, { role: 'federation', nodeId: 'sark.orgc.example' });

interface ClientOutcome {
  connected: boolean;
  error: (Error & { code?: string }) | undefined;
}

/** Connects with `client`, reads until the server closes, and reports whether the server's greeting arrived. */
async function connect(port: number, client: IssuedCertificate, caPem: string): Promise<ClientOutcome> {
  const socket = tls.connect({ host: '127.0.0.1', port, key: client.keyPem, cert: client.chainPem, ca: [caPem] });
  const chunks: Buffer[] = [];
  let error: ClientOutcome['error'];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', (socketError: Error & { code?: string }) => {
    error = socketError;
  });

  // events.once would reject on 'error', but the error is part of the outcome.
  await new Promise((resolve) => socket.on('close', resolve));

  return { connected: Buffer.concat(chunks).toString() === 'hello', error };
}

describe('mutual TLS with issued certificates', () => {
  let server: tls.Server;
  let port: number;
  const peerSpiffeIds: string[] = [];
  const clientErrors: Error[] = [];

  before(async () => {
    server = tls.createServer({
      key: serverCertificate.keyPem,
      cert: serverCertificate.chainPem,
      ca: [caA.certPem],
      requestCert: true,
      rejectUnauthorized: true,
    });
    server.on('secureConnection', (socket) => {
      peerSpiffeIds.push(readCertificateIdentity(socket.getPeerCertificate().raw).spiffeId);
      socket.end('hello');
    });
    server.on('tlsClientError', (error) => clientErrors.push(error));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.close();
    await once(server, 'close');
  });

  it('accepts a client of the same org', async () => {
    const outcome = await connect(port, operatorA, caA.certPem);

    assert.equal(outcome.error, undefined);
    assert.equal(outcome.connected, true);
    assert.deepEqual(peerSpiffeIds, ['spiffe://orga.example/sark/operator/admin']);
  });

  it('rejects a client of another org CA', async () => {
    const errorsBefore = clientErrors.length;
    const outcome = await connect(port, federationC, caA.certPem);

    // With TLS 1.3 the client finishes its handshake first. Node then drops
    // the connection without an alert, so the client sees only the close.
    if (clientErrors.length === errorsBefore) {
      await once(server, 'tlsClientError');
    }

    assert.equal(outcome.connected, false);
    assert.equal(clientErrors.length, errorsBefore + 1);
    assert.deepEqual(peerSpiffeIds, ['spiffe://orga.example/sark/operator/admin']);
  });

  it('client rejects a server of another org CA', async () => {
    const outcome = await connect(port, federationC, caC.certPem);

    assert.equal(outcome.connected, false);
    // The server sends its CA with the chain, a root the client does not trust.
    assert.equal(outcome.error?.code, 'SELF_SIGNED_CERT_IN_CHAIN');
  });
});
