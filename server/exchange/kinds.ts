/**
 * The record kinds of an exchange package, in import order: which table each comes from, how its rows are
 * matched on import, which columns point at other kinds, and the JSON Schema every record must meet (ADR 0017).
 * A record is the table row as `to_jsonb` writes it (geometry as GeoJSON), so columns added later travel too.
 */
import { Ajv, type ValidateFunction } from 'ajv'
import { PackageRefused } from './format.ts'

/**
 * How a record finds its row here: `edition`/`indicator` by code (an edition already here is used, not changed);
 * `region` by code; `value` by the natural key (campaign × indicator × unit); `link` is a pair of mapped ids;
 * `mapped` by its id in the source install, namespaced (exchange_keys).
 */
export type Match = 'edition' | 'indicator' | 'region' | 'value' | 'link' | 'mapped'

export interface KindSpec {
  kind: string
  table: string
  match: Match
  /** Columns holding an id of another kind: rewritten to the id here (null when that row was not sent). */
  refs: Record<string, string>
  /** Columns that name things that do not travel (datasets, runs): emptied. */
  cleared?: readonly string[]
  /** JSON Schema properties every record must carry. */
  required: Record<string, object>
}

const integer = { type: 'integer' }
const string = { type: 'string' }
const nullableInteger = { type: ['integer', 'null'] }
const geometry = { type: ['object', 'null'], required: ['type'] }

/** Unit types whose key is an id of a table that travels. */
export const UNIT_KINDS: Record<string, string> = {
  block: 'blocks',
  compound: 'compounds',
  self_built_cluster: 'compounds',
  building: 'buildings',
  renewal_area: 'renewal_areas',
}

export const KINDS: readonly KindSpec[] = [
  {
    kind: 'indicator_systems',
    table: 'indicator_systems',
    match: 'edition',
    refs: { base_system_id: 'indicator_systems' },
    required: { id: integer, code: string, year: integer, name: string, level: string },
  },
  {
    kind: 'indicators',
    table: 'indicators',
    match: 'indicator',
    refs: { system_id: 'indicator_systems', base_indicator_id: 'indicators' },
    required: { id: integer, system_id: integer, code: string, name: string },
  },
  {
    kind: 'regions',
    table: 'regions',
    match: 'region',
    refs: {},
    required: { code: string, name: string, level: string, boundary: geometry },
  },
  {
    kind: 'blocks',
    table: 'blocks',
    match: 'mapped',
    refs: {},
    cleared: ['dataset_id'],
    required: { id: integer, region_code: string, geom: geometry },
  },
  {
    kind: 'compounds',
    table: 'compounds',
    match: 'mapped',
    refs: { block_id: 'blocks' },
    cleared: ['dataset_id'],
    required: { id: integer, region_code: string, geom: geometry },
  },
  {
    kind: 'buildings',
    table: 'buildings',
    match: 'mapped',
    refs: { block_id: 'blocks', compound_id: 'compounds' },
    cleared: ['dataset_id'],
    required: { id: integer, region_code: string, footprint: geometry },
  },
  {
    kind: 'renewal_areas',
    table: 'renewal_areas',
    match: 'mapped',
    refs: {},
    required: { id: integer, region_code: string, geom: geometry },
  },
  {
    kind: 'campaigns',
    table: 'campaigns',
    match: 'mapped',
    refs: { system_id: 'indicator_systems', renewal_area_id: 'renewal_areas' },
    required: {
      id: integer,
      kind: string,
      year: integer,
      name: string,
      region_code: string,
      system_id: integer,
    },
  },
  {
    kind: 'indicator_values',
    table: 'indicator_values',
    match: 'value',
    refs: { campaign_id: 'campaigns', indicator_id: 'indicators' },
    cleared: ['run_id', 'dataset_id'],
    required: {
      campaign_id: integer,
      indicator_id: integer,
      unit_type: string,
      unit_key: string,
      region_code: string,
      value: { type: ['number', 'null'] },
      review_state: string,
      source: string,
    },
  },
  {
    kind: 'problems',
    table: 'problems',
    match: 'mapped',
    refs: {
      campaign_id: 'campaigns',
      indicator_id: 'indicators',
      building_id: 'buildings',
      merged_into_id: 'problems',
    },
    cleared: ['run_id'],
    required: {
      id: integer,
      region_code: string,
      type: string,
      title: string,
      source: string,
      state: string,
      year_found: integer,
      campaign_id: nullableInteger,
      geom: geometry,
    },
  },
  {
    kind: 'problem_transitions',
    table: 'problem_transitions',
    match: 'mapped',
    refs: { problem_id: 'problems' },
    required: { id: integer, problem_id: integer, to_state: string, actor: string },
  },
  {
    kind: 'tasks',
    table: 'tasks',
    match: 'mapped',
    refs: { problem_id: 'problems' },
    required: { id: integer, problem_id: integer, responsible_unit: string, state: string },
  },
  {
    kind: 're_inspections',
    table: 're_inspections',
    match: 'mapped',
    refs: { problem_id: 'problems' },
    required: { id: integer, problem_id: integer },
  },
  {
    kind: 'opinions',
    table: 'opinions',
    match: 'mapped',
    refs: { problem_id: 'problems' },
    required: { id: integer, region_code: string, kind: string, content: string },
  },
  {
    kind: 'stock_resources',
    table: 'stock_resources',
    match: 'mapped',
    refs: {},
    required: { id: integer, region_code: string },
  },
  {
    kind: 'projects',
    table: 'projects',
    match: 'mapped',
    refs: { campaign_id: 'campaigns' },
    // The generation run that proposed a project stays behind: runs do not travel.
    cleared: ['run_id'],
    required: { id: integer, region_code: string },
  },
  {
    kind: 'project_problems',
    table: 'project_problems',
    match: 'link',
    refs: { project_id: 'projects', problem_id: 'problems' },
    required: { project_id: integer, problem_id: integer },
  },
  {
    kind: 'project_resources',
    table: 'project_resources',
    match: 'link',
    refs: { project_id: 'projects', resource_id: 'stock_resources' },
    required: { project_id: integer, resource_id: integer },
  },
]

export const KIND_BY_NAME = new Map(KINDS.map((k) => [k.kind, k]))

/** The JSON Schema (draft 2020-12) of one record kind: its required columns; any other column may travel. */
export function schemaOf(spec: KindSpec): object {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:citycheck:exchange:1:${spec.kind}`,
    title: `${spec.table} row`,
    type: 'object',
    required: Object.keys(spec.required),
    properties: spec.required,
    additionalProperties: true,
  }
}

const validators = new Map<string, ValidateFunction>()
function validatorOf(spec: KindSpec): ValidateFunction {
  let validate = validators.get(spec.kind)
  if (!validate) {
    const { $schema: _draft, ...schema } = schemaOf(spec) as Record<string, unknown>
    validate = new Ajv({ allErrors: false, strict: false }).compile(schema)
    validators.set(spec.kind, validate)
  }
  return validate
}

/** Every record of every kind against this install's schema of its kind: the first misfit refuses the package. */
export function validateRecords(records: Map<string, unknown[]>): void {
  for (const [kind, rows] of records) {
    const spec = KIND_BY_NAME.get(kind)
    if (!spec) {
      throw new PackageRefused(`未知的记录类型 ${kind}`, `Unknown record kind ${kind}`)
    }
    const validate = validatorOf(spec)
    rows.forEach((row, index) => {
      if (validate(row)) return
      const error = validate.errors?.[0]
      const where = `records/${kind}.jsonl #${index + 1}`
      const what = `${error?.instancePath || '/'} ${error?.message ?? ''}`.trim()
      throw new PackageRefused(`${where} 不符合其模式：${what}`, `${where} does not meet its schema: ${what}`)
    })
  }
}
