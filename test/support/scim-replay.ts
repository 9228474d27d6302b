/**
 * Replays a folder of scim-examples/ against the app, following the conventions of
 * scim-examples/README.md: placeholders, captures, partial body matching, ignore and absent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Hono } from 'hono';

export const EXAMPLES_DIR = fileURLToPath(new URL('../../scim-examples', import.meta.url));

interface Step {
  description: string;
  request: { method: string; path: string; encoded?: boolean; headers?: Record<string, string>; body?: unknown };
  response: { status: number; headers?: Record<string, string>; body?: unknown; ignore?: string[]; absent?: string[] };
  capture?: Record<string, string>;
}

export function exampleFolders(): string[] {
  return readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function loadSteps(folder: string): { file: string; step: Step }[] {
  const dir = path.join(EXAMPLES_DIR, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, step: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Step }));
}

/** Splits a path per the README: a `urn:` segment runs to the last colon. */
function segments(p: string): string[] {
  const out: string[] = [];
  let rest = p;
  while (rest.length > 0) {
    if (rest.startsWith('urn:')) {
      const dot = rest.indexOf('.', rest.lastIndexOf(':'));
      const lastColon = rest.lastIndexOf(':', dot === -1 ? undefined : dot);
      out.push(rest.slice(0, lastColon));
      rest = rest.slice(lastColon + 1);
      continue;
    }
    const dot = rest.indexOf('.');
    out.push(dot === -1 ? rest : rest.slice(0, dot));
    rest = dot === -1 ? '' : rest.slice(dot + 1);
  }
  return out;
}

function at(value: unknown, p: string): unknown {
  let current = value;
  for (const key of segments(p)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function substitute(value: unknown, vars: Record<string, unknown>, where: string): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{([^}]+)\}\}$/.exec(value);
    if (whole) return resolve(whole[1]!, vars, where);
    return value.replace(/\{\{([^}]+)\}\}/g, (_m, ref: string) => String(resolve(ref, vars, where)));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars, where));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars, where)]));
  }
  return value;
}

function resolve(ref: string, vars: Record<string, unknown>, where: string): unknown {
  const dot = ref.indexOf('.');
  const name = dot === -1 ? ref : ref.slice(0, dot);
  if (!(name in vars)) throw new Error(`${where}: unknown placeholder {{${ref}}}`);
  const value = dot === -1 ? vars[name] : at(vars[name], ref.slice(dot + 1));
  if (value === undefined) throw new Error(`${where}: placeholder {{${ref}}} leads nowhere`);
  return value;
}

function encodePath(p: string): string {
  const [pathname, query] = p.split(/\?(.*)/s, 2) as [string, string | undefined];
  const encodedPath = pathname.split('/').map((s) => encodeURIComponent(s)).join('/');
  if (query === undefined) return encodedPath;
  const pairs = query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    return eq === -1 ? encodeURIComponent(pair) : `${encodeURIComponent(pair.slice(0, eq))}=${encodeURIComponent(pair.slice(eq + 1))}`;
  });
  return `${encodedPath}?${pairs.join('&')}`;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
}

/** Partial match per the README; returns a description of the first mismatch, or undefined. */
function mismatch(expected: unknown, actual: unknown, where: string): string | undefined {
  if (expected === null) return isAbsent(actual) ? undefined : `${where}: expected absent, got ${JSON.stringify(actual)}`;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return `${where}: expected an array of ${expected.length}, got ${JSON.stringify(actual)}`;
    }
    const used = new Set<number>();
    for (const [i, e] of expected.entries()) {
      const j = actual.findIndex((a, k) => !used.has(k) && mismatch(e, a, where) === undefined);
      if (j === -1) return `${where}[${i}]: no element matches ${JSON.stringify(e)} in ${JSON.stringify(actual)}`;
      used.add(j);
    }
    return undefined;
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return `${where}: expected an object, got ${JSON.stringify(actual)}`;
    for (const [k, v] of Object.entries(expected)) {
      const m = mismatch(v, (actual as Record<string, unknown>)[k], `${where}.${k}`);
      if (m) return m;
    }
    return undefined;
  }
  return expected === actual ? undefined : `${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

/** Removes `ignore` paths from an expectation: they are checked for presence only. */
function withoutPaths(expected: unknown, paths: string[]): unknown {
  const copy = structuredClone(expected) as Record<string, unknown>;
  for (const p of paths) {
    const keys = segments(p);
    let node: unknown = copy;
    for (const key of keys.slice(0, -1)) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    if (node && typeof node === 'object') delete (node as Record<string, unknown>)[keys.at(-1)!];
  }
  return copy;
}

export async function replayFolder(app: Hono, folder: string, baseUrl: string, token: string): Promise<void> {
  const vars: Record<string, unknown> = { baseUrl };
  for (const { file, step } of loadSteps(folder)) {
    const where = `${folder}/${file}`;
    const req = substitute(step.request, vars, where) as Step['request'];
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, ...(req.headers ?? {}) };
    if (req.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/scim+json';
    }
    const url = `${baseUrl}${req.encoded ? req.path : encodePath(req.path)}`;
    const response = await app.request(url, {
      method: req.method,
      headers,
      ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
    });
    const text = await response.text();
    const body = text === '' ? undefined : (JSON.parse(text) as unknown);
    expect(response.status, `${where}: ${step.description}\n${text}`).toBe(step.response.status);
    if (step.response.status === 204) expect(text, `${where}: a 204 has no body`).toBe('');
    else if (text !== '') expect(response.headers.get('content-type'), where).toMatch(/^application\/scim\+json/);

    for (const [name, source] of Object.entries(step.capture ?? {})) {
      vars[name] = source === 'body' ? body : source.startsWith('headers.') ? response.headers.get(source.slice(8)) : at(body, source.slice(5));
      expect(vars[name], `${where}: capture ${name} from ${source}`).toBeDefined();
    }
    const expected = substitute(step.response, vars, where) as Step['response'];
    for (const [name, value] of Object.entries(expected.headers ?? {})) {
      expect(response.headers.get(name), `${where}: header ${name}`).toBe(value);
    }
    for (const p of expected.ignore ?? []) {
      expect(at(body, p) ?? null, `${where}: ${p} must be present`).not.toBeNull();
    }
    for (const p of expected.absent ?? []) {
      expect(isAbsent(at(body, p)), `${where}: ${p} must be absent, got ${JSON.stringify(at(body, p))}`).toBe(true);
    }
    if (expected.body !== undefined) {
      const problem = mismatch(withoutPaths(expected.body, expected.ignore ?? []), body, 'body');
      expect(problem, `${where}: ${step.description}\n${text}`).toBeUndefined();
    }
  }
}
