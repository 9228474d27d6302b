/** Roster's OpenID Provider towards the app (oidc-provider over PostgreSQL), its keys, routes and logout delivery. */
export { createAdapterFactory, clientMetadata, CLIENT_GRANT_TYPES } from './adapter.ts';
export {
  createRosterProvider,
  CLAIMS,
  PROVIDER_ROUTES,
  TTL,
  type AccountClaims,
  type ProviderLogger,
  type RosterProvider,
  type RosterProviderOptions,
} from './provider.ts';
export {
  ensureSigningKey,
  rotateSigningKeys,
  providerJwks,
  signingKeysVersion,
  LONGEST_SIGNED_TOKEN_SECONDS,
  type ProviderKeys,
} from './signing-keys.ts';
export { providerRoutes, PROVIDER_PATHS } from './mount.ts';
export {
  deliverBackchannelLogouts,
  deleteExpiredPayloads,
  startProviderMaintenance,
  backoffMs,
  BACKCHANNEL_LOGOUT_EVENT,
  MAX_LOGOUT_ATTEMPTS,
  type DeliveryResult,
} from './backchannel-delivery.ts';
