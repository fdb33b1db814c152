import type { SQL } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import type { Role } from '../../../server/auth/identity.ts'
import { signToken } from '../../../server/auth/token.ts'
import { loadConfig } from '../../../server/config.ts'
import type { Database } from '../../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../../server/http.ts'
import type { TypedDocumentString } from '../../generated/graphql.ts'
import { openTestDatabase } from '../../helpers/database.ts'

export const TEST_JWT_SECRET = 'citycheck-api-tests-secret'

const dialect = new PgDialect()

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number
  contentType: string
  body: {
    data?: T | null
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[]
  }
}

export interface RequestOptions {
  token?: string | null
  headers?: Record<string, string>
}

export interface Api {
  url: string
  database: Database
  /** SQL text of every statement the API ran since the last `resetStatements()`. */
  statements: string[]
  resetStatements(): void
  /** Sends any query string (also invalid ones) and returns status and body. */
  request<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: RequestOptions,
  ): Promise<GraphQLResponse<T>>
  /** Runs a typed document and fails the test on any error. */
  query<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    variables?: TVariables,
    options?: RequestOptions,
  ): Promise<TResult>
  close(): Promise<void>
}

/**
 * Records each statement: the API reaches the database through `Database.rows`, or on PostgreSQL through the
 * pool with prepared statements (server/graphql/prepared.ts); both are logged, each once.
 */
export function countingDatabase(database: Database, log: string[]): Database {
  const record = (text: string) => log.push(text.replace(/\s+/g, ' ').trim())
  const pool = database.pool
  return {
    ...database,
    rows: <T>(query: SQL) => {
      record(dialect.sqlToQuery(query).sql)
      return database.rows<T>(query)
    },
    ...(pool
      ? {
          pool: new Proxy(pool, {
            get(target, property, receiver) {
              if (property !== 'query') return Reflect.get(target, property, receiver)
              return (config: { text: string }, ...rest: unknown[]) => {
                record(typeof config === 'string' ? config : config.text)
                return (target.query as (...args: unknown[]) => unknown).call(target, config, ...rest)
              }
            },
          }),
        }
      : {}),
  }
}

/** The whole HTTP pipeline on port 0, over a fresh test database (or the one given). */
export async function startApi(
  options: { database?: Database; wrap?: (db: Database) => Database } = {},
): Promise<Api> {
  const database = options.database ?? (await openTestDatabase())
  const statements: string[] = []
  const served = (options.wrap ?? ((db) => db))(countingDatabase(database, statements))
  const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: TEST_JWT_SECRET }
  const server: RunningServer = await startHttpServer({ config, database: served })
  const endpoint = `${server.url}/graphql`

  const request = async <T>(
    query: string,
    variables?: Record<string, unknown>,
    opts: RequestOptions = {},
  ) => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...opts.headers,
    }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`
    const response = await fetch(endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    })
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: (await response.json()) as GraphQLResponse<T>['body'],
    }
  }

  return {
    url: server.url,
    database,
    statements,
    resetStatements: () => {
      statements.length = 0
    },
    request,
    async query(document, variables, opts) {
      const response = await request<never>(document.toString(), variables as Record<string, unknown>, opts)
      if (response.body.errors?.length || response.status !== 200) {
        throw new Error(
          `GraphQL request failed (${response.status}): ${JSON.stringify(response.body.errors)}`,
        )
      }
      return response.body.data as never
    },
    close: async () => {
      await server.close()
      if (!options.database) await database.close()
    },
  }
}

/**
 * An untyped GraphQL POST to `${baseUrl}/graphql`, for tests that start their own server (e.g. with a job runner)
 * and read the JSON response field by field.
 */
export async function postGraphql(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  // biome-ignore lint/suspicious/noExplicitAny: the tests read untyped JSON responses field by field
): Promise<{ data?: any; errors?: any[] }> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  })
  // biome-ignore lint/suspicious/noExplicitAny: as above
  return (await response.json()) as { data?: any; errors?: any[] }
}

/** A bearer token signed with the test key. */
export function tokenFor(
  role: Role,
  region?: string,
  extra: { department?: string; expiresIn?: number } = {},
) {
  return signToken(
    { sub: `test-${role}-${region ?? 'none'}`, role, region, department: extra.department },
    TEST_JWT_SECRET,
    { expiresIn: extra.expiresIn ?? 3600 },
  )
}

/** The `extensions.code` of every error in a response. */
export function errorCodes(response: GraphQLResponse<unknown>): string[] {
  return (response.body.errors ?? []).map((e) => String(e.extensions?.code))
}
