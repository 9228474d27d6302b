import { defineConfig } from 'drizzle-kit';

// One migration history serves PostgreSQL and PGlite alike; keep it PostgreSQL 15 compatible.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './drizzle',
});
