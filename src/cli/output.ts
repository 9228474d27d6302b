/** How command results are printed: `--json` for tools, aligned plain text for people. */

export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A record as `key: value` lines, a list as a table with one row per item. */
export function formatText(value: unknown): string {
  if (Array.isArray(value)) return formatTable(value as Record<string, unknown>[]);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const width = Math.max(...entries.map(([k]) => k.length));
    return entries.map(([k, v]) => `${k.padEnd(width)}  ${cell(v)}`).join('\n');
  }
  return cell(value);
}

/** Columns are every field of every row, in order of first appearance (rows of two kinds share a table). */
function formatTable(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '(none)';
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cells = rows.map((row) => columns.map((c) => cell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), ...cells.map(line)].join('\n');
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
