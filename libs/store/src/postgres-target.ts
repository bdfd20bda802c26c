import { InvalidArgumentError } from '@sark/platform';

/** Host, port and database of a PostgreSQL URL, without credentials, for messages and logs. */
export interface PostgresTarget {
  host: string;
  port: number;
  database: string;
}

/**
 * Reads host, port and database name from a `postgres://` or `postgresql://` URL. A `host`
 * query parameter (a Unix socket directory) overrides the host. Throws InvalidArgumentError
 * `url` for anything else. The message never repeats the URL, because it may contain a password.
 */
export function parsePostgresTarget(url: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError('url', 'is not a valid URL; expected postgres://user@host:port/database');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new InvalidArgumentError('url', `has scheme ${parsed.protocol} but must start with postgres:// or postgresql://`);
  }

  return {
    host: parsed.searchParams.get('host') ?? (decodeURIComponent(parsed.hostname) || 'localhost'),
    port: Number(parsed.port || 5432),
    database: decodeURIComponent(parsed.pathname.slice(1)),
  };
}

export function describeTarget(target: PostgresTarget): string {
  return `${target.host}:${target.port}/${target.database}`;
}
