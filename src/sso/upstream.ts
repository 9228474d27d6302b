/**
 * The upstream half of a sign-in: send the browser to its organization's IdP, and turn the IdP's
 * answer into a member. The answer arrives at the ACS (SAML) or the callback (OIDC); each is
 * checked against the flow Roster started (single-use, for this connection), normalised through
 * the connection's mapping, and resolved to a member by the domain. The result is parked on the
 * flow for the interaction to hand to Roster's OpenID Provider.
 */
import {
  completeFlow,
  consumeAssertionId,
  randomFlowValue,
  recordSignIn,
  resolveSignIn,
  startFlow,
  type AnsweredFlow,
  type SsoConnectionForSignIn,
} from '../directory/index.ts';
import { mappingOf, oidcSettingsOf, samlSettingsOf } from './connection-settings.ts';
import type { SsoDeps } from './deps.ts';
import { authorizationRedirectUrl, completeOidcSignIn, newOidcFlowSecrets, type OidcFlowSecrets } from './oidc/index.ts';
import { normaliseOidcProfile, normaliseSamlProfile, type ProfileResult } from './profile/index.ts';
import { buildAuthnRequestRedirect, validateSamlResponse } from './saml/index.ts';

export interface Browser {
  ip: string | null;
  userAgent: string | null;
}

/** A refused sign-in: recorded, logged, and shown to the person only as its reference. */
export interface SignInFailure {
  ok: false;
  reference: string;
  status: 400 | 403;
}

export type SignInAnswer = { ok: true; flowId: string; interactionUid: string; purpose: 'app' | 'console' } | SignInFailure;

/** A valid sign-in begun at the IdP: no interaction of the app waits for it. */
export interface Unsolicited {
  ok: 'unsolicited';
  email: string;
}

export async function beginUpstream(
  deps: SsoDeps,
  connection: SsoConnectionForSignIn,
  input: { interactionUid: string; loginHint?: string | undefined; purpose?: 'app' | 'console' },
): Promise<{ redirectTo: string; flowId: string; browserSecret: string }> {
  const browserSecret = randomFlowValue();
  const base = {
    organizationId: connection.organizationId,
    connectionId: connection.id,
    interactionUid: input.interactionUid,
    purpose: input.purpose ?? 'app',
    browserSecret,
  };
  if (connection.type === 'saml') {
    const { sp, idp } = samlSettingsOf(connection);
    const flowId = randomFlowValue();
    const request = await buildAuthnRequestRedirect(sp, idp, { relayState: flowId });
    await startFlow(deps.db, deps.box, { ...base, id: flowId, samlRequestId: request.requestId }, now(deps));
    return { redirectTo: request.url, flowId, browserSecret };
  }
  const { client, redirectUri } = oidcSettingsOf(connection, deps.allowInsecureIdpUrls);
  const secrets = newOidcFlowSecrets();
  const flowId = secrets.state;
  await startFlow(deps.db, deps.box, { ...base, id: flowId, oidcSecrets: { ...secrets } }, now(deps));
  const url = await authorizationRedirectUrl(client, { redirectUri, secrets, ...(input.loginHint ? { loginHint: input.loginHint } : {}) });
  return { redirectTo: url.href, flowId, browserSecret };
}

/** Checks a SAML response posted to the connection's ACS, for the flow its RelayState names. */
export async function answerSaml(
  deps: SsoDeps,
  connection: SsoConnectionForSignIn,
  flow: AnsweredFlow | undefined,
  samlResponse: string,
  browser: Browser,
): Promise<SignInAnswer | Unsolicited> {
  const { sp, idp } = samlSettingsOf(connection);
  const result = await validateSamlResponse({
    sp,
    idp,
    samlResponse,
    expectedRequestId: flow?.samlRequestId ?? undefined,
    now: now(deps),
    replay: { consume: (assertionId, notOnOrAfter) => consumeAssertionId(deps.db, { connectionId: connection.id, assertionId, expiresAt: notOnOrAfter }) },
  });
  if (!result.ok) return fail(deps, connection, browser, { reason: `saml.${result.reason}`, detail: result.detail });
  const profile = normaliseSamlProfile(mappingOf(connection), {
    nameId: result.value.nameId,
    nameIdFormat: result.value.nameIdFormat,
    attributes: result.value.attributes,
  });
  return signIn(deps, connection, flow, profile, browser, 'saml');
}

/** Checks the OIDC callback for the flow its state names (found and claimed by the caller). */
export async function answerOidc(deps: SsoDeps, connection: SsoConnectionForSignIn, flow: AnsweredFlow, callbackSearch: string, browser: Browser): Promise<SignInAnswer | Unsolicited> {
  const { client, redirectUri } = oidcSettingsOf(connection, deps.allowInsecureIdpUrls);
  const expected = flow.oidcSecrets as OidcFlowSecrets | undefined;
  if (!expected) return fail(deps, connection, browser, { reason: 'oidc.flow_without_secrets', detail: `flow ${flow.id} carries no OIDC secrets` });
  const callbackUrl = new URL(redirectUri);
  callbackUrl.search = callbackSearch;
  const result = await completeOidcSignIn(client, { callbackUrl, redirectUri, expected, now: now(deps) });
  if (!result.ok) return fail(deps, connection, browser, { reason: `oidc.${result.reason}`, detail: result.detail });
  const profile = normaliseOidcProfile(mappingOf(connection), { subject: result.value.subject, claims: result.value.claims });
  return signIn(deps, connection, flow, profile, browser, 'oidc');
}

async function signIn(
  deps: SsoDeps,
  connection: SsoConnectionForSignIn,
  flow: AnsweredFlow | undefined,
  profile: ProfileResult,
  browser: Browser,
  amr: 'saml' | 'oidc',
): Promise<SignInAnswer | Unsolicited> {
  if (!profile.ok) return fail(deps, connection, browser, { reason: `profile.${profile.reason}`, detail: profile.detail });
  const p = profile.value;
  // The identity is (connection, immutable subject); a tenant (Entra tid) is part of the subject.
  const subject = p.tenant === undefined ? p.subject : `${p.tenant}/${p.subject}`;
  const resolved = await resolveSignIn(
    deps.db,
    {
      organizationId: connection.organizationId,
      connectionId: connection.id,
      profile: {
        subject,
        email: p.email,
        emailVerified: p.emailVerified,
        givenName: p.givenName,
        familyName: p.familyName,
        displayName: p.displayName,
        groups: p.groups,
        raw: p.raw,
      },
    },
    now(deps),
  );
  if (!resolved.ok) {
    return fail(deps, connection, browser, {
      reason: resolved.reason,
      detail: resolved.detail,
      idpSubject: subject,
      email: p.email,
      memberId: resolved.memberId ?? null,
      status: resolved.reason === 'member_deactivated' ? 403 : 400,
    });
  }
  const signInId = await recordSignIn(
    deps.db,
    {
      organizationId: connection.organizationId,
      connectionId: connection.id,
      memberId: resolved.member.id,
      idpSubject: subject,
      email: p.email,
      ...browser,
      outcome: 'succeeded',
      ...(flow === undefined ? { reason: 'idp_initiated' } : {}),
    },
    now(deps),
  );
  if (flow === undefined) return { ok: 'unsolicited', email: p.email };
  await completeFlow(deps.db, { flowId: flow.id, memberId: resolved.member.id, signInId, amr });
  return { ok: true, flowId: flow.id, interactionUid: flow.interactionUid, purpose: flow.purpose };
}

export async function fail(
  deps: SsoDeps,
  connection: Pick<SsoConnectionForSignIn, 'id' | 'organizationId'> | undefined,
  browser: Browser,
  failure: { reason: string; detail: string; idpSubject?: string; email?: string; memberId?: string | null; status?: 400 | 403 },
): Promise<SignInFailure> {
  const reference = await recordSignIn(
    deps.db,
    {
      organizationId: connection?.organizationId ?? null,
      connectionId: connection?.id ?? null,
      memberId: failure.memberId ?? null,
      idpSubject: failure.idpSubject ?? null,
      email: failure.email ?? null,
      ...browser,
      outcome: 'failed',
      reason: failure.reason,
      detail: failure.detail,
    },
    now(deps),
  );
  deps.logger.warn({ reference, reason: failure.reason, detail: failure.detail, connection: connection?.id }, 'sign-in refused');
  return { ok: false, reference, status: failure.status ?? 400 };
}

const now = (deps: SsoDeps) => (deps.now ? deps.now() : new Date());
