import type { Database } from '../db/index.ts';
import type { Logger } from '../http/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import type { RosterProvider } from './provider/index.ts';

/** What the sign-in routes need, passed in by app.ts. */
export interface SsoDeps {
  db: Database;
  box: SecretBox;
  publicUrl: string;
  allowInsecureIdpUrls: boolean;
  logger: Logger;
  rp: RosterProvider;
  now?: () => Date;
}
