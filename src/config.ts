/**
 * The environment, validated once at start-up and resolved into one frozen Config. A bad value
 * stops start-up with a single line naming the variable; no secret ever has a default.
 */
import path from 'node:path';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly port: number;
  readonly host: string;
  /** External base URL without a trailing slash; absent only while PORT=0 awaits its real port. */
  readonly publicUrl: string | undefined;
  readonly logLevel: LogLevel;
  readonly database:
    | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number }
    | { readonly kind: 'pglite'; readonly dataDir: string };
  /** Directory for the embedded database, its generated secret and its server lock. */
  readonly dataDir: string;
  /** Master key for secrets at rest; in embedded mode it may still be unset until loadOrCreateSecret. */
  readonly secret: string | undefined;
  /** The secret being rotated away from: values sealed with it still open until `roster secret rotate` re-seals them. */
  readonly previousSecret: string | undefined;
  /** Allows http:// IdP metadata, discovery and token URLs: only for local testing against IdPs on loopback. */
  readonly allowInsecureIdpUrls: boolean;
  readonly maxBodyBytes: number;
  /** Largest SCIM resource stored, in bytes of its document's JSON. */
  readonly scimMaxResourceBytes: number;
  readonly shutdownTimeoutMs: number;
  /** SCIM requests allowed per bearer token per minute, shared by every instance; 0 disables the limit. */
  readonly scimRateLimitPerMinute: number;
  /** How long SCIM request-log entries are kept before they are pruned. */
  readonly scimRequestLogRetentionDays: number;
  /** The SMTP server emails are sent through (smtp:// or smtps://, credentials in the URL); absent, emails are written to the log. */
  readonly smtpUrl: string | undefined;
  /** The From of every email Roster sends. */
  readonly mailFrom: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const integer = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return fallback;
      const value = Number(raw);
      if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max} (got "${raw}")` });
        return z.NEVER;
      }
      return value;
    });

const optionalString = z
  .string()
  .optional()
  .transform((raw) => (raw === undefined || raw.trim() === '' ? undefined : raw.trim()));

const envSchema = z.object({
  PORT: integer('PORT', 0, 65535, 3000),
  HOST: optionalString.transform((v) => v ?? '127.0.0.1'),
  PUBLIC_URL: optionalString.transform((raw, ctx) => {
    if (raw === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: `PUBLIC_URL must be an absolute http(s) URL (got "${raw}")` });
      return z.NEVER;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `PUBLIC_URL must use http or https (got "${url.protocol}")` });
      return z.NEVER;
    }
    if (url.search || url.hash) {
      ctx.addIssue({ code: 'custom', message: 'PUBLIC_URL must not carry a query string or fragment' });
      return z.NEVER;
    }
    return url.href.replace(/\/+$/, '');
  }),
  LOG_LEVEL: optionalString.transform((raw, ctx) => {
    const level = (raw ?? 'info').toLowerCase();
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      ctx.addIssue({ code: 'custom', message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${raw}")` });
      return z.NEVER;
    }
    return level as LogLevel;
  }),
  DATABASE_URL: optionalString.transform((raw, ctx) => {
    if (raw === undefined) return undefined;
    if (!/^postgres(ql)?:\/\//i.test(raw)) {
      ctx.addIssue({
        code: 'custom',
        message: 'DATABASE_URL must start with postgres:// or postgresql:// (unset it to use the embedded database)',
      });
      return z.NEVER;
    }
    try {
      new URL(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'DATABASE_URL is not a valid URL' });
      return z.NEVER;
    }
    return raw;
  }),
  DATA_DIR: optionalString.transform((v) => path.resolve(v ?? './data')),
  ROSTER_SECRET: optionalString.transform((raw, ctx) => {
    if (raw !== undefined && raw.length < 32) {
      ctx.addIssue({
        code: 'custom',
        message: `ROSTER_SECRET must be at least 32 characters (got ${raw.length}); generate one with: openssl rand -base64 32`,
      });
      return z.NEVER;
    }
    return raw;
  }),
  ROSTER_SECRET_PREVIOUS: optionalString.transform((raw, ctx) => {
    if (raw !== undefined && raw.length < 32) {
      ctx.addIssue({ code: 'custom', message: `ROSTER_SECRET_PREVIOUS must be at least 32 characters (got ${raw.length})` });
      return z.NEVER;
    }
    return raw;
  }),
  ALLOW_INSECURE_IDP_URLS: optionalString.transform((raw, ctx) => {
    if (raw === undefined || raw === 'false') return false;
    if (raw === 'true') return true;
    ctx.addIssue({ code: 'custom', message: `ALLOW_INSECURE_IDP_URLS must be true or false (got "${raw}")` });
    return z.NEVER;
  }),
  // Few connections, each carrying a pipeline of statements, do more on a small database server
  // than many connections taking turns: with 4 instead of 10 on a 2-core machine, Roster answered
  // half as many requests again (fewer socket writes, fewer backends switching). Raise it for a
  // database server with more cores.
  DATABASE_POOL_SIZE: integer('DATABASE_POOL_SIZE', 2, 100, 4),
  MAX_BODY_BYTES: integer('MAX_BODY_BYTES', 1024, 64 * 1024 * 1024, 2 * 1024 * 1024),
  SCIM_MAX_RESOURCE_BYTES: integer('SCIM_MAX_RESOURCE_BYTES', 1024, 16 * 1024 * 1024, 64 * 1024),
  SHUTDOWN_TIMEOUT_MS: integer('SHUTDOWN_TIMEOUT_MS', 0, 600_000, 10_000),
  // 100 requests a second per token: room for a full sync by any IdP, yet a runaway client cannot
  // monopolise the database.
  SCIM_RATE_LIMIT_PER_MINUTE: integer('SCIM_RATE_LIMIT_PER_MINUTE', 0, 1_000_000, 6000),
  SCIM_REQUEST_LOG_RETENTION_DAYS: integer('SCIM_REQUEST_LOG_RETENTION_DAYS', 1, 3650, 30),
  // The URL may hold a password: messages about it never repeat it.
  SMTP_URL: optionalString.transform((raw, ctx) => {
    if (raw === undefined) return undefined;
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || url.hostname === '') {
      ctx.addIssue({
        code: 'custom',
        message: 'SMTP_URL must be smtp://user:password@host:port (STARTTLS when the server offers it) or smtps://… (TLS from the start)',
      });
      return z.NEVER;
    }
    return raw;
  }),
  MAIL_FROM: optionalString.transform((raw, ctx) => {
    const from = raw ?? 'Roster <roster@localhost>';
    if (!/^(?:[^<>\r\n]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/.test(from)) {
      ctx.addIssue({ code: 'custom', message: `MAIL_FROM must be an address, e.g. "Acme <no-reply@acme.com>" or no-reply@acme.com (got "${from}")` });
      return z.NEVER;
    }
    return from;
  }),
});

/**
 * Parses the environment. Throws ConfigError whose message is one line naming the variable.
 * Only the variables Roster knows are read, so the rest of the environment never leaks in.
 */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = issue?.path.join('.') ?? 'environment';
    const message = issue?.message ?? 'invalid value';
    throw new ConfigError(message.startsWith(variable) ? message : `${variable}: ${message}`);
  }
  const e = result.data;
  if (e.DATABASE_URL !== undefined && e.ROSTER_SECRET === undefined) {
    throw new ConfigError(
      'ROSTER_SECRET is required with DATABASE_URL (at least 32 characters; generate one with: openssl rand -base64 32)',
    );
  }
  const publicUrl = e.PUBLIC_URL ?? (e.PORT === 0 ? undefined : `http://${hostForUrl(e.HOST)}:${e.PORT}`);
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    logLevel: e.LOG_LEVEL,
    database: Object.freeze(
      e.DATABASE_URL !== undefined
        ? { kind: 'postgres' as const, url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
        : { kind: 'pglite' as const, dataDir: path.join(e.DATA_DIR, 'pglite') },
    ),
    dataDir: e.DATA_DIR,
    secret: e.ROSTER_SECRET,
    previousSecret: e.ROSTER_SECRET_PREVIOUS,
    allowInsecureIdpUrls: e.ALLOW_INSECURE_IDP_URLS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    scimMaxResourceBytes: e.SCIM_MAX_RESOURCE_BYTES,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    scimRateLimitPerMinute: e.SCIM_RATE_LIMIT_PER_MINUTE,
    scimRequestLogRetentionDays: e.SCIM_REQUEST_LOG_RETENTION_DAYS,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
  });
}

/** A config whose PORT=0 has been bound: PUBLIC_URL defaults to the real address. */
export function withListeningPort(config: Config, port: number): Config {
  if (config.publicUrl !== undefined) return config;
  return Object.freeze({ ...config, publicUrl: `http://${hostForUrl(config.host)}:${port}` });
}

/** The public base URL, which every caller needs only once the server knows its port. */
export function publicUrlOf(config: Config): string {
  if (config.publicUrl === undefined) throw new Error('PUBLIC_URL is not resolved before the server listens');
  return config.publicUrl;
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
