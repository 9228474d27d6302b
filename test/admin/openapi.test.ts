/**
 * The admin API's OpenAPI document is valid OpenAPI 3.1, and it describes exactly the routes the
 * API serves: every route is in the document and every operation in the document is served.
 */
import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { createAdminApi } from '../../src/admin/api/index.ts';
import type { Database } from '../../src/db/index.ts';
import { SecretBox } from '../../src/secrets/index.ts';
import { TEST_PUBLIC_URL, TEST_SECRET } from '../support/app.ts';

// Building the routes and the document reads no database: nothing here runs a query.
const api = createAdminApi({ db: {} as Database, publicUrl: TEST_PUBLIC_URL, box: SecretBox.fromSecrets(TEST_SECRET), allowInsecureIdpUrls: false });

async function documentOf(): Promise<{ openapi: string; paths: Record<string, Record<string, unknown>> }> {
  const response = await api.request('/openapi.json');
  expect(response.status).toBe(200);
  return (await response.json()) as never;
}

describe('the admin API document', () => {
  it('is a valid OpenAPI 3.1 document, served without credentials', async () => {
    const document = await documentOf();
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document) as never);
    expect(result.valid, JSON.stringify(result, null, 2)).toBe(true);
  });

  it('describes exactly the routes the API serves', async () => {
    const document = await documentOf();
    const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);
    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) => Object.keys(operations).filter((m) => METHODS.has(m)).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const served = api.routes
      .filter((r) => r.method !== 'ALL' && r.path !== '/openapi.json')
      .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`)
      .sort();
    expect([...new Set(served)]).toEqual(documented);
    expect(documented.length).toBeGreaterThan(10);
  });

  it('documents problem details for every operation', async () => {
    const document = await documentOf();
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations as Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>)) {
        expect(operation.responses['401']?.content?.['application/problem+json'], `${method} ${path}`).toBeDefined();
        expect(operation.responses['403']?.content?.['application/problem+json'], `${method} ${path}`).toBeDefined();
      }
    }
  });
});
