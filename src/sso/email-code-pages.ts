/**
 * The pages of a sign-in with a one-time code: the form for the code, and the choice of an
 * organization when the address is a member of several. While signing in they never say whether
 * the address belongs to anyone: every address gets the same "if it can sign in, we sent a code".
 */
import { html } from 'hono/html';
import { EMAIL_CODE_TTL_SECONDS } from '../directory/index.ts';
import { page, type Html } from './pages.ts';

export interface CodeForm {
  /** Where the code is posted. */
  action: string;
  /** What the page says above the form: where the code went. */
  intro: Html | string;
  /** Fields posted with the code (e.g. the CSRF token of an invitation page). */
  hidden?: Record<string, string>;
  /** Why the last code was not accepted, and what to do. */
  problem?: string | undefined;
  /** Where to start again for a new code: a link, or a form posting `hidden` (when it needs them). */
  restart: { href: string; label: string } | { action: string; label: string };
  button?: string;
}

const hiddenFields = (fields: Record<string, string> | undefined) =>
  Object.entries(fields ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);

export function codeFormPage(form: CodeForm): Html {
  return page(
    'Enter your code',
    html`<h1>Check your email</h1>
<p>${form.intro}</p>
<form method="post" action="${form.action}">
${hiddenFields(form.hidden)}
<label for="code">Code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="12" required autofocus>
${form.problem ? html`<p role="alert">${form.problem}</p>` : ''}
<button type="submit">${form.button ?? 'Sign in'}</button>
</form>
${
  'href' in form.restart
    ? html`<p><a href="${form.restart.href}">${form.restart.label}</a></p>`
    : html`<form method="post" action="${form.restart.action}">${hiddenFields(form.hidden)}<button type="submit">${form.restart.label}</button></form>`
}`,
  );
}

/** The intro of the sign-in code form: the same words whether or not the address is a member's. */
export function sentIfMember(address: string): Html {
  return html`If <strong>${address}</strong> can sign in here, we sent it a code. It expires in ${EMAIL_CODE_TTL_SECONDS / 60} minutes and works only in this
browser. Codes can be asked for at most five times in fifteen minutes.`;
}

/** The address is a member of several organizations: the code, checked, signs in to the one chosen. */
export function chooseOrganizationPage(action: string, code: string, choices: { memberId: string; name: string }[]): Html {
  return page(
    'Choose an organization',
    html`<h1>Choose an organization</h1>
<p>Your address belongs to several organizations. Sign in to:</p>
${choices.map(
  (choice) => html`<form method="post" action="${action}"><input type="hidden" name="code" value="${code}"><input type="hidden" name="member" value="${choice.memberId}">
<button type="submit">${choice.name}</button></form>`,
)}`,
  );
}
