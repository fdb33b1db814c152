/**
 * Open311 services: the problem types residents may report (`problem_types.reportable`), and a service's
 * definition with its attributes, read from the type's `attributes` as the routing engineer seeds them.
 */
import { sql } from 'drizzle-orm'
import type { Database } from '../db/client.ts'
import { Open311Error, type Value } from './format.ts'

interface ServiceRow {
  code: string
  name: string
  nameEn: string | null
  description: string | null
  group: string | null
  attributes: Record<string, unknown>[]
}

/** A problem type's attribute as stored: the spec's fields, some of them optional. */
interface StoredAttribute {
  code?: unknown
  variable?: unknown
  datatype?: unknown
  required?: unknown
  datatype_description?: unknown
  datatypeDescription?: unknown
  order?: unknown
  description?: unknown
  values?: unknown
}

export interface Attribute {
  variable: boolean
  code: string
  datatype: string
  required: boolean
  datatype_description: string | null
  order: number
  description: string
  values: { key: string; name: string }[]
}

const DATATYPES = new Set(['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'])

async function reportableTypes(database: Database, code: string | null): Promise<ServiceRow[]> {
  return database.rows<ServiceRow>(
    sql`select code, name, name_en as "nameEn", description, group_name as "group", attributes
      from problem_types where reportable ${code === null ? sql`` : sql`and code = ${code}`} order by code`,
  )
}

/** `GET services`: every reportable type; `metadata` says whether it has attributes to fetch. */
export async function listServices(database: Database): Promise<Value[]> {
  const rows = await reportableTypes(database, null)
  return rows.map((s) => ({
    service_code: s.code,
    service_name: s.name,
    description: s.description ?? s.nameEn ?? s.name,
    metadata: attributesOf(s).length > 0,
    type: 'realtime',
    // The spec's one comma-separated field: the names in both languages, for clients that search by word.
    keywords: [s.name, s.nameEn].filter(Boolean).join(','),
    group: s.group,
  }))
}

/** `GET services/{code}`: the definition, 404 for a code that is no reportable type. */
export async function serviceDefinition(database: Database, code: string): Promise<Value> {
  const [service] = await reportableTypes(database, code)
  if (!service) throw new Open311Error(404, `没有问题类型 ${code} / There is no service ${code}`)
  return { service_code: service.code, attributes: attributesOf(service) as unknown as Value[] }
}

/** The attributes of a reportable type, or null when it is none. */
export async function serviceAttributes(database: Database, code: string): Promise<Attribute[] | null> {
  const [service] = await reportableTypes(database, code)
  return service ? attributesOf(service) : null
}

/** Stored attribute definitions in the spec's shape, with its defaults where a field was left out. */
function attributesOf(service: ServiceRow): Attribute[] {
  const stored = Array.isArray(service.attributes) ? (service.attributes as StoredAttribute[]) : []
  return stored
    .filter((a) => typeof a.code === 'string' && a.code)
    .map((a, index) => ({
      variable: a.variable !== false,
      code: a.code as string,
      datatype: typeof a.datatype === 'string' && DATATYPES.has(a.datatype) ? a.datatype : 'string',
      required: a.required === true,
      datatype_description: String(a.datatype_description ?? a.datatypeDescription ?? '') || null,
      order: typeof a.order === 'number' ? a.order : index + 1,
      description: String(a.description ?? a.code),
      values: Array.isArray(a.values) ? a.values.map(listValueOf) : [],
    }))
    .sort((a, b) => a.order - b.order)
}

function listValueOf(value: unknown): { key: string; name: string } {
  if (value && typeof value === 'object') {
    const v = value as { key?: unknown; name?: unknown }
    return { key: String(v.key ?? ''), name: String(v.name ?? v.key ?? '') }
  }
  return { key: String(value), name: String(value) }
}

/**
 * Checks the attributes a request sends against the definition: required ones present, list values among the
 * keys, numbers numeric. Unknown codes are kept: an app a version ahead should not be refused.
 */
export function checkAttributes(definition: Attribute[], given: Record<string, unknown>): void {
  for (const a of definition) {
    const value = given[a.code]
    const empty =
      value === undefined || value === null || value === '' || (Array.isArray(value) && !value.length)
    if (empty) {
      if (a.required && a.variable)
        throw new Open311Error(400, `缺少属性 ${a.code} / attribute[${a.code}] is required`)
      continue
    }
    const values = Array.isArray(value) ? value : [value]
    if (a.datatype === 'singlevaluelist' || a.datatype === 'multivaluelist') {
      const keys = new Set(a.values.map((v) => v.key))
      const wrong = values.find((v) => !keys.has(String(v)))
      if (wrong !== undefined || (a.datatype === 'singlevaluelist' && values.length > 1)) {
        throw new Open311Error(
          400,
          `属性 ${a.code} 的取值无效 / attribute[${a.code}] must be one of ${[...keys].join(', ')}`,
        )
      }
    }
    if (a.datatype === 'number' && values.some((v) => !Number.isFinite(Number(v)))) {
      throw new Open311Error(400, `属性 ${a.code} 应为数值 / attribute[${a.code}] must be a number`)
    }
  }
}
