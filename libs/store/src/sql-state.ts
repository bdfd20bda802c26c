/**
 * Returns the five-character SQLSTATE of an error raised by PostgreSQL or PGlite (for example
 * `23505` for a unique violation), or undefined for any other error.
 */
export function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const code = (error as { code?: unknown }).code;

  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
