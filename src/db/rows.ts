/** Rows of a raw `db.execute(sql…)`: postgres.js returns them as an array, PGlite inside `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);
}

export function firstRow<T>(result: unknown): T | undefined {
  return rowsOf<T>(result)[0];
}
