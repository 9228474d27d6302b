/**
 * The pages of an invitation link: what the invitation is (organization, address, role) and how to
 * accept it, or why the link no longer works. Every form carries the CSRF token of the page's cookie.
 */
import { html } from 'hono/html';
import type { InvitationView } from '../directory/index.ts';
import { page, type Html } from './pages.ts';

/** "Mon, 14 Dec 2026 10:00 UTC": unambiguous whatever the reader's locale. */
const whenText = (date: Date) => `${date.toUTCString().replace(/:\d\d GMT$/, '')} UTC`;

export function invitationPage(view: InvitationView, forms: { csrf: string; ssoAction: string; codeAction: string }): Html {
  const accept = view.signsInWithSso
    ? html`<p>${view.organization.name} signs its people in with single sign-on. Sign in there as <strong>${view.email}</strong> to accept.</p>
<form method="post" action="${forms.ssoAction}"><input type="hidden" name="csrf" value="${forms.csrf}"><button type="submit">Continue with single sign-on</button></form>`
    : html`<p>To accept, we email a one-time code to <strong>${view.email}</strong>.</p>
<form method="post" action="${forms.codeAction}"><input type="hidden" name="csrf" value="${forms.csrf}"><button type="submit">Email me a code</button></form>`;
  return page(
    `Join ${view.organization.name}`,
    html`<h1>Join ${view.organization.name}</h1>
<p>You are invited to <strong>${view.organization.name}</strong> as <strong>${view.role.name}</strong>, with the address <strong>${view.email}</strong>.</p>
${accept}
<p><small>The invitation expires on ${whenText(view.expiresAt)}.</small></p>`,
  );
}

export function invitationInvalidPage(): Html {
  return page(
    'Invitation link no longer valid',
    html`<h1>This invitation link is no longer valid</h1>
<p>It was already used, withdrawn, or replaced by a newer invitation email. If you accepted it already, sign in as usual;
otherwise ask the person who invited you to send a new invitation.</p>`,
  );
}

export function invitationExpiredPage(view: Pick<InvitationView, 'organization' | 'expiresAt'>): Html {
  return page(
    'Invitation expired',
    html`<h1>This invitation has expired</h1>
<p>The invitation to <strong>${view.organization.name}</strong> expired on ${whenText(view.expiresAt)}. Ask the person who invited you, or an
administrator of ${view.organization.name}, to send you a new one.</p>`,
  );
}

/** A form posted without the cookie of the page it came from (another site, or an old tab). */
export function invitationFormExpiredPage(href: string): Html {
  return page(
    'Open the invitation again',
    html`<h1>Open the invitation again</h1>
<p>This form was not sent from the invitation page in this browser. <a href="${href}">Open the invitation</a> and try again.</p>`,
  );
}

export function invitationThrottledPage(message: string, href: string): Html {
  return page(
    'Too many codes',
    html`<h1>Too many codes</h1>
<p>${message}.</p>
<p><a href="${href}">Back to the invitation</a></p>`,
  );
}
