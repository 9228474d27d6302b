/**
 * The request log as operators read it, the same from the CLI and the admin API. The field names
 * are a contract: scripts read them.
 */
import { DomainError } from '../errors.ts';
import type { LoggedRequest } from '../directory/index.ts';

/** A logged request as the CLI and the admin API print it: the stored entry, time as ISO text. */
export type LoggedRequestJson = Omit<LoggedRequest, 'time'> & { time: string };

export function loggedRequestJson(r: LoggedRequest): LoggedRequestJson {
  const { time, requestBody, ...rest } = r;
  return { time: time.toISOString(), ...rest, requestBody: requestBody ?? null };
}

/** A `before` cursor as operators type it: an ISO 8601 time, as the `time` field prints it. */
export function parseBefore(raw: string | undefined): Date | undefined {
  if (raw === undefined || raw === '') return undefined;
  const time = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(time.getTime())) {
    throw new DomainError('invalid_input', `before must be an ISO 8601 time such as 2025-01-31T12:00:00Z (got "${raw}")`, {
      details: { field: 'before' },
    });
  }
  return time;
}
