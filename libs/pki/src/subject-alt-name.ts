/** One entry of a certificate's subject alternative name, such as `{ type: 'DNS', value: 'localhost' }`. */
export interface SubjectAltNameEntry {
  type: string;
  value: string;
}

const ENTRY_SEPARATOR = ', ';

/**
 * Parses the `subjectAltName` string of Node's `crypto.X509Certificate`, such
 * as `DNS:localhost, URI:spiffe://orga.example/sark/trust, IP Address:127.0.0.1`.
 * Node (since 17.3.1) writes a value that contains a separator or quote as a
 * JSON string literal (`DNS:"a, b"`), and this parser reads those too, so a
 * crafted name cannot pose as a second entry.
 *
 * @throws Error when the string does not follow that format.
 */
export function parseSubjectAltName(text: string | undefined): SubjectAltNameEntry[] {
  const entries: SubjectAltNameEntry[] = [];
  let position = 0;

  while (text !== undefined && position < text.length) {
    const colon = text.indexOf(':', position);
    if (colon < 0) {
      throw new Error(`malformed subjectAltName at offset ${position}: no ':' after the name type`);
    }

    const type = text.slice(position, colon);
    const { value, end } = text[colon + 1] === '"' ? readQuotedValue(text, colon + 1) : readPlainValue(text, colon + 1);
    entries.push({ type, value });
    position = skipSeparator(text, end);
  }

  return entries;
}

function readPlainValue(text: string, start: number): { value: string; end: number } {
  const separator = text.indexOf(ENTRY_SEPARATOR, start);
  const end = separator < 0 ? text.length : separator;

  return { value: text.slice(start, end), end };
}

function readQuotedValue(text: string, start: number): { value: string; end: number } {
  let position = start + 1;
  while (position < text.length && text[position] !== '"') {
    position += text[position] === '\\' ? 2 : 1;
  }
  if (position >= text.length) {
    throw new Error(`malformed subjectAltName at offset ${start}: unterminated quoted value`);
  }

  const end = position + 1;

  return { value: JSON.parse(text.slice(start, end)) as string, end };
}

function skipSeparator(text: string, position: number): number {
  if (position >= text.length) {
    return position;
  }
  if (!text.startsWith(ENTRY_SEPARATOR, position)) {
    throw new Error(`malformed subjectAltName at offset ${position}: expected ', ' between entries`);
  }

  return position + ENTRY_SEPARATOR.length;
}
