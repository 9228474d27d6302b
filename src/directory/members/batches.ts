/**
 * recordAudits and recordMemberEvents bind one parameter per column of each row, and a statement
 * takes at most 65,535 parameters: a bulk change over thousands of members writes its entries in
 * batches that stay under that (two statements for 10,000 members).
 */
export const WRITE_BATCH = 5_000;

export async function inBatches<T>(items: readonly T[], write: (batch: readonly T[]) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += WRITE_BATCH) await write(items.slice(start, start + WRITE_BATCH));
}
