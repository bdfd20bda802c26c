import { generateKeyPairSync } from 'node:crypto';

import forge from 'node-forge';

const RSA_MODULUS_BITS = 2048;

/** An RSA key pair as node-forge keys, plus the private key as PKCS#8 PEM. */
export interface RsaKeyPair {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  privateKeyPem: string;
}

/**
 * Generates an RSA 2048 key pair. Node's native generator does the work
 * because node-forge's pure JavaScript generator takes seconds per key.
 */
export function generateRsaKeyPair(): RsaKeyPair {
  const { privateKey: privateKeyPem, publicKey: publicKeyPem } = generateKeyPairSync('rsa', {
    modulusLength: RSA_MODULUS_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });

  return {
    privateKey: forge.pki.privateKeyFromPem(privateKeyPem),
    publicKey: forge.pki.publicKeyFromPem(publicKeyPem),
    privateKeyPem,
  };
}
