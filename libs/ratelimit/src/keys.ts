import { InvalidArgumentError } from '@sark/platform';

/** Scope of a rate limit: a peer node, a source organisation or a principal. */
export type RateLimitScope = 'peer' | 'org' | 'principal';

const SCOPES: readonly RateLimitScope[] = ['peer', 'org', 'principal'];

/**
 * Builds the key for one scope and id, wrapped in a Redis Cluster hash tag:
 * `rateLimitKey('peer', 'sark.orga.example')` returns `{peer:sark.orga.example}`.
 * The limiter adds its prefix in front, for example `sark:rl:{peer:sark.orga.example}`.
 *
 * @throws InvalidArgumentError naming `scope` for an unknown scope, or `id`
 *   for an empty id or one that contains `{` or `}`, which would break the hash tag.
 */
export function rateLimitKey(scope: RateLimitScope, id: string): string {
  if (!SCOPES.includes(scope)) {
    throw new InvalidArgumentError('scope', `must be one of ${SCOPES.join(', ')}, got ${JSON.stringify(scope)}`);
  }
  if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidArgumentError('id', 'must be a non-empty string');
  }
  if (id.includes('{') || id.includes('}')) {
    throw new InvalidArgumentError('id', `must not contain "{" or "}", got ${JSON.stringify(id)}`);
  }

  return `{${scope}:${id}}`;
}
