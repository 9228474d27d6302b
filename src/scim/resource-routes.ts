/**
 * The HTTP side of a SCIM resource type (RFC 7644 §3.2–3.6): list, search, create, read, replace,
 * patch and delete. What differs between Users and Groups is in the adapter; the protocol rules
 * (status codes, ETags, Location, projection, list envelopes) are here once.
 */
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Database } from '../db/index.ts';
import {
  directoryContext,
  type Condition,
  type DirectoryContext,
  type ListPage,
  type ListQuery,
  type Precondition,
  type ScimPrincipal,
  type SortSpec,
} from '../directory/index.ts';
import type { ScimVariables } from './auth.ts';
import { scimError } from './errors.ts';
import { filterToCondition, sortByToSpec } from './filter/index.ts';
import { checkResourceSize, type ScimLimits } from './limits.ts';
import {
  parseEtagList,
  parseListParams,
  parseProjection,
  readJsonBody,
  readQueryParams,
  type ProjectionParams,
  type RawListParams,
} from './request.ts';
import { normalizeResource, parsePatchRequest, projectResource, type NormalizedResource, type PatchOperation } from './resource/index.ts';
import { etagOf, failure, scimJson, scimListJson } from './respond.ts';
import { LIST_RESPONSE_URN, SEARCH_REQUEST_URN, type ResourceSchemas } from './schema/index.ts';

export interface Stored {
  id: string;
  version: number;
}

export interface ResourceAdapter<S extends Stored> {
  kind: 'User' | 'Group';
  schemas: ResourceSchemas;
  /** Group PATCHes answer 204 unless the client asked for attributes (members are not echoed). */
  patchAnswersNoContent: boolean;
  /** The projection tells what related data (members, groups) will be shown, so reads load no more. */
  get(ctx: DirectoryContext, id: string, projection: ProjectionParams): Promise<S>;
  list(ctx: DirectoryContext, query: ListQuery, projection: ProjectionParams): Promise<ListPage<S>>;
  create(ctx: DirectoryContext, input: NormalizedResource): Promise<S>;
  replace(ctx: DirectoryContext, id: string, input: NormalizedResource, precondition: Precondition): Promise<S>;
  patch(ctx: DirectoryContext, id: string, operations: readonly PatchOperation[], precondition: Precondition): Promise<S>;
  remove(ctx: DirectoryContext, id: string, precondition: Precondition): Promise<void>;
  /** Full representations, loading related data (members, groups) only when the projection keeps it. */
  represent(ctx: DirectoryContext, baseUrl: string, items: S[], projection: ProjectionParams): Promise<Record<string, unknown>[]>;
}

export interface ResourceRoutesOptions {
  db: Database;
  publicUrl: string;
  limits: ScimLimits;
}

type Env = { Variables: ScimVariables };

export function resourceRoutes<S extends Stored>(adapter: ResourceAdapter<S>, options: ResourceRoutesOptions): Hono<Env> {
  const routes = new Hono<Env>();
  const { limits } = options;
  const contextOf = (c: Context<Env>) => directoryContext(options.db, principalOf(c));
  const baseUrlOf = (c: Context<Env>) => `${options.publicUrl}/scim/v2/${principalOf(c).directoryId}`;

  const render = async (c: Context<Env>, status: ContentfulStatusCode, item: S, projection: ProjectionParams) => {
    const [full] = await adapter.represent(contextOf(c), baseUrlOf(c), [item], projection);
    const body = projectResource(full!, adapter.schemas, projection);
    return scimJson(c, status, body, { ETag: etagOf(item.version) });
  };

  /** A POST or PUT body as a canonical resource, or the SCIM error response that explains why not. */
  const readResource = async (c: Context<Env>): Promise<NormalizedResource | Response> => {
    const body = await readJsonBody(c);
    if (!body.ok) return failure(c, body.error);
    const normalized = normalizeResource(body.value, adapter.kind, { resourceSchemas: adapter.schemas, maxMembers: limits.maxMembersPerOperation });
    if (!normalized.ok) return scimError(c, normalized.error.status, normalized.error.detail, normalized.error.scimType);
    checkResourceSize(normalized.value.document, limits);
    return normalized.value;
  };

  const list = async (c: Context<Env>, raw: RawListParams) => {
    const params = parseListParams(raw, limits);
    if (!params.ok) return failure(c, params.error);
    let condition: Condition | undefined;
    if (params.value.filter) {
      const resolved = filterToCondition(params.value.filter, adapter.kind);
      if (!resolved.ok) return scimError(c, 400, resolved.error.detail, resolved.error.scimType);
      condition = resolved.value;
    }
    let sort: SortSpec | undefined;
    if (params.value.sortBy) {
      const resolved = sortByToSpec(params.value.sortBy, params.value.sortOrder, adapter.kind);
      if (!resolved.ok) return scimError(c, 400, resolved.error.detail, 'invalidValue');
      sort = resolved.value;
    }
    const { startIndex, count } = params.value;
    const ctx = contextOf(c);
    const page = await adapter.list(ctx, { condition, sort, startIndex, count }, params.value);
    const full = await adapter.represent(ctx, baseUrlOf(c), page.items, params.value);
    const resources = serializeWithin(
      full.map((r) => projectResource(r, adapter.schemas, params.value)),
      limits.maxListBytes,
    );
    // RFC 7644 §3.4.2.4 allows fewer than `count`: itemsPerPage tells a client paging by
    // startIndex + itemsPerPage where the next page starts, and totalResults stays the total.
    return scimListJson(c, { schemas: [LIST_RESPONSE_URN], totalResults: page.total, startIndex, itemsPerPage: resources.length }, resources);
  };

  routes.get('/', (c) => list(c, queryParams(c)));

  // Resource ids never start with a dot, so `/.search` is never read as an id: a GET of it is a 405.
  const ONE = '/:id{[^./][^/]*}';

  routes.post('/.search', async (c) => {
    const body = await readJsonBody(c);
    if (!body.ok) return failure(c, body.error);
    const search = body.value as Record<string, unknown> | null;
    if (!isObject(search) || !hasSchema(search, SEARCH_REQUEST_URN)) {
      return scimError(c, 400, `a search request must be an object whose schemas include ${SEARCH_REQUEST_URN}`, 'invalidSyntax');
    }
    return list(c, search as RawListParams);
  });

  routes.post('/', async (c) => {
    const projection = parseProjection(queryParams(c));
    if (!projection.ok) return failure(c, projection.error);
    const input = await readResource(c);
    if (input instanceof Response) return input;
    const created = await adapter.create(contextOf(c), input);
    const response = await render(c, 201, created, projection.value);
    response.headers.set('Location', `${baseUrlOf(c)}/${adapter.kind}s/${created.id}`);
    return response;
  });

  routes.get(ONE, async (c) => {
    const projection = parseProjection(queryParams(c));
    if (!projection.ok) return failure(c, projection.error);
    const item = await adapter.get(contextOf(c), c.req.param('id'), projection.value);
    const ifNoneMatch = parseEtagList(c.req.header('If-None-Match'));
    if (ifNoneMatch === '*' || ifNoneMatch?.includes(String(item.version))) {
      return c.body(null, 304, { ETag: etagOf(item.version) });
    }
    return render(c, 200, item, projection.value);
  });

  routes.put(ONE, async (c) => {
    const projection = parseProjection(queryParams(c));
    if (!projection.ok) return failure(c, projection.error);
    const input = await readResource(c);
    if (input instanceof Response) return input;
    const updated = await adapter.replace(contextOf(c), c.req.param('id'), input, precondition(c));
    return render(c, 200, updated, projection.value);
  });

  routes.patch(ONE, async (c) => {
    const query = queryParams(c);
    const projection = parseProjection(query);
    if (!projection.ok) return failure(c, projection.error);
    const body = await readJsonBody(c);
    if (!body.ok) return failure(c, body.error);
    const operations = parsePatchRequest(body.value, {
      maxOperations: limits.maxPatchOperations,
      path: { maxLength: limits.maxFilterLength, maxDepth: limits.maxFilterDepth },
    });
    if (!operations.ok) return scimError(c, operations.error.status, operations.error.detail, operations.error.scimType);
    const updated = await adapter.patch(contextOf(c), c.req.param('id'), operations.value, precondition(c));
    const askedForAttributes = query.attributes !== undefined || query.excludedAttributes !== undefined;
    if (adapter.patchAnswersNoContent && !askedForAttributes) return c.body(null, 204, { ETag: etagOf(updated.version) });
    return render(c, 200, updated, projection.value);
  });

  routes.delete(ONE, async (c) => {
    await adapter.remove(contextOf(c), c.req.param('id'), precondition(c));
    return c.body(null, 204);
  });

  return routes;
}

/**
 * Each resource serialized, in order, while the page stays within `maxBytes`; the first one is
 * always kept, whatever its size, so a client paging through always moves on.
 */
function serializeWithin(resources: readonly Record<string, unknown>[], maxBytes: number): string[] {
  const out: string[] = [];
  let bytes = 0;
  for (const resource of resources) {
    const text = JSON.stringify(resource);
    const size = Buffer.byteLength(text);
    if (out.length > 0 && bytes + size > maxBytes) break;
    out.push(text);
    bytes += size;
  }
  return out;
}

/** Who authenticated the request; the authentication middleware sets it before any handler runs. */
function principalOf(c: Context<Env>): ScimPrincipal {
  const principal = c.get('principal') as ScimPrincipal | undefined;
  if (principal === undefined) throw new Error('a SCIM handler ran without an authenticated principal');
  return principal;
}

/** If-Match, as the versions a write may apply to. */
function precondition(c: Context): Precondition {
  const tags = parseEtagList(c.req.header('If-Match'));
  if (tags === undefined || tags === '*') return {};
  return { expectedVersions: tags.map((t) => (/^\d+$/.test(t) ? Number(t) : -1)) };
}

/** Query parameters with case-insensitive names, decoded strictly (see readQueryParams). */
function queryParams(c: Context): RawListParams {
  return readQueryParams(c.req.url);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasSchema(body: Record<string, unknown>, urn: string): boolean {
  return Array.isArray(body.schemas) && body.schemas.some((s) => typeof s === 'string' && s.toLowerCase() === urn.toLowerCase());
}

