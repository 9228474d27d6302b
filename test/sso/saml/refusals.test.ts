import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_SAML_MESSAGE_BYTES, buildAuthnRequestRedirect, validateSamlResponse } from '../../../src/sso/saml/index.ts';
import type { SamlIdpSettings, SamlRefusal, SamlSpSettings } from '../../../src/sso/saml/index.ts';
import { createTestSp, idpSettingsFor, memoryReplayCache } from './support/fixtures.ts';
import * as m from './support/mutations.ts';
import { createTestSamlIdp } from './support/test-idp.ts';
import type { TestSamlIdp } from './support/test-idp.ts';

// The IdP's clock and Roster's, fixed: nothing here depends on when the tests run.
const T = new Date('2031-03-14T09:00:00.000Z');
const SOON = new Date(T.getTime() + 60_000);

let sp: SamlSpSettings;
let idp: TestSamlIdp; // signs the assertion only (Entra's default)
let responseSigningIdp: TestSamlIdp; // signs the Response only
let attacker: m.SigningKey;
let requestId: string;
let settings: SamlIdpSettings;
/** The one valid response every refusal below is made from. */
let valid: string;
let validSignedResponse: string;

beforeAll(async () => {
  sp = await createTestSp();
  idp = await createTestSamlIdp({ signedParts: 'assertion' });
  responseSigningIdp = await createTestSamlIdp({ signedParts: 'response', keys: idp });
  attacker = await createTestSamlIdp().then((i) => ({ privateKeyPem: i.privateKeyPem, certificatePem: i.certificatePem }));
  settings = idpSettingsFor(idp);
  ({ requestId } = await buildAuthnRequestRedirect(sp, settings, { relayState: 'k', now: T }));
  valid = m.decodeResponse(await idp.respond({ sp, inResponseTo: requestId, nameId: 'ada@acme.example', now: T }));
  validSignedResponse = m.decodeResponse(await responseSigningIdp.respond({ sp, inResponseTo: requestId, nameId: 'ada@acme.example', now: T }));
});

async function check(xmlOrB64: { xml: string } | { b64: string }, overrides: Partial<SamlIdpSettings> = {}, extra: { expectedRequestId?: string | undefined; now?: Date } = {}) {
  return validateSamlResponse({
    sp,
    idp: { ...settings, ...overrides },
    samlResponse: 'xml' in xmlOrB64 ? m.encodeResponse(xmlOrB64.xml) : xmlOrB64.b64,
    expectedRequestId: 'expectedRequestId' in extra ? extra.expectedRequestId : requestId,
    now: extra.now ?? SOON,
    replay: memoryReplayCache(),
  });
}

async function expectRefused(result: Promise<Awaited<ReturnType<typeof check>>>, reason: SamlRefusal) {
  const outcome = await result;
  expect(outcome.ok ? 'accepted' : `${outcome.reason}: ${outcome.detail}`).toMatch(new RegExp(`^${reason}:`));
  return outcome as { ok: false; reason: SamlRefusal; detail: string };
}

describe('the base response', () => {
  it('is accepted unmutated, so each refusal below is caused by its mutation', async () => {
    expect((await check({ xml: valid })).ok).toBe(true);
    expect((await check({ xml: validSignedResponse }, { signedParts: 'response' })).ok).toBe(true);
  });
});

describe('before parsing', () => {
  it('refuses invalid base64 as malformed', () => expectRefused(check({ b64: 'PHNhbWxwOlJlc3Bvbn*=' }), 'malformed'));
  it('refuses a body over the cap as too_large', () =>
    expectRefused(check({ b64: Buffer.alloc(MAX_SAML_MESSAGE_BYTES + 1, 0x20).toString('base64') }), 'too_large'));
  it('refuses a DOCTYPE as unsafe_xml', () => expectRefused(check({ xml: m.addDoctype(valid) }), 'unsafe_xml'));
  it('refuses an entity declaration as unsafe_xml', () => expectRefused(check({ xml: m.addEntity(valid) }), 'unsafe_xml'));
  it('refuses a processing instruction as unsafe_xml', () => expectRefused(check({ xml: m.addProcessingInstruction(valid) }), 'unsafe_xml'));
  it('refuses a second root element as malformed', () => expectRefused(check({ xml: m.addSecondRoot(valid) }), 'malformed'));
});

describe('signatures', () => {
  it('refuses an unsigned response as unsigned', () => expectRefused(check({ xml: m.unsign(valid) }), 'unsigned'));
  it('refuses an assertion-signed response where the connection requires the Response signed', () =>
    expectRefused(check({ xml: valid }, { signedParts: 'response' }), 'unsigned'));
  it('refuses a Response-signed response where the connection requires both', () =>
    expectRefused(check({ xml: validSignedResponse }, { signedParts: 'both' }), 'unsigned'));
  it('refuses a broken Response signature even where only the assertion signature is required', async () => {
    const bothSigned = m.decodeResponse(
      await (await createTestSamlIdp({ signedParts: 'both', keys: idp })).respond({ sp, inResponseTo: requestId, nameId: 'ada@acme.example', now: T }),
    );
    const tampered = bothSigned.replace(/IssueInstant="([^"]+)"/, 'IssueInstant="2031-03-14T08:59:00.000Z"');
    expect(tampered).not.toBe(bothSigned);
    expect((await check({ xml: bothSigned })).ok).toBe(true);
    await expectRefused(check({ xml: tampered }), 'bad_signature');
  });
  it('refuses content changed after signing as bad_signature', () => expectRefused(check({ xml: m.tamperAfterSigning(valid) }), 'bad_signature'));
  it('refuses a signature by another key as bad_signature', () => expectRefused(check({ xml: m.signWithOtherKey(valid, attacker) }), 'bad_signature'));
  it("refuses another key whose certificate is in KeyInfo: keys come only from the connection's list", () =>
    expectRefused(check({ xml: m.signWithOtherKeyAndEmbedCert(valid, attacker) }), 'bad_signature'));
  it('refuses an RSA-SHA1 signature by the real IdP key as weak_algorithm', () =>
    expectRefused(check({ xml: m.sha1Signature(valid, idp) }), 'weak_algorithm'));
  it('refuses everything when the connection has no IdP certificate', () =>
    expectRefused(check({ xml: valid }, { certificates: [] }), 'idp_certificate_invalid'));
  it('refuses everything when one configured certificate is not a certificate', () =>
    expectRefused(check({ xml: valid }, { certificates: [idp.certificatePem, 'MIIBnotacert'] }), 'idp_certificate_invalid'));
});

describe('signature wrapping', () => {
  it.each([
    ['xsw1', () => m.xsw1(validSignedResponse), 'response', 'wrapped'],
    ['xsw2', () => m.xsw2(validSignedResponse), 'response', 'wrapped'],
    ['xsw3', () => m.xsw3(valid), 'assertion', 'multiple_assertions'],
    ['xsw4', () => m.xsw4(valid), 'assertion', 'wrapped'],
    ['xsw5', () => m.xsw5(valid), 'assertion', 'multiple_assertions'],
    ['xsw6', () => m.xsw6(valid), 'assertion', 'wrapped'],
    ['xsw7', () => m.xsw7(valid), 'assertion', 'wrapped'],
    ['xsw8', () => m.xsw8(valid), 'assertion', 'wrapped'],
  ] as const)('refuses %s', async (_name, mutate, signedParts, reason) => {
    const outcome = await expectRefused(check({ xml: mutate() }, { signedParts }), reason);
    expect(outcome.detail).not.toContain('attacker@evil.example');
  });
  it('refuses a duplicated assertion as multiple_assertions', () => expectRefused(check({ xml: m.duplicateAssertion(valid) }), 'multiple_assertions'));
});

describe('subject', () => {
  it('refuses a comment inside NameID (CVE-2017-11428) as comment_in_name_id', async () => {
    const signed = m.decodeResponse(await idp.respond({ sp, inResponseTo: requestId, nameId: 'user@acme.com.evil.com', now: T }));
    const mutated = m.commentInNameId(signed, 'user@acme.com.evil.com', 'user@acme.com');
    expect(mutated).toContain('user@acme.com<!---->.evil.com');
    await expectRefused(check({ xml: mutated }), 'comment_in_name_id');
  });
  it('refuses another issuer as wrong_issuer', () => expectRefused(check({ xml: m.setIssuer(valid, 'https://idp.other.example', idp) }), 'wrong_issuer'));
});

describe('audience, recipient and destination compare exactly', () => {
  const variants = (exact: string) => [
    ['longer (ours is a prefix of it)', `${exact}-evil`],
    ['shorter (it is a prefix of ours)', exact.slice(0, -1)],
    ['origin only', new URL(exact).origin],
  ];
  it.each(variants('https://roster.test.example/sso/saml/acme'))('refuses an Audience %s as wrong_audience', async (_n, value) => {
    await expectRefused(check({ xml: m.setAudience(valid, value, idp) }), 'wrong_audience');
  });
  it.each(variants('https://roster.test.example/sso/saml/acme/acs'))('refuses a Recipient %s as wrong_recipient', async (_n, value) => {
    await expectRefused(check({ xml: m.setRecipient(valid, value, idp) }), 'wrong_recipient');
  });
  it.each(variants('https://roster.test.example/sso/saml/acme/acs'))('refuses a Destination %s as wrong_destination', async (_n, value) => {
    await expectRefused(check({ xml: m.setDestination(validSignedResponse, value, idp) }, { signedParts: 'response' }), 'wrong_destination');
  });
  it('refuses a signed Response without Destination as wrong_destination', () =>
    expectRefused(check({ xml: m.setDestination(validSignedResponse, undefined, idp) }, { signedParts: 'response' }), 'wrong_destination'));
});

describe('time, with the connection clock skew (60 s)', () => {
  // The response is valid from T for five minutes.
  it('accepts at the edges of the skew', async () => {
    expect((await check({ xml: valid }, {}, { now: new Date(T.getTime() - 59_000) })).ok).toBe(true);
    expect((await check({ xml: valid }, {}, { now: new Date(T.getTime() + 5 * 60_000 + 59_000) })).ok).toBe(true);
  });
  it('refuses before NotBefore minus the skew as not_yet_valid', () =>
    expectRefused(check({ xml: valid }, {}, { now: new Date(T.getTime() - 61_000) }), 'not_yet_valid'));
  it('refuses after NotOnOrAfter plus the skew as expired', () =>
    expectRefused(check({ xml: valid }, {}, { now: new Date(T.getTime() + 6 * 60_000) }), 'expired'));
  it('refuses Conditions moved into the future as not_yet_valid', () =>
    expectRefused(check({ xml: m.shiftConditions(valid, 10 * 60_000, idp) }), 'not_yet_valid'));
  it('refuses Conditions moved into the past as expired', () =>
    expectRefused(check({ xml: m.shiftConditions(valid, -10 * 60_000, idp) }), 'expired'));
  it('refuses an expired subject confirmation with current Conditions as expired', async () => {
    const outcome = await expectRefused(
      // Conditions now run T+3 to T+8 min; the subject confirmation still ends at T+5 (+60 s skew).
      check({ xml: m.shiftConditions(valid, 3 * 60_000, idp) }, {}, { now: new Date(T.getTime() + 7 * 60_000) }),
      'expired',
    );
    expect(outcome.detail).toContain('subject confirmation');
  });
});

describe('InResponseTo and replay', () => {
  it('refuses an IdP-initiated response where the connection does not allow it as unsolicited', () =>
    expectRefused(check({ xml: m.setInResponseTo(valid, undefined, idp) }, {}, { expectedRequestId: undefined }), 'unsolicited'));
  it("ignores an unsigned Response's InResponseTo when the signed assertion answers no request", async () => {
    const idpInitiated = m.setInResponseTo(valid, undefined, idp);
    const wrapped = idpInitiated.replace('<samlp:Response ', `<samlp:Response InResponseTo="${requestId}" `);
    await expectRefused(check({ xml: wrapped }), 'in_response_to_mismatch');
  });
  it('refuses a response to another request as in_response_to_mismatch', () =>
    expectRefused(check({ xml: m.setInResponseTo(valid, '_another', idp) }), 'in_response_to_mismatch'));
  it('refuses a response answering a request when this flow issued none', () =>
    expectRefused(check({ xml: valid }, { allowIdpInitiated: true }, { expectedRequestId: undefined }), 'in_response_to_mismatch'));
  it('refuses an unsolicited response where the flow expects an answer', () =>
    expectRefused(check({ xml: m.setInResponseTo(valid, undefined, idp) }, { allowIdpInitiated: true }), 'in_response_to_mismatch'));
  it('refuses the same assertion twice as replayed', async () => {
    const replay = memoryReplayCache();
    const input = { sp, idp: settings, samlResponse: m.encodeResponse(valid), expectedRequestId: requestId, now: SOON, replay };
    expect((await validateSamlResponse(input)).ok).toBe(true);
    await expectRefused(validateSamlResponse(input), 'replayed');
    // Kept until the last instant it could be accepted: NotOnOrAfter plus the 60 s skew.
    expect([...replay.seen.values()][0]).toEqual(new Date(T.getTime() + 6 * 60_000));
  });
});

describe('status and encryption', () => {
  it('refuses a non-Success status, naming the codes', async () => {
    const outcome = await expectRefused(
      check({ xml: m.setStatus(valid, 'urn:oasis:names:tc:SAML:2.0:status:Responder', 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed') }),
      'status_not_success',
    );
    expect(outcome.detail).toContain('urn:oasis:names:tc:SAML:2.0:status:Responder');
    expect(outcome.detail).toContain('AuthnFailed');
  });
  it('refuses an assertion encrypted to another SP key as decryption_failed', async () => {
    const encryptingIdp = await createTestSamlIdp({ encrypt: true, keys: idp });
    const otherSp = { ...(await createTestSp()), entityId: sp.entityId, acsUrl: sp.acsUrl };
    const b64 = await encryptingIdp.respond({ sp: otherSp, inResponseTo: requestId, nameId: 'ada@acme.example', now: T });
    await expectRefused(check({ b64 }), 'decryption_failed');
  });
  it('refuses RSA PKCS#1 v1.5 key transport as weak_algorithm', async () => {
    const encryptingIdp = await createTestSamlIdp({ encrypt: true, keys: idp });
    const xml = m.decodeResponse(await encryptingIdp.respond({ sp, inResponseTo: requestId, nameId: 'ada@acme.example', now: T }));
    expect(xml).toContain('EncryptedAssertion');
    await expectRefused(check({ xml: m.weakenKeyTransport(xml) }), 'weak_algorithm');
  });
});
