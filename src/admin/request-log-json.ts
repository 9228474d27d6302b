/**
 * The request log as operators read it, the same from the CLI and the admin API. The field names
 * are a contract: scripts read them.
 */
import { DomainError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import type { LoggedRequest } from '../directory/index.ts';

/** A logged request as the CLI and the admin API print it: the stored entry, time as ISO text. */
export type LoggedRequestJson = Omit<LoggedRequest, 'time'> & { time: string };

export function loggedRequestJson(r: LoggedRequest): LoggedRequestJson {
  const { id, time, requestBody, ...rest } = r;
  return { id, time: time.toISOString(), ...rest, requestBody: requestBody ?? null };
}

/**
 * A `before` cursor as operators type it: the id of an entry (the last one of the previous page,
 * exact), or an ISO 8601 time (to start at a moment, as the `time` field prints it).
 */
export function parseBefore(raw: string | undefined): Date | { entry: string } | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (isUuid(raw)) return { entry: raw };
  const time = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(time.getTime())) {
    throw new DomainError(
      'invalid_input',
      `before must be the id of a logged request or an ISO 8601 time such as 2025-01-31T12:00:00Z (got "${raw}")`,
      { details: { field: 'before' } },
    );
  }
  return time;
}
