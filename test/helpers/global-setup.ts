import { buildPgliteTemplate, buildPostgresTemplate, templateHash } from './template.ts'

type Provide = { provide: (key: 'templateHash', value: string) => void }

/** Builds the prepared PostgreSQL database once, before any test file of the project runs. */
export async function setupPostgresql({ provide }: Provide) {
  const url = process.env.DATABASE_URL
  if (!url)
    throw new Error(
      'DATABASE_URL is not set: run the suite with `npm test`, which starts PostgreSQL and Redis',
    )
  const hash = templateHash()
  await buildPostgresTemplate(url, hash)
  provide('templateHash', hash)
}

/** Builds the prepared PGlite dump once, before any test file of the project runs. */
export async function setupPglite({ provide }: Provide) {
  const hash = templateHash()
  await buildPgliteTemplate(hash)
  provide('templateHash', hash)
}
