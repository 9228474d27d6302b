/**
 * Start-up check that ROSTER_SECRET is the secret the data was sealed with: a known value sealed
 * on first start must open. Without it a wrong secret would surface as failed sign-ins much later.
 */
import { eq } from 'drizzle-orm';
import { schema, type Database } from '../db/index.ts';
import { DomainError } from '../errors.ts';
import { sealContext, SecretBoxError, type SecretBox } from '../secrets/index.ts';

const PROBE_ID = 'probe';
const PROBE = 'roster secret check';
const CONTEXT = sealContext('secret_check', PROBE_ID);

export async function checkSecret(db: Database, box: SecretBox): Promise<void> {
  await db.insert(schema.secretCheck).values({ id: PROBE_ID, sealedProbe: box.seal(PROBE, CONTEXT) }).onConflictDoNothing();
  const [row] = await db.select().from(schema.secretCheck).where(eq(schema.secretCheck.id, PROBE_ID));
  if (!row) throw new Error('secret check row vanished');
  let opened: string;
  try {
    opened = box.open(row.sealedProbe, CONTEXT);
  } catch (error) {
    if (!(error instanceof SecretBoxError)) throw error;
    throw new DomainError(
      'precondition_failed',
      'ROSTER_SECRET is not the secret this database was written with; start with that secret (to change it, set the old one as ROSTER_SECRET_PREVIOUS and run `roster secret rotate`)',
      { cause: error },
    );
  }
  if (opened !== PROBE) throw new Error('secret check probe does not match');
}

export const SECRET_PROBE = { id: PROBE_ID, value: PROBE, context: CONTEXT } as const;
