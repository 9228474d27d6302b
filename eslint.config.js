// Lint: typescript-eslint's recommended rules, plus the folder boundaries of the architecture
// (see README "Architecture"), which are cheap to enforce with no-restricted-imports.
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * A module may import files of its own folder and of the folders above it; any other folder it
 * reaches through that folder's index.ts, its public surface.
 */
const throughIndex = {
  meta: { type: 'problem', schema: [], messages: { inside: "import {{folder}}/index.ts, not {{file}}: a folder's index.ts is its public surface" } },
  create(context) {
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const from = path.dirname(context.filename);
      const target = path.resolve(from, spec);
      const folder = path.dirname(target);
      const ownOrAbove = from === folder || from.startsWith(folder + path.sep);
      if (ownOrAbove || path.basename(target) === 'index.ts') return;
      context.report({ node: node.source, messageId: 'inside', data: { folder: path.relative(from, folder) || '.', file: spec } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

const forbid = (...groups) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: groups.map(([group, message]) => ({ group, message })),
    },
  ],
});

const HONO = [['hono', 'hono/*', '@hono/*'], 'the domain and the database know nothing of HTTP'];
const PROTOCOLS = [['**/scim/**', '**/sso/**', '**/admin/**', '**/cli/**', '**/http/**'], 'this layer must not depend on the protocol and operator layers'];

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'coverage/', 'drizzle/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    plugins: { roster: { rules: { 'through-index': throughIndex } } },
    rules: { 'roster/through-index': 'error' },
  },
  { files: ['src/directory/**/*.ts', 'src/db/**/*.ts'], rules: forbid(HONO, PROTOCOLS) },
  {
    files: ['src/jobs/**/*.ts'],
    rules: forbid([['hono', 'hono/*', '@hono/*', '**/scim/**', '**/sso/**', '**/admin/**', '**/cli/**'], 'background jobs call the domain, never a protocol']),
  },
  {
    files: ['src/ids.ts', 'src/errors.ts', 'src/config.ts'],
    rules: forbid([['./*', '../*', '!./ids.ts', '!./errors.ts'], 'ids, errors and config are leaves']),
  },
  {
    files: ['src/scim/**/*.ts', 'src/sso/**/*.ts'],
    rules: forbid([['**/db/**', '!**/db/index.ts'], 'protocol code goes through the domain, not the database'], [['**/admin/**', '**/cli/**'], 'protocol code does not depend on operator code']),
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: forbid(
      [['hono', 'hono/*', '@hono/*', '**/scim/**', '**/sso/**'], 'the CLI calls operations, never the HTTP app'],
      [['**/main.ts', '!./main.ts', '**/app.ts'], 'only the process entry wires things together; the CLI starts the server through server.ts'],
    ),
  },
  {
    files: ['bin/*.js', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
  },
);
