/**
 * What makes two userNames the same name. RFC 7643 makes userName case-insensitive (caseExact
 * false) and unique per directory; Unicode adds that one name can be spelled as different code
 * points (é as U+00E9, or as e + U+0301). Uniqueness and lookups compare this key, so those
 * spellings are one user, never two.
 */

/**
 * The key uniqueness and `userName eq` compare: NFC, then lower case, then NFC again (lower-casing
 * can leave a string that is no longer composed). Stored in directory_users.user_name_key.
 */
export function userNameKey(userName: string): string {
  return userName.normalize('NFC').toLowerCase().normalize('NFC');
}

/**
 * Characters a userName may not hold: controls (C0, DEL, C1) and the invisible format characters
 * that make two names look alike or reorder what an admin reads — zero-width spaces and joiners,
 * bidirectional marks, embeddings, overrides and isolates, the soft hyphen, the word joiner and
 * invisible operators, and the byte-order mark.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const INVISIBLE_OR_CONTROL = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/u;

/** Why a userName cannot be stored, or undefined when it can. */
export function userNameProblem(userName: string): string | undefined {
  if (userName.trim() === '') return 'userName must not be empty';
  const found = INVISIBLE_OR_CONTROL.exec(userName);
  if (found) {
    const code = found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return `userName must not contain invisible or control characters (found U+${code} at position ${found.index})`;
  }
  return undefined;
}
