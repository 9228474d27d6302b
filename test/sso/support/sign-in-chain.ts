/**
 * The browser's part of a whole sign-in: app → Roster → IdP → Roster → app. The app is played
 * with openid-client (test-app-client.ts), the IdPs are real (samlify, oidc-provider); this file
 * walks the browser between them the way a browser would, including which cookies a real browser
 * sends (none on the IdP's cross-site POST to the ACS: Roster's cookies are SameSite=Lax).
 */
import { inflateRawSync } from 'node:zlib';
import * as oidc from 'openid-client';
import type { SamlSpSettings } from '../../../src/sso/saml/index.ts';
import { authorizationRequest, browse, CookieJar, type AuthorizationRequest, type BrowseResult } from '../../support/test-app-client.ts';
import type { TestResponseInput, TestSamlIdp } from '../saml/support/test-idp.ts';

export const APP_REDIRECT_URI = 'http://127.0.0.1:4000/callback';

/** The AuthnRequest a redirect to the IdP carries: its ID (for InResponseTo) and RelayState. */
export function readAuthnRequest(url: URL): { id: string; relayState: string; xml: string } {
  const encoded = url.searchParams.get('SAMLRequest');
  if (!encoded) throw new Error(`no SAMLRequest in ${url.href}`);
  const xml = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
  const id = /\sID="([^"]+)"/.exec(xml)?.[1];
  if (!id) throw new Error(`no ID in ${xml}`);
  return { id, relayState: url.searchParams.get('RelayState') ?? '', xml };
}

/** Posts a SAMLResponse to the ACS as the IdP's auto-submitting form does (cross-site: no cookies). */
export async function postToAcs(acsUrl: string, samlResponse: string, relayState: string | undefined): Promise<Response> {
  const form = new URLSearchParams({ SAMLResponse: samlResponse });
  if (relayState !== undefined) form.set('RelayState', relayState);
  return fetch(acsUrl, { method: 'POST', body: form, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

export interface SamlChain {
  request: AuthorizationRequest;
  jar: CookieJar;
  authn: { id: string; relayState: string };
  /** Where the browser stopped: the app's callback, or the page Roster showed. */
  end: BrowseResult;
}

export interface SamlChainOptions {
  params: Record<string, string>;
  user: Omit<TestResponseInput, 'sp' | 'inResponseTo'>;
  answer?: (authn: { id: string; relayState: string }) => Promise<{ samlResponse: string; relayState: string | undefined }>;
  jar?: CookieJar;
}

/**
 * The first half: app → Roster → (redirect to the IdP) → the IdP's answer posted to the ACS.
 * `acs` is Roster's answer there, before the browser follows it. `answer` lets a test change what
 * the IdP posts (the response, the RelayState).
 */
export async function samlAnswerAtAcs(config: oidc.Configuration, idp: TestSamlIdp, sp: SamlSpSettings, options: SamlChainOptions) {
  const request = await authorizationRequest(config, { redirectUri: APP_REDIRECT_URI, params: options.params });
  const jar = options.jar ?? new CookieJar();
  const toIdp = await browse(request.url, { jar, stopAt: idp.ssoUrl });
  if (!toIdp.callback) throw new Error(`Roster did not send the browser to the IdP: ${toIdp.response.status} ${await toIdp.response.text()}`);
  const authn = readAuthnRequest(toIdp.callback);
  const answer = options.answer
    ? await options.answer(authn)
    : { samlResponse: await idp.respond({ ...options.user, sp, inResponseTo: authn.id }), relayState: authn.relayState };
  const acs = await postToAcs(sp.acsUrl, answer.samlResponse, answer.relayState);
  return { request, jar, authn, acs };
}

/** The whole chain: app → Roster → IdP → ACS → Roster → app. */
export async function samlSignIn(config: oidc.Configuration, idp: TestSamlIdp, sp: SamlSpSettings, options: SamlChainOptions): Promise<SamlChain> {
  const { request, jar, authn, acs } = await samlAnswerAtAcs(config, idp, sp, options);
  const location = acs.headers.get('location');
  if (acs.status !== 303 || location === null) return { request, jar, authn, end: { callback: undefined, response: acs, visited: [sp.acsUrl] } };
  jar.store(acs);
  const end = await browse(new URL(location, sp.acsUrl), { jar, stopAt: APP_REDIRECT_URI });
  return { request, jar, authn, end };
}

/** The app's side once the browser is back: the code exchanged, the ID token checked by openid-client. */
export async function exchange(config: oidc.Configuration, chain: { request: AuthorizationRequest; end: BrowseResult }) {
  if (!chain.end.callback) throw new Error(`the sign-in did not return to the app: ${chain.end.response.status} ${await chain.end.response.clone().text()}`);
  return oidc.authorizationCodeGrant(config, chain.end.callback, { ...chain.request.checks, idTokenExpected: true });
}
