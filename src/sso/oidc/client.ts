/**
 * A connection's settings, and the openid-client Configuration built from them: from the pinned
 * provider values alone, so sign-in never rediscovers and a changed discovery document cannot move
 * the token endpoint, the keys or the issuer Roster trusts.
 */
import {
  allowInsecureRequests,
  ClientSecretBasic,
  ClientSecretPost,
  clockSkew,
  Configuration,
  customFetch,
  enableNonRepudiationChecks,
  type ClientAuth,
  type CustomFetch,
  type ServerMetadata,
} from 'openid-client';
import type { PinnedOidcProvider } from './discovery.ts';
import { usableSigningAlgs } from './signing-algorithms.ts';

export interface OidcClientSettings {
  provider: PinnedOidcProvider;
  clientId: string;
  clientSecret: string;
  /** As registered at the IdP; never inferred (openid-client would default to client_secret_post). */
  tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post';
  /** Always includes `openid` (added when missing). */
  scopes: string[];
  /**
   * Only true when the operator set ALLOW_INSECURE_IDP_URLS=true (loopback test IdPs); otherwise
   * http URLs are refused.
   */
  allowInsecureRequests: boolean;
}

/**
 * The openid-client Configuration for `settings`. `now` shifts openid-client's clock for the ID
 * token's time checks; `redirectUri` is sent to the token endpoint exactly as given, since
 * openid-client would otherwise derive it from the callback URL (whose host may be a proxy's).
 */
export function clientConfiguration(settings: OidcClientSettings, options: { now?: Date; redirectUri?: string } = {}): Configuration {
  const { provider } = settings;
  const server: ServerMetadata = {
    issuer: provider.issuer,
    authorization_endpoint: provider.authorizationEndpoint,
    token_endpoint: provider.tokenEndpoint,
    jwks_uri: provider.jwksUri,
    userinfo_endpoint: provider.userinfoEndpoint,
    // Filtered again: the pinned list comes back from storage, and only these may ever verify.
    id_token_signing_alg_values_supported: usableSigningAlgs(provider.idTokenSigningAlgs),
    authorization_response_iss_parameter_supported: provider.authorizationResponseIssParameterSupported,
  };
  const skew = options.now ? Math.round((options.now.getTime() - Date.now()) / 1000) : 0;
  const config = new Configuration(
    server,
    settings.clientId,
    { client_secret: settings.clientSecret, token_endpoint_auth_method: settings.tokenEndpointAuthMethod, [clockSkew]: skew },
    clientAuthentication(settings),
  );
  if (settings.allowInsecureRequests) allowInsecureRequests(config);
  // openid-client would trust an ID token from the token endpoint on the strength of TLS alone;
  // its signature is checked against the pinned keys as well (the keys are fetched per sign-in).
  enableNonRepudiationChecks(config);
  const { redirectUri } = options;
  if (redirectUri !== undefined) {
    const sendRegisteredRedirectUri: CustomFetch = (url, init) => {
      if (init.body instanceof URLSearchParams && init.body.get('grant_type') === 'authorization_code') {
        init.body.set('redirect_uri', redirectUri);
      }
      return fetch(url, init as RequestInit);
    };
    config[customFetch] = sendRegisteredRedirectUri;
  }
  return config;
}

function clientAuthentication(settings: OidcClientSettings): ClientAuth {
  switch (settings.tokenEndpointAuthMethod) {
    case 'client_secret_basic':
      return ClientSecretBasic(settings.clientSecret);
    case 'client_secret_post':
      return ClientSecretPost(settings.clientSecret);
    default:
      throw new TypeError(`unsupported token endpoint auth method ${JSON.stringify(settings.tokenEndpointAuthMethod satisfies never)}`);
  }
}
