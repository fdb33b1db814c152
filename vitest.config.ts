import { defineConfig } from 'vitest/config'

/**
 * Suites that touch the database run on both backends: real PostgreSQL + PostGIS (with Redis, started by
 * `npm test`) and the embedded PGlite default. Everything else runs once, in the PostgreSQL project.
 */
const SHARED = [
  'test/db/**/*.test.ts',
  'test/import/**/*.test.ts',
  'test/api/**/*.test.ts',
  'test/jobs/coverage/**/*.test.ts',
  'test/jobs/indicators/**/*.test.ts',
  'test/jobs/tiles/**/*.test.ts',
  'test/jobs/deadlines/**/*.test.ts',
  'test/jobs/zoning/**/*.test.ts',
  'test/jobs/projects/**/*.test.ts',
  'test/seed/**/*.test.ts',
]

export default defineConfig({
  // One copy of graphql-js: Vite would resolve the ESM build while Apollo and Pothos load the CommonJS one.
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    testTimeout: 120_000,
    hookTimeout: 600_000,
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'postgresql',
          include: ['test/**/*.test.ts'],
          env: { CITYCHECK_TEST_BACKEND: 'postgresql' },
          globalSetup: ['test/helpers/setup-postgresql.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'pglite',
          include: SHARED,
          env: { CITYCHECK_TEST_BACKEND: 'pglite' },
          globalSetup: ['test/helpers/setup-pglite.ts'],
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
})
