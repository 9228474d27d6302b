import { randomBytes, sign } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { BINDING, NAMEID_UNSPECIFIED, NS, RSA_SHA256 } from './constants.ts';
import { escapeXml } from './xml-escape.ts';
import type { SamlIdpSettings, SamlSpSettings } from './types.ts';

/** Okta and Keycloak truncate or refuse a longer RelayState (SAML bindings §3.4.3): send an opaque key. */
const MAX_RELAY_STATE_BYTES = 80;

/**
 * A signed HTTP-Redirect AuthnRequest (SAML bindings §3.4.4.1: the query string is signed, not the
 * XML). Choices, per IdP:
 * - no RequestedAuthnContext: Entra refuses a requested context it did not use (AADSTS75011), and
 *   an MFA or passwordless login is as good as a password one for Roster;
 * - NameIDPolicy Format unspecified with AllowCreate: each IdP then sends the NameID its admin
 *   configured. Asking for persistent would change Entra's NameID to an opaque pairwise value and
 *   make Okta refuse an app set to another format; Roster identifies people by attributes anyway.
 * The caller stores `requestId` and passes it back as `expectedRequestId`.
 */
export async function buildAuthnRequestRedirect(
  sp: SamlSpSettings,
  idp: SamlIdpSettings,
  input: { relayState: string; forceAuthn?: boolean; now?: Date },
): Promise<{ url: string; requestId: string }> {
  if (Buffer.byteLength(input.relayState, 'utf8') > MAX_RELAY_STATE_BYTES) {
    throw new RangeError(`RelayState is longer than ${MAX_RELAY_STATE_BYTES} bytes`);
  }
  // xs:ID must not start with a digit; 160 random bits cannot be guessed or collide.
  const requestId = `_${randomBytes(20).toString('hex')}`;
  const issueInstant = (input.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const xml =
    `<samlp:AuthnRequest xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${requestId}" Version="2.0"` +
    ` IssueInstant="${issueInstant}" Destination="${escapeXml(idp.ssoUrl)}" ProtocolBinding="${BINDING.post}"` +
    ` AssertionConsumerServiceURL="${escapeXml(sp.acsUrl)}"${input.forceAuthn ? ' ForceAuthn="true"' : ''}>` +
    `<saml:Issuer>${escapeXml(sp.entityId)}</saml:Issuer>` +
    `<samlp:NameIDPolicy Format="${NAMEID_UNSPECIFIED}" AllowCreate="true"/>` +
    `</samlp:AuthnRequest>`;

  // The signed octets are exactly the encoded parameters, in this order (bindings §3.4.4.1).
  const signed = [
    `SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'))}`,
    `RelayState=${encodeURIComponent(input.relayState)}`,
    `SigAlg=${encodeURIComponent(RSA_SHA256)}`,
  ].join('&');
  const signature = sign('sha256', Buffer.from(signed, 'utf8'), sp.privateKeyPem).toString('base64');
  const url = new URL(idp.ssoUrl);
  // Keeps any query the IdP's URL already has (Google's ?idpid=…).
  const separator = url.search ? '&' : '?';
  return { url: `${idp.ssoUrl}${separator}${signed}&Signature=${encodeURIComponent(signature)}`, requestId };
}
