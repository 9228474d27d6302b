/**
 * What each IdP sends with its default setup, shaped after the IdPs' token references and captured
 * sign-ins: Entra's claim URIs, Okta's admin-defined attribute statements, Google's email NameID and
 * each provider's ID token. Ids are made up; their shapes are not.
 */
export const ENTRA_TENANT = '8f1c7a2e-4b1d-4e6b-9a0c-3d2f5e6a7b8c';
export const ENTRA_OBJECT_ID = 'c6a1f5d0-2b7e-4a3c-8e9f-0d1b2c3a4e5f';

const XMLSOAP = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';
const MS = 'http://schemas.microsoft.com/identity/claims';

/** Entra ID SAML: the default claims, groups claim on, NameID from the UPN as emailAddress format. */
export const entraSaml = () => ({
  nameId: 'frank.miller@contoso.com',
  nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  attributes: {
    [`${MS}/tenantid`]: [ENTRA_TENANT],
    [`${MS}/objectidentifier`]: [ENTRA_OBJECT_ID],
    [`${MS}/displayname`]: ['Frank Miller'],
    [`${MS}/identityprovider`]: [`https://sts.windows.net/${ENTRA_TENANT}/`],
    [`${MS}/authnmethodsreferences`]: ['http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password'],
    [`${XMLSOAP}/givenname`]: ['Frank'],
    [`${XMLSOAP}/surname`]: ['Miller'],
    [`${XMLSOAP}/emailaddress`]: ['Frank.Miller@Contoso.com'],
    [`${XMLSOAP}/name`]: ['frank.miller@contoso.com'],
    'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': [
      '07dd8a60-bf6d-4e17-8844-230b77145381',
      '5f1c2e3d-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
    ],
  } as Record<string, string[]>,
});

/** Okta SAML: NameID Unspecified = the Okta username; attribute and group statements named by the admin. */
export const oktaSaml = () => ({
  nameId: 'frank.miller@example.com',
  nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  attributes: {
    email: ['frank@example.com'],
    firstName: ['Frank'],
    lastName: ['Miller'],
    groups: ['Everyone', 'Engineering', 'Engineering'],
  } as Record<string, string[]>,
});

/** Google Workspace SAML: NameID Unspecified = the primary email; one mapped attribute. */
export const googleSaml = () => ({
  nameId: 'frank@example.com',
  nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  attributes: { firstName: ['Frank'] } as Record<string, string[]>,
});

/** Entra ID v2 ID token with the profile scope, the email optional claim and the groups claim. */
export const entraOidc = () => ({
  subject: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
  claims: {
    aud: '6cb04018-a3f5-46a7-b995-940c78f5aef3',
    iss: `https://login.microsoftonline.com/${ENTRA_TENANT}/v2.0`,
    iat: 1536361411,
    nbf: 1536361411,
    exp: 1536365311,
    aio: 'AXQAi/8IAAAAqxsuB+R4D2rFQqOETO4YdXbLD9kZ8xfXadeAM0Q2NkNT5izfg3uwbWSXhuSSj6UT5hy2D6WqApB5jKA6ZgZ9k/SU27uV9cetXfLOtpNttgk5DcBtk+LLstz/Jg+gYRmv9bUU4XlphTc6C86Jmj1FCw==',
    email: 'Frank.Miller@contoso.com',
    groups: ['07dd8a60-bf6d-4e17-8844-230b77145381'],
    name: 'Frank Miller',
    oid: ENTRA_OBJECT_ID,
    preferred_username: 'frank.miller@contoso.com',
    rh: 'I',
    sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
    tid: ENTRA_TENANT,
    uti: 'fqiBqXLPj0eQa82S-IYFAA',
    ver: '2.0',
  } as Record<string, unknown>,
});

/** Okta org authorization server ID token: groups claim configured, no email_verified. */
export const oktaOidc = () => ({
  subject: '00uid4BxXw6I6TV4m0g3',
  claims: {
    sub: '00uid4BxXw6I6TV4m0g3',
    name: 'Frank Miller',
    email: 'frank@example.com',
    ver: 1,
    iss: 'https://example.okta.com',
    aud: '0oaoesxtxmPf08QHk0h7',
    iat: 1524087436,
    exp: 1524091036,
    jti: 'ID.GqPMOZcnXGi5cqfWuqUfC7KWJ4DSrAjKzKUGFaOKcHM',
    amr: ['pwd'],
    idp: '00oid4Bx7ewWsd4vd0g3',
    nonce: 'n-0S6_WzA2Mj',
    preferred_username: 'frank.miller@example.com',
    auth_time: 1524087435,
    at_hash: 'preview_at_hash',
    groups: ['Everyone', 'Engineering'],
  } as Record<string, unknown>,
});

/** Google ID token of a Workspace account. */
export const googleOidc = () => ({
  subject: '110169484474386276334',
  claims: {
    iss: 'https://accounts.google.com',
    azp: '1234987819200.apps.googleusercontent.com',
    aud: '1234987819200.apps.googleusercontent.com',
    sub: '110169484474386276334',
    hd: 'example.com',
    email: 'frank@example.com',
    email_verified: true,
    at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q',
    name: 'Frank Miller',
    picture: 'https://lh3.googleusercontent.com/a/default-user=s96-c',
    given_name: 'Frank',
    family_name: 'Miller',
    iat: 1353601026,
    exp: 1353604926,
  } as Record<string, unknown>,
});
