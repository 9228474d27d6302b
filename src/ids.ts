/**
 * Branded identifiers: an OrganizationId cannot be passed where a DirectoryId is expected, and
 * every id that arrives from outside is parsed (and so validated) exactly once.
 */
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
 * Time-ordered (v7) ids keep primary-key indexes append-mostly and compact. The uuid package draws
 * its own randomness and keeps the millisecond and counter of RFC 9562 §6.2 (method 1), so ids made
 * in the same millisecond, or after the clock steps back, still sort in the order they were made.
 */
export function newId<T extends string>(): T {
  return uuidv7() as T;
}

function parser<T extends string>() {
  return (value: string): T | undefined => (isUuid(value) ? (value.toLowerCase() as T) : undefined);
}

export const parseDirectoryId = parser<DirectoryId>();
export const parseScimTokenId = parser<ScimTokenId>();
export const parseApiKeyId = parser<ApiKeyId>();
/** Ids of SCIM users and groups: anything else is simply "not found", never a database error. */
export const parseScimResourceId = parser<string>();
