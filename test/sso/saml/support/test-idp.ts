import * as samlify from 'samlify';
import { generateSpCredentials } from '../../../../src/sso/saml/index.ts';
import type { SamlSpSettings } from '../../../../src/sso/saml/index.ts';

// samlify validates its own output against the SAML schema only through a plug-in validator;
// the test IdP produces the XML, Roster's validator is what is under test.
samlify.setSchemaValidator({ validate: async () => 'skipped' });

const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
export const NAMEID_EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

export type TestIdpSignedParts = 'assertion' | 'response' | 'both';

export interface TestSamlIdpOptions {
  entityId?: string;
  ssoUrl?: string;
  /** Which parts the IdP signs, as a real IdP would be configured. */
  signedParts?: TestIdpSignedParts;
  /** Encrypt the assertion to the SP's certificate. */
  encrypt?: boolean;
  /** Reuse a key pair (to test two IdP certificates); generated when absent. */
  keys?: { privateKeyPem: string; certificatePem: string };
}

export interface TestResponseInput {
  sp: SamlSpSettings;
  /** The AuthnRequest ID answered; absent for IdP-initiated. */
  inResponseTo?: string;
  nameId: string;
  nameIdFormat?: string;
  attributes?: Record<string, string | string[]>;
  /** The IdP's clock; the response is valid five minutes from it. Defaults to the real time. */
  now?: Date;
  sessionIndex?: string;
}

export interface TestSamlIdp {
  entityId: string;
  ssoUrl: string;
  certificatePem: string;
  privateKeyPem: string;
  metadataXml(): string;
  /** samlify's IdP object, for tests that need more than responses (parsing an AuthnRequest). */
  samlify: samlify.IdentityProviderInstance;
  /** A base64 SAMLResponse, as the browser would post it. */
  respond(input: TestResponseInput): Promise<string>;
}

/** A signing SAML IdP built on samlify, with its own freshly generated key pair. */
export async function createTestSamlIdp(options: TestSamlIdpOptions = {}): Promise<TestSamlIdp> {
  const entityId = options.entityId ?? 'https://idp.test.example/metadata';
  const ssoUrl = options.ssoUrl ?? 'https://idp.test.example/sso';
  const signedParts = options.signedParts ?? 'assertion';
  const keys = options.keys ?? (await generateSpCredentials('Test IdP signing'));
  const idp = samlify.IdentityProvider({
    entityID: entityId,
    privateKey: keys.privateKeyPem,
    signingCert: keys.certificatePem,
    isAssertionEncrypted: options.encrypt ?? false,
    nameIDFormat: [NAMEID_EMAIL],
    wantAuthnRequestsSigned: true,
    singleSignOnService: [
      { Binding: REDIRECT, Location: ssoUrl },
      { Binding: POST, Location: ssoUrl },
    ],
    singleLogoutService: [{ Binding: REDIRECT, Location: `${ssoUrl}/logout` }],
  });

  return {
    entityId,
    ssoUrl,
    certificatePem: keys.certificatePem,
    privateKeyPem: keys.privateKeyPem,
    metadataXml: () => idp.getMetadata(),
    samlify: idp,
    async respond(input) {
      const sp = samlify.ServiceProvider({
        entityID: input.sp.entityId,
        assertionConsumerService: [{ Binding: POST, Location: input.sp.acsUrl }],
        wantAssertionsSigned: signedParts !== 'response',
        wantMessageSigned: signedParts !== 'assertion',
        encryptCert: input.sp.certificatePem,
      });
      const id = `_r${crypto.randomUUID()}`;
      const xml = responseXml({ ...input, id, entityId });
      const { context } = await idp.createLoginResponse(sp, {} as never, 'post', {}, {
        customTagReplacement: () => ({ id, context: xml }),
        // A signed Response around an encrypted assertion must be signed after encrypting.
        encryptThenSign: options.encrypt === true && signedParts !== 'assertion',
      });
      return context;
    },
  };
}

function responseXml(input: TestResponseInput & { id: string; entityId: string }): string {
  const now = input.now ?? new Date();
  const instant = now.toISOString();
  const later = new Date(now.getTime() + 5 * 60_000).toISOString();
  const irt = input.inResponseTo === undefined ? '' : ` InResponseTo="${esc(input.inResponseTo)}"`;
  const attributes = Object.entries(input.attributes ?? {})
    .map(([name, value]) => {
      const values = (Array.isArray(value) ? value : [value]).map((v) => `<saml:AttributeValue xsi:type="xs:string">${esc(v)}</saml:AttributeValue>`);
      return `<saml:Attribute Name="${esc(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">${values.join('')}</saml:Attribute>`;
    })
    .join('');
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${input.id}" Version="2.0" IssueInstant="${instant}" Destination="${esc(input.sp.acsUrl)}"${irt}>` +
    `<saml:Issuer>${esc(input.entityId)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="_a${crypto.randomUUID()}" Version="2.0" IssueInstant="${instant}">` +
    `<saml:Issuer>${esc(input.entityId)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${esc(input.nameIdFormat ?? NAMEID_EMAIL)}">${esc(input.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${later}" Recipient="${esc(input.sp.acsUrl)}"${irt}/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${instant}" NotOnOrAfter="${later}"><saml:AudienceRestriction><saml:Audience>${esc(input.sp.entityId)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${instant}" SessionIndex="${esc(input.sessionIndex ?? `_s${crypto.randomUUID()}`)}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : '') +
    `</saml:Assertion></samlp:Response>`
  );
}

function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
