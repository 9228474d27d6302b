/**
 * `roster directory log` for people: one line per request, the fields that tell what happened
 * first. Bodies are left to `--json`, where they can be read whole.
 */
import type { LoggedRequestJson } from '../admin/index.ts';

/** The page, and how to ask for the next one when there are older requests. */
export function formatRequestLog(result: unknown, olderExist: boolean): string {
  const entries = result as LoggedRequestJson[];
  if (entries.length === 0) return '(no requests)';
  const lines = entries.map(formatLine);
  if (olderExist) lines.push(`older requests: --before ${entries.at(-1)!.id}`);
  return lines.join('\n');
}

function formatLine(e: LoggedRequestJson): string {
  const outcome = e.scimType === null ? String(e.status) : `${e.status} ${e.scimType}`;
  const parts = [e.time, e.method.padEnd(6), outcome.padEnd(16), `${e.durationMs}ms`.padStart(7), e.path];
  if (e.filter !== null) parts.push(`filter=${JSON.stringify(e.filter)}`);
  if (e.resourceId !== null && !e.path.includes(e.resourceId)) parts.push(`→ ${e.resourceType ?? 'resource'} ${e.resourceId}`);
  parts.push(`(${e.requestId})`);
  return parts.join('  ');
}
