/**
 * Errors raised by the domain. Each carries a code from a closed union so that every boundary
 * (SCIM, admin API, CLI) maps it the same way; HTTP statuses live only at those boundaries.
 */
export type DomainErrorCode =
  | 'not_found'
  | 'conflict'
  | 'invalid_input'
  | 'forbidden'
  | 'unauthenticated'
  | 'precondition_failed'
  | 'limit_exceeded'
  | 'unavailable';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: DomainErrorCode;
  /** Extra machine-readable facts (the field that was wrong, the limit that was hit). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: DomainErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** Postgres unique_violation, as both postgres.js and PGlite report it. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = findPgError(error);
  if (!e || e.code !== '23505') return false;
  return constraint === undefined || e.constraint === constraint || e.constraint_name === constraint;
}

/**
 * PostgreSQL ended a transaction to break a deadlock, or because it could not be serialised: the
 * transaction did nothing, and running it again is what the server asks for.
 */
export function isTransactionConflict(error: unknown): boolean {
  const code = findPgError(error)?.code;
  return code === '40P01' || code === '40001';
}

/** A foreign key refused a row: what it points at is gone (or never was). */
export function isForeignKeyViolation(error: unknown): boolean {
  return findPgError(error)?.code === '23503';
}

interface PgErrorLike {
  code?: string;
  constraint?: string;
  constraint_name?: string;
}

// Drizzle wraps driver errors (DrizzleQueryError) and keeps the original as `cause`.
function findPgError(error: unknown): PgErrorLike | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const candidate = current as PgErrorLike & { cause?: unknown };
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate;
    current = candidate.cause;
  }
  return undefined;
}
