import { type SQL, sql } from 'drizzle-orm'
import type { SqlExecutor } from '../audit.ts'

/** What the generation read of the campaign: its kind, region and how far down that region's codes reach. */
interface CampaignFrame {
  id: number
  kind: 'annual' | 'area' | 'special'
  objectType: string | null
  systemId: number
  topCode: string
  topName: string
  topPrefix: string
  topLevel: string
}

export interface GeneratedTasks {
  fillings: number
  tasks: number
}

/**
 * 填报任务: generates a campaign's fillings and filling tasks, in the caller's transaction (the one creating the
 * campaign). For every enabled indicator of the edition — reported ones, and computed ones too so a district can
 * confirm or correct them — the units of the indicator's unit type inside the campaign owe a value:
 * - `region` indicators of annual and special checks, by reporting level: the districts of the campaign's city
 *   (`district`; a city without districts stands for its own), its streets filled by their district (`street`),
 *   or the campaign's region itself (`city`, and `department`, routed to the indicator's department);
 * - `region` indicators of an area check: one unit, the area itself (`renewal_area`, keyed by the renewal area,
 *   or `campaign-<id>` for a bare polygon), filled by the district the area lies in;
 * - blocks, compounds, self-built clusters and buildings from their tables inside the campaign's region, and for
 *   an area check those whose point on surface lies inside the area, each filled by its district (or by the
 *   campaign's region at the `city` and `department` levels).
 * A special check keeps only the indicators of its object type. A filling is created for every filling region
 * that owes something; running it again adds only what is missing.
 */
export async function generateFillingTasks(tx: SqlExecutor, campaignId: number): Promise<GeneratedTasks> {
  const frame = await campaignFrame(tx, campaignId)
  const units = unitsOf(frame)
  const fillings = (await tx.execute(sql`with u as (${units})
    insert into fillings (campaign_id, region_code)
    select distinct ${frame.id}::int, u.filling_region from u
    on conflict (campaign_id, region_code) do nothing returning id`)) as { rows: unknown[] }
  const tasks = (await tx.execute(sql`with u as (${units})
    insert into filling_tasks (campaign_id, filling_id, indicator_id, unit_type, unit_key, unit_name, region_code,
      department)
    select ${frame.id}::int, f.id, u.indicator_id, u.unit_type, u.unit_key, u.unit_name, u.region_code, u.department
    from u join fillings f on f.campaign_id = ${frame.id} and f.region_code = u.filling_region
    on conflict (campaign_id, indicator_id, unit_type, unit_key) do nothing returning id`)) as {
    rows: unknown[]
  }
  return { fillings: fillings.rows.length, tasks: tasks.rows.length }
}

async function campaignFrame(tx: SqlExecutor, campaignId: number): Promise<CampaignFrame> {
  const found = (await tx.execute(sql`select k.id, k.kind, k.object_type as "objectType",
      k.system_id as "systemId", r.code as "topCode", r.name as "topName", r.scope_prefix as "topPrefix",
      r.level as "topLevel"
    from campaigns k join regions r on r.code = k.region_code where k.id = ${campaignId}`)) as {
    rows: CampaignFrame[]
  }
  const frame = found.rows[0]
  if (!frame) throw new Error(`campaign ${campaignId} does not exist`)
  // Inlined below so the planner can use the text_pattern_ops indexes on region codes; digits only.
  if (!/^\d+$/.test(frame.topPrefix)) throw new Error(`region ${frame.topCode} has a malformed scope prefix`)
  return frame
}

/**
 * Every (indicator, unit) a campaign owes, with the unit's own region, the filling region that fills it and the
 * department it is routed to: columns indicator_id, unit_type, unit_key, unit_name, region_code,
 * filling_region, department.
 */
function unitsOf(frame: CampaignFrame): SQL {
  const like = sql.raw(`'${frame.topPrefix}%'`)
  const top = sql`${frame.topCode}::text`
  const byLevel = (district: SQL) =>
    sql`case when i.reporting_level in ('city', 'department') then ${top} else ${district} end`
  const department = sql`case when i.reporting_level = 'department' then i.department end`
  const districts =
    frame.topLevel === 'district'
      ? sql`select d.code, d.name, d.scope_prefix from regions d where d.code = ${frame.topCode}`
      : // A city without districts (东莞, 中山: streets right under the city) fills as its own district.
        sql`select d.code, d.name, d.scope_prefix from regions d where d.level = 'district' and d.code like ${like}
          union all
          select r.code, r.name, r.scope_prefix from regions r where r.code = ${frame.topCode}
            and not exists (select 1 from regions d where d.level = 'district' and d.code like ${like})`
  const special = frame.kind === 'special' ? sql`and i.unit_type = ${frame.objectType}` : sql``
  const regionUnits =
    frame.kind === 'area' ? areaUnit(frame, byLevel, department) : cityUnits(top, department)
  return sql`with c as (select id, name, scope, renewal_area_id from campaigns where id = ${frame.id}),
    ind as (select i.id, i.unit_type, i.reporting_level, i.department from indicators i
      where i.system_id = ${frame.systemId} and i.enabled ${special}),
    districts as (${districts}),
    small as (${smallUnits(like)}),
    region_units as (${regionUnits})
    select * from region_units
    union all
    select i.id, s.unit_type, s.unit_key, s.unit_name, s.region_code,
      ${byLevel(sql`coalesce(dd.code, ${top})`)}, ${department}
    from small s join ind i on i.unit_type = s.unit_type
    left join lateral (select d.code from districts d where starts_with(s.region_code, d.scope_prefix)
      order by length(d.scope_prefix) desc limit 1) dd on true`
}

/** `region` indicators of an annual or special check: districts, their streets, or the campaign's region. */
function cityUnits(top: SQL, department: SQL): SQL {
  return sql`select i.id as indicator_id, 'region'::text as unit_type, d.code as unit_key, d.name as unit_name,
      d.code as region_code, d.code as filling_region, null::text as department
    from ind i cross join districts d where i.unit_type = 'region' and i.reporting_level = 'district'
    union all
    select i.id, 'region', s.code, s.name, s.code, d.code, null
    from ind i cross join districts d
    join regions s on s.level = 'street' and starts_with(s.code, d.scope_prefix)
    where i.unit_type = 'region' and i.reporting_level = 'street'
    union all
    select i.id, 'region', r.code, r.name, r.code, r.code, ${department}
    from ind i join regions r on r.code = ${top}
    where i.unit_type = 'region' and i.reporting_level in ('city', 'department')`
}

/**
 * `region` indicators of an area check: the area is the unit. Its region is the renewal area's, else that of
 * the district whose boundary shares most of the polygon, else the campaign's region.
 */
function areaUnit(frame: CampaignFrame, byLevel: (district: SQL) => SQL, department: SQL): SQL {
  return sql`select i.id as indicator_id, 'renewal_area'::text as unit_type,
      coalesce(c.renewal_area_id::text, 'campaign-' || c.id) as unit_key, coalesce(a.name, c.name) as unit_name,
      ar.code as region_code, ${byLevel(sql`coalesce(ad.code, ${frame.topCode}::text)`)} as filling_region,
      ${department} as department
    from ind i cross join c left join renewal_areas a on a.id = c.renewal_area_id
    cross join lateral (select coalesce(a.region_code, (select d.code from districts d
        join regions r on r.code = d.code
        where r.boundary is not null and ST_Intersects(r.boundary, c.scope)
        order by ST_Area(ST_Intersection(r.boundary, c.scope)) desc, d.code limit 1), ${frame.topCode}::text)
      as code) ar
    left join lateral (select d.code from districts d where starts_with(ar.code, d.scope_prefix)
      order by length(d.scope_prefix) desc limit 1) ad on true
    where i.unit_type = 'region'`
}

/**
 * Blocks, compounds, self-built clusters and buildings inside the campaign's region, clipped to its area (by a
 * point on the unit's surface, so a unit straddling the edge counts once, on the side holding most of it).
 * Each branch reads its table only when an indicator asks for that unit type.
 */
function smallUnits(like: SQL): SQL {
  const inside = (point: SQL) =>
    sql`((select scope from c) is null or ST_Intersects((select scope from c), ${point}))`
  const wanted = (type: string) => sql`exists (select 1 from ind where unit_type = ${type})`
  return sql`select 'block'::text as unit_type, b.id::text as unit_key, coalesce(b.name, '街区 ' || b.id) as unit_name,
      b.region_code
    from blocks b where ${wanted('block')} and b.region_code like ${like} and ${inside(sql`ST_PointOnSurface(b.geom)`)}
    union all
    select m.kind, m.id::text, coalesce(m.name, '小区 ' || m.id), m.region_code
    from compounds m where (${wanted('compound')} or ${wanted('self_built_cluster')}) and m.region_code like ${like}
      and ${inside(sql`ST_PointOnSurface(m.geom)`)}
    union all
    select 'building', g.id::text, coalesce(g.name, '建筑 ' || g.id), g.region_code
    from buildings g where ${wanted('building')} and g.region_code like ${like} and ${inside(sql`g.centroid`)}`
}
