/**
 * What the IdP sent, as one shape for both protocols (name → string values), the bounded copy kept
 * as `raw`, and the lookup of mapping candidates in it.
 */
import { NAME_ID, SUB } from './mapping.ts';

/** Bounds of `raw`: enough for any real assertion, small enough to store with every sign-in. */
export const MAX_RAW_ATTRIBUTES = 100;
export const MAX_RAW_VALUES = 100;
/** Characters of one value (and of one name) in `raw`, and of any value a profile field takes. */
export const MAX_VALUE_LENGTH = 1024;

export type Values = ReadonlyMap<string, readonly string[]>;

/**
 * OIDC claims as string values: strings as they are, numbers and booleans as text, arrays element by
 * element. Objects and null carry no profile value (e.g. `_claim_names`, `address`) and are left out.
 */
export function claimValues(claims: Record<string, unknown>): Values {
  const values = new Map<string, string[]>();
  for (const [name, claim] of Object.entries(claims)) {
    const list = (Array.isArray(claim) ? claim : [claim]).flatMap(scalarText);
    if (list.length > 0) values.set(name, list);
  }
  return values;
}

function scalarText(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return [];
}

export function attributeValues(attributes: Record<string, string[]>): Values {
  const values = new Map<string, string[]>();
  for (const [name, list] of Object.entries(attributes)) {
    if (Array.isArray(list)) values.set(name, list.filter((v) => typeof v === 'string'));
  }
  return values;
}

/** Cuts by code points, so a surrogate pair is never split. */
export function cut(text: string): string {
  return text.length <= MAX_VALUE_LENGTH ? text : Array.from(text).slice(0, MAX_VALUE_LENGTH).join('');
}

/** The bounded copy of what was sent, in the order it was sent; `truncated` says whether anything was cut. */
export function boundedRaw(values: Values): { raw: Record<string, string[]>; truncated: boolean } {
  const entries: [string, string[]][] = [];
  let truncated = false;
  for (const [name, list] of values) {
    if (entries.length === MAX_RAW_ATTRIBUTES || name.length > MAX_VALUE_LENGTH) {
      truncated = true;
      continue;
    }
    if (list.length > MAX_RAW_VALUES) truncated = true;
    const kept = list.slice(0, MAX_RAW_VALUES).map((v) => {
      const c = cut(v);
      if (c !== v) truncated = true;
      return c;
    });
    entries.push([name, kept]);
  }
  // fromEntries defines own properties, so a name such as __proto__ stays an ordinary key.
  return { raw: Object.fromEntries(entries), truncated };
}

/**
 * Finds a candidate's values: the exact name first, then the name compared case-insensitively.
 * The fallback exists because the same attribute arrives spelled differently: Okta and Google
 * attribute statements and custom claims are named by each customer's admin (`FirstName`,
 * `firstname`), and AD FS and hand-typed mappings differ in the case of claim URIs. Names are chosen
 * by the IdP's administrators, never by the person signing in, so the looser match cannot be steered
 * by a user; trying the exact name first keeps the choice fixed when both spellings are present.
 */
export class Lookup {
  readonly #values: Values;
  readonly #special: ReadonlyMap<string, string>;
  readonly #folded = new Map<string, string>();

  constructor(values: Values, special: { nameId?: string | undefined; sub?: string | undefined }) {
    this.#values = values;
    const s = new Map<string, string>();
    if (special.nameId !== undefined) s.set(NAME_ID, special.nameId);
    if (special.sub !== undefined) s.set(SUB, special.sub);
    this.#special = s;
    for (const name of values.keys()) {
      const folded = name.toLowerCase();
      if (!this.#folded.has(folded)) this.#folded.set(folded, name);
    }
  }

  values(candidate: string): readonly string[] {
    const special = this.#special.get(candidate);
    if (special !== undefined) return [special];
    if (candidate === NAME_ID || candidate === SUB) return [];
    const exact = this.#values.get(candidate);
    if (exact !== undefined) return exact;
    const name = this.#folded.get(candidate.toLowerCase());
    return name === undefined ? [] : (this.#values.get(name) ?? []);
  }

  /** The first value, trimmed, that is not empty, over the candidates in order. */
  first(candidates: readonly string[]): { name: string; value: string } | undefined {
    for (const name of candidates) {
      for (const v of this.values(name)) {
        const value = v.trim();
        if (value !== '') return { name, value };
      }
    }
    return undefined;
  }
}
