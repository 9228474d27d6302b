import { describe, it } from 'vitest';
import { testDatabaseKind, useTestDatabase } from '../support/database.ts';
import { createTestDirectory } from '../support/factories.ts';
import { buildTestApp, TEST_PUBLIC_URL } from '../support/app.ts';
import { exampleFolders, replayFolder } from '../support/scim-replay.ts';

const database = useTestDatabase();

// One conformance suite per identity provider: every step of scim-examples/<folder>, in order,
// against a fresh directory, over the real HTTP app and database.
describe(`SCIM conformance replay on ${testDatabaseKind}`, () => {
  for (const folder of exampleFolders()) {
    it(`${folder} sequence`, async () => {
      const { app } = buildTestApp(database.handle);
      const { directory, token } = await createTestDirectory(database.handle, folder === 'entra' ? 'entra' : 'okta');
      await replayFolder(app, folder, `${TEST_PUBLIC_URL}/scim/v2/${directory.id}`, token);
    });
  }
});
