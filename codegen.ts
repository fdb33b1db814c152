import type { CodegenConfig } from '@graphql-codegen/cli'
// graphql's CommonJS entry, the copy Pothos and Apollo load: under Vite's resolver (vitest) a bare `graphql`
// would be the ESM copy, and graphql-js refuses schema objects from another copy.
import { lexicographicSortSchema, printSchema } from 'graphql/index.js'
import { schema } from './schema/index.ts'

// The Pothos schema is the source: codegen reads its SDL, prints it as schema.graphql (committed, and a test
// fails when it is stale) and types the documents of the tests and the viewer against it.
const sdl = printSchema(lexicographicSortSchema(schema))

const scalars = {
  GeoJSON: { input: 'import("geojson").Geometry', output: 'import("geojson").Geometry' },
  DateTime: 'string',
  JSON: 'unknown',
}

const clientConfig = {
  documentMode: 'string' as const,
  useTypeImports: true,
  enumsAsTypes: true,
  skipTypename: true,
  avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
  scalars,
}

const config: CodegenConfig = {
  overwrite: true,
  schema: sdl,
  // The viewer may have no documents yet; codegen must not fail for that.
  ignoreNoDocuments: true,
  generates: {
    'schema.graphql': {
      plugins: ['schema-ast'],
      config: { includeDirectives: false, commentDescriptions: false },
    },
    'test/generated/': {
      preset: 'client',
      documents: ['test/**/*.ts', '!test/generated/**'],
      presetConfig: { fragmentMasking: false },
      config: clientConfig,
    },
    'viewer/generated/': {
      preset: 'client',
      documents: ['viewer/**/*.{ts,tsx,graphql}', '!viewer/generated/**'],
      presetConfig: { fragmentMasking: false },
      config: clientConfig,
    },
    'screen/generated/': {
      preset: 'client',
      documents: ['screen/**/*.ts', '!screen/generated/**'],
      presetConfig: { fragmentMasking: false },
      config: clientConfig,
    },
  },
}

export default config
