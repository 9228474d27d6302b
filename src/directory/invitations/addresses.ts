/**
 * Email addresses as invitations accept them: the common form `local@domain.tld` (RFC 5321 limits,
 * dot-atom local part, a domain of letters, digits and hyphens with a dot in it). Quoted local
 * parts and address literals are valid mail syntax but no one is invited with them, and refusing
 * them keeps commas, spaces and angle brackets out of every header and CSV cell.
 */

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** The address, trimmed, when it is one; undefined otherwise. */
export function parseEmailAddress(raw: string): string | undefined {
  const address = raw.trim();
  if (address.length === 0 || address.length > 254) return undefined;
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || !LOCAL.test(local)) return undefined;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !/^[A-Za-z]{2,63}$/.test(labels.at(-1) ?? '')) return undefined;
  return address;
}

/** Why an address is refused, for the error that names it. */
export function addressProblem(raw: string): string {
  const shown = JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
  return raw.trim() === '' ? 'an email address is empty' : `${shown} is not an email address (expected e.g. ada@example.com)`;
}
