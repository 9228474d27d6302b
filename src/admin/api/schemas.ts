/**
 * Schemas and helpers every admin API route shares: the problem body, the organization path
 * parameter, cursor pages. Route files build on these so the document describes every route alike.
 */
import { z } from '@hono/zod-openapi';
import { DomainError } from '../../errors.ts';

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:roster:problem:invalid_input' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ description: "Roster's stable error code (the last segment of `type`)" }),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .catchall(z.unknown())
  .openapi('Problem', { description: 'RFC 9457 problem details' });

const PROBLEM_DESCRIPTIONS = {
  400: 'Invalid input (each bad field under `errors`)',
  401: 'No valid API key, app token or console session',
  403: 'Authenticated, but not allowed to do this',
  404: 'No such organization or resource',
  409: 'Conflicts with what exists (e.g. a duplicate)',
  412: 'A rule refused the change (e.g. the last owner)',
  429: 'A limit was reached (e.g. seats or throttling)',
} as const;
type ProblemStatus = keyof typeof PROBLEM_DESCRIPTIONS;

/** The problem responses a route documents: 400, 401, 403 and 404 always, plus `more`. */
export function problemResponses(...more: ProblemStatus[]) {
  const statuses = [...new Set<ProblemStatus>([400, 401, 403, 404, ...more])];
  return Object.fromEntries(
    statuses.map((status) => [status, { description: PROBLEM_DESCRIPTIONS[status], content: { 'application/problem+json': { schema: ProblemSchema } } }]),
  ) as Record<ProblemStatus, { description: string; content: { 'application/problem+json': { schema: typeof ProblemSchema } } }>;
}

/** `{ data }` in a JSON response. */
export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export const OrgParams = z.object({
  slug: z.string().openapi({ param: { name: 'slug', in: 'path' }, example: 'acme', description: "The organization's slug" }),
});

export const Timestamp = z.string().openapi({ format: 'date-time', example: '2026-12-05T10:00:00.000Z' });

export const MAX_PAGE = 200;

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50).openapi({ description: `Items per page, 1 to ${MAX_PAGE}` }),
  cursor: z.string().optional().openapi({ description: 'The `nextCursor` of the previous page' }),
});

/** A page of items and the cursor of the next one (null on the last page). */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

/** Cursors are opaque to clients: the base64url JSON of the position the domain resumes from. */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, valid: (value: unknown) => value is T): T | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!valid(value)) throw new DomainError('invalid_input', 'cursor is not one this API gave out', { details: { field: 'cursor' } });
  return value;
}

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** A sign-in attempt: the organization's sign-in log and a member's login history. */
export const SignInSchema = z
  .object({
    id: z.string().uuid(),
    occurredAt: Timestamp,
    outcome: z.enum(['succeeded', 'failed']),
    reason: z.string().nullable(),
    connectionId: z.string().nullable(),
    memberId: z.string().nullable(),
    email: z.string().nullable(),
    idpSubject: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    detail: z.string().nullable(),
  })
  .openapi('SignIn');
