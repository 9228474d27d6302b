/**
 * The few pages a person may see on Roster itself during a sign-in: the work-email prompt, a
 * choice between connections, and a failure page that shows a reference id and nothing else
 * (the reason is in the sign-in log and the server log, never in the page). The pages of email
 * codes and invitations build on `page`.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

const STYLE = raw(
  '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#222}' +
    'input,button{font:inherit;padding:.5rem;margin:.25rem 0;width:100%;box-sizing:border-box}code{background:#eee;padding:.1rem .3rem}</style>',
);

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export function page(title: string, body: Html): Html {
  return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${title}</title>${STYLE}</head>
<body>${body}</body></html>`;
}

export function emailPage(action: string, problem?: string, value?: string): Html {
  return page(
    'Sign in',
    html`<h1>Sign in</h1>
<form method="post" action="${action}">
<label for="email">Work email</label>
<input id="email" name="email" type="email" autocomplete="email" required autofocus${value === undefined ? '' : html` value="${value}"`}>
${problem ? html`<p role="alert">${problem}</p>` : ''}
<button type="submit">Continue</button>
</form>`,
  );
}

export function chooseConnectionPage(choices: { href: string; name: string }[]): Html {
  return page(
    'Choose how to sign in',
    html`<h1>Choose how to sign in</h1><ul>${choices.map((c) => html`<li><a href="${c.href}">${c.name}</a></li>`)}</ul>`,
  );
}

export function failurePage(reference: string): Html {
  return page(
    'Sign-in failed',
    html`<h1>We could not sign you in</h1>
<p>Your sign-in did not complete. Try again from the app; if it keeps failing, give your administrator this reference:</p>
<p><code>${reference}</code></p>`,
  );
}
