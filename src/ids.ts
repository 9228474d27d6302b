/**
 * Branded identifiers: an OrganizationId cannot be passed where a DirectoryId is expected, and
 * every id that arrives from outside is parsed (and so validated) exactly once.
 */
import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type OrganizationId = Brand<string, 'OrganizationId'>;
export type DirectoryId = Brand<string, 'DirectoryId'>;
export type ScimTokenId = Brand<string, 'ScimTokenId'>;
export type ApiKeyId = Brand<string, 'ApiKeyId'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * Random bytes for ids, drawn from the operating system 4 KiB at a time: the uuid package asks
 * for 16 bytes per id, a system call that cost more than everything else in making the id
 * (a SCIM create makes three). Node's own randomUUID pools its entropy the same way.
 */
const entropy = new Uint8Array(4096);
let entropyUsed = entropy.length;

function random16(): Uint8Array {
  if (entropyUsed + 16 > entropy.length) {
    randomFillSync(entropy);
    entropyUsed = 0;
  }
  entropyUsed += 16;
  return entropy.subarray(entropyUsed - 16, entropyUsed);
}

/**
 * The millisecond and counter of the last id, as RFC 9562 §6.2 (method 1) keeps them: ids made
 * in the same millisecond still sort in the order they were made. The uuid package keeps this
 * state only when it draws the randomness itself, so it is kept here.
 */
const clock = { msecs: -Infinity, seq: 0 };

/** Time-ordered (v7) ids keep primary-key indexes append-mostly and compact. */
export function newId<T extends string>(): T {
  const random = random16();
  const now = Date.now();
  if (now > clock.msecs) {
    // A fresh 31-bit counter from the random bytes, as the uuid package seeds it.
    clock.seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
    clock.msecs = now;
  } else {
    clock.seq = (clock.seq + 1) | 0;
    if (clock.seq === 0) clock.msecs++;
  }
  return uuidv7({ random, msecs: clock.msecs, seq: clock.seq }) as T;
}

function parser<T extends string>() {
  return (value: string): T | undefined => (isUuid(value) ? (value.toLowerCase() as T) : undefined);
}

export const parseOrganizationId = parser<OrganizationId>();
export const parseDirectoryId = parser<DirectoryId>();
export const parseScimTokenId = parser<ScimTokenId>();
export const parseApiKeyId = parser<ApiKeyId>();
/** Ids of SCIM users and groups: anything else is simply "not found", never a database error. */
export const parseScimResourceId = parser<string>();
