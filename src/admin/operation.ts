/**
 * One operator command: its input schema and what it does. Each area's operations file defines
 * its entries with `define`; operations.ts gathers them into the one table.
 */
import type { z } from 'zod';
import type { DatabaseHandle } from '../db/index.ts';
import type { Actor } from '../directory/index.ts';
import type { SecretBox } from '../secrets/index.ts';

export interface OperationEnv {
  handle: DatabaseHandle;
  actor: Actor;
  publicUrl: string;
  /** Seals and opens secrets at rest (connection secrets, app secrets, signing keys). */
  box: SecretBox;
  /** ALLOW_INSECURE_IDP_URLS: http IdP URLs accepted, for IdPs on loopback in tests. */
  allowInsecureIdpUrls: boolean;
}

export interface Operation<S extends z.ZodType> {
  input: S;
  run(env: OperationEnv, input: z.infer<S>): Promise<unknown>;
}

export const define = <S extends z.ZodType>(op: Operation<S>): Operation<S> => op;
