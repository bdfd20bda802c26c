import { InvalidArgumentError } from '@sark/platform';

/** The position after which the next page starts: the last key of the previous page. */
export interface PageCursor {
  createdAt: Date;
  keyId: string;
}

const cursorPattern = /^(\d{1,16}):([a-z2-7]{12})$/;
const invalidTokenMessage = 'is not a token returned by a previous list call; omit it to start from the first page';

/** Encodes a cursor as base64url of `<created_at in epoch ms>:<key id>`. Callers treat it as opaque. */
export function encodePageToken(cursor: PageCursor): string {
  return encodeText(`${cursor.createdAt.getTime()}:${cursor.keyId}`);
}

/**
 * Decodes a token made by `encodePageToken`. Throws
 * InvalidArgumentError('page_token') for anything else.
 */
export function decodePageToken(token: string): PageCursor {
  const text = typeof token === 'string' ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const match = cursorPattern.exec(text);
  // The decoder skips characters outside base64url, so only a token that re-encodes to itself is genuine.
  if (match === null || encodeText(text) !== token) {
    throw new InvalidArgumentError('page_token', invalidTokenMessage);
  }

  const createdAt = new Date(Number(match[1]));
  if (Number.isNaN(createdAt.getTime())) {
    throw new InvalidArgumentError('page_token', invalidTokenMessage);
  }

  return { createdAt, keyId: match[2] as string };
}

function encodeText(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
