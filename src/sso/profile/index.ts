/**
 * SSO profiles: what an IdP sent (SAML attributes and NameID, or OIDC claims and `sub`), turned into
 * Roster's normalised profile through a per-connection mapping that starts from a provider preset.
 */
export { PRESET_NAMES, parseProfileMapping, type PresetName, type ProfileMapping } from './mapping.ts';
export { presetMapping } from './presets.ts';
export {
  MAX_GROUPS,
  normaliseOidcProfile,
  normaliseSamlProfile,
  type NormalisedProfile,
  type ProfileRefusal,
  type ProfileResult,
} from './normalise.ts';
