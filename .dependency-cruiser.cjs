/**
 * The house's dependency rules, checked by `npm run lint` (ADR 0009). Type-only imports count: a cycle through
 * types is still a cycle a reader has to untangle.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment:
        'Modules depend one way; a cycle (type-only imports included) means a shared piece wants a file of its own.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'jobs-use-server-base-only',
      severity: 'error',
      comment:
        'jobs/ runs beside or without the API server: it may use server/db, server/domain and server/config only. The worker is a composition root: it hands the report job its renderer (ADR 0016).',
      from: { path: '^jobs/', pathNot: '^jobs/worker\\.ts$' },
      to: { path: '^server/', pathNot: '^server/(db|domain|config\\.ts$)' },
    },
    {
      name: 'jobs-through-the-facade',
      severity: 'error',
      comment:
        'Outside jobs/, only the composition roots (server/main.ts, scripts) reach into jobs/; the API and the seeds start, cancel and read runs through jobs/api.ts.',
      from: { path: '^(schema|server|viewer|screen)/', pathNot: '^server/main\\.ts$' },
      to: { path: '^jobs/', pathNot: '^jobs/api\\.ts$' },
    },
    {
      name: 'server-base-stays-below',
      severity: 'error',
      comment:
        'server/db, server/domain and server/config are the base every layer stands on; they import nothing above.',
      from: { path: '^server/(db|domain|config\\.ts$)' },
      to: { path: '^(schema|jobs|viewer|bench|scripts)/|^server/(?!db/|domain/|config\\.ts$)' },
    },
    {
      name: 'schema-not-from-jobs-or-base',
      severity: 'error',
      comment: 'The GraphQL layer sits on top: jobs/ and the server base never import schema/.',
      from: { path: '^(jobs|server/(db|domain|auth))/' },
      to: { path: '^schema/' },
    },
    {
      name: 'viewer-core-knows-no-cesium',
      severity: 'error',
      comment: 'viewer/core is plain TypeScript; Cesium stays behind viewer/map.',
      from: { path: '^viewer/core/' },
      to: { path: '(^viewer/(map|ui)/)|cesium' },
    },
    {
      name: 'production-not-from-bench-or-test',
      severity: 'error',
      comment: 'Benchmarks and tests use the product, never the other way round.',
      from: { path: '^(server|schema|jobs|viewer|screen)/' },
      to: { path: '^(bench|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|generated)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
    skipAnalysisNotInRules: true,
  },
}
