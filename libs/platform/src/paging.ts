import { InvalidArgumentError } from './errors.js';

export interface Page<T> {
  items: T[];
  /** Empty when there are no more items. */
  nextPageToken: string;
}

export interface PageRequest {
  pageSize: number;
  pageToken: string;
}

/**
 * Cuts one page out of a list that is sorted the same way on every call.
 * The token is an opaque offset, so it is only stable while the list does
 * not change; lists kept in databases use keyset tokens instead.
 *
 * @param limits.max largest accepted page size; `pageSize` 0 means `limits.default`.
 * @throws InvalidArgumentError naming `page_size` or `page_token`.
 */
export function paginate<T>(items: T[], request: PageRequest, limits: { default: number; max: number }): Page<T> {
  const size = validatePageSize(request.pageSize, limits);
  const offset = decodeOffset(request.pageToken);

  const pageItems = items.slice(offset, offset + size);
  const next = offset + size < items.length ? Buffer.from(`o:${offset + size}`).toString('base64url') : '';
  return { items: pageItems, nextPageToken: next };
}

/** Checks a page size against its limits; 0 means the default. */
export function validatePageSize(pageSize: number, limits: { default: number; max: number }): number {
  if (pageSize === 0) {
    return limits.default;
  }
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > limits.max) {
    throw new InvalidArgumentError('page_size', `must be from 1 to ${limits.max}, or 0 for ${limits.default}`);
  }
  return pageSize;
}

function decodeOffset(token: string): number {
  if (token === '') {
    return 0;
  }

  const match = /^o:(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString());
  if (!match) {
    throw new InvalidArgumentError('page_token', 'is not a token returned by this method: pass next_page_token unchanged');
  }
  return Number(match[1]);
}
