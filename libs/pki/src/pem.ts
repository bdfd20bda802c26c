const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Splits text that contains PEM certificates (a trust bundle or a chain) into
 * one PEM string per certificate, in order, with LF line ends and a final
 * newline. Text outside the markers and other PEM blocks, such as keys, are skipped.
 */
export function splitPemBundle(text: string): string[] {
  return Array.from(text.matchAll(PEM_CERTIFICATE), (match) => `${match[0].replaceAll('\r\n', '\n')}\n`);
}
