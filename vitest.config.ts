import { defineConfig } from 'vitest/config';

// Tests named *.db.test.ts touch the database and run once per database kind; the rest run once.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.db.test.ts', 'node_modules/**'],
        },
      },
    ],
  },
});
