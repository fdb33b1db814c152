import { sql } from 'drizzle-orm'
import type { Database } from '../db/client.ts'

/** An Open311 GeoReport v2 attribute of a service definition (`services/{service_code}`). */
export interface ServiceAttribute {
  variable: boolean
  code: string
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist'
  required: boolean
  datatype_description: string | null
  order: number
  description: string
  values?: { key: string; name: string }[]
}

/** A problem type with the department and deadlines (working days by severity) it is routed with by default. */
export interface SeedProblemType {
  code: string
  name: string
  nameEn: string
  description: string
  group: 'diagnosis' | 'indicator' | 'inspection' | 'resident' | 'data_quality'
  reportable: boolean
  defaultSeverity: 1 | 2 | 3
  attributes: ServiceAttribute[]
  department: string | null
  deadlineDays?: Record<'1' | '2' | '3', number>
}

/** The deadlines most work gets (severity 3 high → 7 working days, 2 → 15, 1 low → 30). */
export const DEFAULT_DEADLINE_DAYS = { '1': 30, '2': 15, '3': 7 } as const
/** Hazards to people's safety and daily life are answered within days, not weeks. */
const URGENT_DEADLINE_DAYS = { '1': 5, '2': 3, '3': 1 } as const

/** An attribute; its `order` is its place in the type's list, set below. */
const attribute = (
  code: string,
  description: string,
  datatype: ServiceAttribute['datatype'],
  options: { required?: boolean; values?: [string, string][] } = {},
): ServiceAttribute => ({
  variable: true,
  code,
  datatype,
  required: options.required ?? false,
  datatype_description: null,
  order: 0,
  description,
  ...(options.values ? { values: options.values.map(([key, name]) => ({ key, name })) } : {}),
})

const FLOOR = attribute('floor', '所在楼层 / floor', 'number')
const SINCE = attribute('since', '发现时间 / noticed since', 'datetime')

/**
 * 问题类型: what the diagnosis and the indicator runs write, what inspectors and experts find, and what residents
 * may report (the reportable ones are the Open311 services). Departments are the usual municipal remits.
 */
export const PROBLEM_TYPES: SeedProblemType[] = (<SeedProblemType[]>[
  {
    code: 'service_gap',
    name: '公共服务设施缺口',
    nameEn: 'Public service facility gap',
    description: '诊断发现的服务盲区或容量不足 / a blind spot or capacity gap found by a coverage diagnosis',
    group: 'diagnosis',
    reportable: false,
    defaultSeverity: 2,
    attributes: [],
    department: '住建委',
  },
  {
    code: 'indicator',
    name: '指标评价较差或预警',
    nameEn: 'Indicator graded poor or warned',
    description: '指标值评价为较差或触发预警 / an indicator value graded poor or raising a warning',
    group: 'indicator',
    reportable: false,
    defaultSeverity: 2,
    attributes: [],
    department: '住建委',
  },
  {
    code: 'height_mismatch',
    name: '建筑高度与实测不符',
    nameEn: 'Building height disagrees with the survey',
    description:
      '记录的建筑高度与 DSM 实测相差较大，需核实 / the recorded height disagrees strongly with the one measured from a DSM; to be checked',
    group: 'data_quality',
    reportable: false,
    defaultSeverity: 1,
    attributes: [],
    department: '规划资源局',
  },
  {
    code: 'facade_safety',
    name: '建筑外立面安全隐患',
    nameEn: 'Unsafe building facade',
    description: '外墙、空调外机、广告牌等脱落隐患 / loose cladding, air-conditioner units or signs',
    group: 'inspection',
    reportable: true,
    defaultSeverity: 3,
    attributes: [FLOOR],
    department: '住建委',
    deadlineDays: URGENT_DEADLINE_DAYS,
  },
  {
    code: 'illegal_construction',
    name: '违章搭建',
    nameEn: 'Illegal construction',
    description: '违法建筑、私搭乱建 / an unauthorised structure or extension',
    group: 'resident',
    reportable: true,
    defaultSeverity: 2,
    attributes: [
      attribute('structure', '搭建类型 / kind of structure', 'singlevaluelist', {
        values: [
          ['rooftop', '屋顶加层 / rooftop storey'],
          ['extension', '外扩搭建 / extension'],
          ['shed', '棚屋 / shed'],
          ['other', '其他 / other'],
        ],
      }),
      attribute('under_construction', '是否正在施工 / still being built', 'singlevaluelist', {
        values: [
          ['yes', '是 / yes'],
          ['no', '否 / no'],
        ],
      }),
    ],
    department: '城管局',
  },
  {
    code: 'road_damage',
    name: '路面破损',
    nameEn: 'Damaged road',
    description: '坑洼、塌陷、井盖缺失 / potholes, subsidence, missing manhole covers',
    group: 'resident',
    reportable: true,
    defaultSeverity: 2,
    attributes: [
      attribute('surface', '位置 / where', 'singlevaluelist', {
        values: [
          ['carriageway', '车行道 / carriageway'],
          ['pavement', '人行道 / pavement'],
          ['manhole', '井盖 / manhole cover'],
        ],
      }),
      attribute('size_m', '破损范围（米）/ size in metres', 'number'),
    ],
    department: '交通委',
  },
  {
    code: 'rubbish_dumping',
    name: '垃圾堆放',
    nameEn: 'Rubbish dumping',
    description: '垃圾、建筑垃圾乱堆乱放 / dumped household or construction waste',
    group: 'resident',
    reportable: true,
    defaultSeverity: 1,
    attributes: [
      attribute('waste', '垃圾类型 / kind of waste', 'singlevaluelist', {
        values: [
          ['household', '生活垃圾 / household'],
          ['construction', '建筑垃圾 / construction'],
          ['bulky', '大件垃圾 / bulky items'],
        ],
      }),
    ],
    department: '绿化市容局',
  },
  {
    code: 'street_light',
    name: '路灯故障',
    nameEn: 'Broken street light',
    description: '路灯不亮、损坏或倾斜 / a street light out, broken or leaning',
    group: 'resident',
    reportable: true,
    defaultSeverity: 1,
    attributes: [attribute('pole_number', '灯杆编号 / pole number', 'string')],
    department: '交通委',
    deadlineDays: { '1': 10, '2': 5, '3': 3 },
  },
  {
    code: 'waterlogging',
    name: '积水',
    nameEn: 'Waterlogging',
    description: '道路、小区积水 / standing water on a road or in a compound',
    group: 'resident',
    reportable: true,
    defaultSeverity: 2,
    attributes: [attribute('depth_cm', '积水深度（厘米）/ depth in centimetres', 'number'), SINCE],
    department: '水务局',
    deadlineDays: URGENT_DEADLINE_DAYS,
  },
  {
    code: 'lift_failure',
    name: '电梯故障',
    nameEn: 'Lift out of order',
    description: '住宅电梯停运或故障 / a residential lift stopped or faulty',
    group: 'resident',
    reportable: true,
    defaultSeverity: 3,
    attributes: [
      attribute('lift_number', '电梯编号 / lift number', 'string'),
      attribute('people_trapped', '是否有人被困 / anyone trapped', 'singlevaluelist', {
        required: true,
        values: [
          ['yes', '是 / yes'],
          ['no', '否 / no'],
        ],
      }),
      SINCE,
    ],
    department: '市场监管局',
    deadlineDays: URGENT_DEADLINE_DAYS,
  },
  {
    code: 'parking',
    name: '停车难',
    nameEn: 'Parking shortage',
    description: '停车位不足、占道停车 / too few parking spaces, cars parked on pavements',
    group: 'resident',
    reportable: true,
    defaultSeverity: 1,
    attributes: [
      attribute('vehicle', '车辆类型 / vehicles', 'singlevaluelist', {
        values: [
          ['car', '机动车 / cars'],
          ['bicycle', '非机动车 / bicycles and e-bikes'],
        ],
      }),
    ],
    department: '交通委',
  },
  {
    code: 'noise',
    name: '噪声',
    nameEn: 'Noise',
    description: '施工、商业、交通噪声扰民 / construction, business or traffic noise',
    group: 'resident',
    reportable: true,
    defaultSeverity: 1,
    attributes: [
      attribute('noise_source', '噪声来源 / source', 'singlevaluelist', {
        values: [
          ['construction', '施工 / construction'],
          ['business', '商业 / business'],
          ['traffic', '交通 / traffic'],
          ['other', '其他 / other'],
        ],
      }),
      attribute('night', '是否夜间 / at night', 'singlevaluelist', {
        values: [
          ['yes', '是 / yes'],
          ['no', '否 / no'],
        ],
      }),
    ],
    department: '生态环境局',
  },
]).map((t) => ({ ...t, attributes: t.attributes.map((a, i) => ({ ...a, order: i + 1 })) }))

export interface ProblemTypeSeedResult {
  typesAdded: number
  rulesAdded: number
}

/**
 * Loads the problem types and their default routing rules (unit level district, every region). Idempotent and
 * respectful of edits: a type already present is left as it is; a type's default rule comes only with the type,
 * and the catch-all rule for any type only with the first seed, so a rule an administrator deleted stays deleted.
 */
export async function seedProblemTypes(database: Database): Promise<ProblemTypeSeedResult> {
  return database.db.transaction(async (tx) => {
    const run = async <T>(query: ReturnType<typeof sql>) =>
      ((await tx.execute(query)) as unknown as { rows: T[] }).rows
    const [before] = await run<{ n: number }>(sql`select count(*)::int as n from problem_types`)
    const added = await run<{ code: string }>(sql`
      insert into problem_types (code, name, name_en, description, reportable, group_name, default_severity,
        attributes)
      select t.code, t.name, t."nameEn", t.description, t.reportable, t."group", t."defaultSeverity",
        coalesce(t.attributes, '[]'::jsonb)
      from jsonb_to_recordset(${JSON.stringify(PROBLEM_TYPES)}::jsonb) as t(code text, name text, "nameEn" text,
        description text, reportable boolean, "group" text, "defaultSeverity" int, attributes jsonb)
      on conflict (code) do nothing
      returning code`)
    const fresh = new Set(added.map((a) => a.code))
    const rules: { problemType: string | null; department: string | null; deadlineDays: object }[] =
      PROBLEM_TYPES.filter((t) => fresh.has(t.code)).map((t) => ({
        problemType: t.code,
        department: t.department,
        deadlineDays: t.deadlineDays ?? DEFAULT_DEADLINE_DAYS,
      }))
    if (before?.n === 0) {
      rules.push({ problemType: null, department: null, deadlineDays: DEFAULT_DEADLINE_DAYS })
    }
    if (rules.length > 0) {
      await tx.execute(sql`
        insert into routing_rules (problem_type, region_code, unit_level, department, deadline_days, updated_by)
        select r."problemType", null, 'district', r.department, r."deadlineDays", 'seed'
        from jsonb_to_recordset(${JSON.stringify(rules)}::jsonb)
          as r("problemType" text, department text, "deadlineDays" jsonb)`)
    }
    return { typesAdded: added.length, rulesAdded: rules.length }
  })
}
