/**
 * The ID token signing algorithms Roster accepts from any IdP: asymmetric only. `none` would let
 * anyone mint tokens, and HS* would make the client secret a signing key shared with the IdP.
 */
export const ALLOWED_ID_TOKEN_SIGNING_ALGS: readonly string[] = Object.freeze([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
]);

/** The algorithms of `offered` Roster accepts, in the order offered, without duplicates. */
export function usableSigningAlgs(offered: readonly unknown[]): string[] {
  const usable = offered.filter((alg): alg is string => typeof alg === 'string' && ALLOWED_ID_TOKEN_SIGNING_ALGS.includes(alg));
  return [...new Set(usable)];
}
