/**
 * Admission made by the handler. The reads identity providers make before every write — a lookup
 * by userName, a user by id — can admit their request in their own statement (admitWithRead):
 * the round trip of a separate admission was a third of the server's work for such a read. For
 * those requests authentication hands the handler a gate instead of a principal; the handler
 * either passes the gate's request to an admitting read and then `accept`s what it returned, or
 * calls `admit` before anything else.
 *
 * The settle middleware, mounted last before the routes, admits whatever a handler answered
 * without admitting (a malformed filter, say): no response leaves unadmitted, so a bad token is
 * 401 and an exhausted budget 429 whatever the handler would have said.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AdmissionRequest, ScimAdmission } from '../directory/index.ts';
import type { ScimVariables } from './auth.ts';
import type { ScimRequestError} from './errors.ts';
import { scimErrorFor } from './errors.ts';
import { applyRateLimitVerdict } from './rate-limit.ts';

type Env = { Variables: ScimVariables };

export class AdmissionGate {
  readonly request: AdmissionRequest;
  readonly #admit: (request: AdmissionRequest) => Promise<ScimAdmission | undefined>;
  readonly #refusal: () => ScimRequestError;
  #settled = false;
  /** Why the request was not admitted (401) or not allowed (429), thrown again if asked again. */
  #failure: ScimRequestError | undefined;

  constructor(
    request: AdmissionRequest,
    admit: (request: AdmissionRequest) => Promise<ScimAdmission | undefined>,
    refusal: () => ScimRequestError,
  ) {
    this.request = request;
    this.#admit = admit;
    this.#refusal = refusal;
  }

  get pending(): boolean {
    return !this.#settled;
  }

  /**
   * Acts on an admission made with this gate's request: names the principal and sets the rate
   * limit's headers, or throws the 401 or 429. Whatever was read with it is to be used only after.
   */
  accept(c: Context<Env>, admission: ScimAdmission | undefined): void {
    if (this.#settled) throw new Error('the request was already admitted');
    this.#settled = true;
    if (admission === undefined) {
      this.#failure = this.#refusal();
      throw this.#failure;
    }
    // Named even when the rate limit refuses it: refusals are logged, as they are without a gate.
    c.set('principal', admission.principal);
    c.set('rateLimit', admission.rateLimit);
    this.#failure = admission.rateLimit && applyRateLimitVerdict(c, admission.rateLimit);
    if (this.#failure) throw this.#failure;
  }

  /** Admits the request in a statement of its own, unless that is done; throws the 401 or 429. */
  async admit(c: Context<Env>): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (this.#settled) return;
    this.accept(c, await this.#admit(this.request));
  }
}

/** The gate of a request whose admission is still to be made, if it has one. */
export function pendingGate(c: Context<Env>): AdmissionGate | undefined {
  const gate = c.get('gate');
  return gate?.pending ? gate : undefined;
}

/** Mounted last before the routes: admits what a handler answered without admitting. */
export function scimAdmissionSettle(): MiddlewareHandler<Env> {
  return async function settleAdmission(c, next) {
    const gate = c.get('gate');
    if (gate === undefined) return next();
    await next();
    if (!gate.pending) return;
    try {
      await gate.admit(c);
    } catch (error) {
      // Dropped first, so that nothing of the unadmitted response (an ETag, say) is carried over;
      // the rate limit's headers, set on it by the admission, are set again on the refusal.
      c.res = undefined;
      c.res = scimErrorFor(c, error);
      const verdict = c.get('rateLimit');
      if (verdict !== undefined) applyRateLimitVerdict(c, verdict);
    }
  };
}
