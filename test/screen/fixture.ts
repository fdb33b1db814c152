/**
 * Figures for every panel of the big screen, written straight into a test database (the demo holds problems but
 * no graded campaign, projects or coverage run): a campaign graded in each dimension with warnings, problems in
 * every state across the districts with deadlines (some overdue, some closed on time this year), a coverage run's
 * blind spots, and projects with their funding. The screen test and the soak benchmark both draw on it.
 */
import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'

const DISTRICTS = ['310101', '310109', '310115']
const STATES = ['identified', 'assigned', 'in_progress', 'rectified', 're_inspected', 'closed'] as const

export async function writeScreenFigures(database: Database): Promise<void> {
  await gradedCampaign(database)
  await problems(database)
  await blindSpots(database)
  await database.rows(sql`insert into projects (region_code, name, kind, budget, state, funding_sources)
    values ('310101', '外滩老旧小区改造', 'renovation', 3200, 'under_way',
        '[{"source":"中央补助","amount":1200},{"source":"地方财政","amount":2000}]'::jsonb),
      ('310101', '南京东路街区更新', 'renovation', 1800, 'approved', '[{"source":"地方财政","amount":1800}]'::jsonb),
      ('310109', '虹口口袋公园', 'park', 450, 'approved', '[{"source":"地方财政","amount":450}]'::jsonb),
      ('310109', '北外滩停车设施', 'parking', 900, 'completed', '[{"source":"社会资本","amount":900}]'::jsonb),
      ('310115', '浦东适老化改造', 'renovation', 800, 'proposed', '[{"source":"社会资本","amount":800}]'::jsonb),
      ('310115', '陆家嘴绿道', 'park', 1500, 'proposed', '[{"source":"专项债","amount":1500}]'::jsonb)`)
}

/** A campaign later than any other, with values graded in each dimension and district, some warned. */
async function gradedCampaign(database: Database): Promise<void> {
  const [system] = await database.rows<{ id: number }>(
    sql`select id from indicator_systems order by id limit 1`,
  )
  const [campaign] = await database.rows<{ id: number }>(sql`insert into campaigns
      (kind, year, name, region_code, system_id, status)
    values ('annual', 2099, '上海市城市体检（大屏演示）', '310100', ${system!.id}, 'collecting') returning id`)
  // Each indicator of the edition, in each district: a grade by a fixed spread, a warning on every seventh.
  await database.rows(sql`insert into indicator_values
      (campaign_id, indicator_id, unit_type, unit_key, region_code, value, grade, warning, source)
    select ${campaign!.id}, i.id, 'region', d, d, (i.id * 7 + n * 13) % 100,
      (array['poor','fair','good','excellent'])[1 + (i.id + n) % 4],
      case when (i.id + n) % 7 = 0 then 'red' when (i.id + n) % 7 = 3 then 'yellow' end, 'reported'
    from indicators i, unnest(${sql.param(DISTRICTS)}::text[]) with ordinality as u(d, n)
    where i.system_id = ${system!.id}`)
}

/** Problems in every state in each district; a third past their deadline, the closed ones mostly on time. */
async function problems(database: Database): Promise<void> {
  const rows = DISTRICTS.flatMap((district, d) =>
    STATES.flatMap((state, s) =>
      [0, 1, 2].slice(0, 3 - Math.floor(s / 2)).map((k) => {
        const overdue = (d + s + k) % 3 === 0
        return sql`(${district}, 'safety', ${`演示问题 ${district}-${state}-${k}`}, ${1 + ((s + k) % 3)},
          'inspection', 2025, ${state},
          now() ${overdue ? sql`- interval '3 days'` : sql`+ interval '20 days'`})`
      }),
    ),
  )
  const inserted = await database.rows<{ id: number }>(sql`insert into problems
      (region_code, type, title, severity, source, year_found, state, deadline)
    values ${sql.join(rows, sql`, `)}
    returning id`)
  // Closed an hour ago: on time where the deadline is still ahead, late where it passed three days ago.
  await database.rows(sql`insert into problem_transitions (problem_id, from_state, to_state, actor, at)
    select p.id, 're_inspected', 'closed', 'fixture', now() - interval '1 hour'
    from problems p where p.id = any(${sql.param(inserted.map((c) => c.id))}::int[]) and p.state = 'closed'`)
}

/** A succeeded coverage run in the city with blind spots of three facility types. */
async function blindSpots(database: Database): Promise<void> {
  const [run] = await database.rows<{ id: number }>(sql`insert into diagnostic_runs
      (kind, region_code, state, idempotency_key, finished_at)
    values ('coverage', '310100', 'succeeded', 'screen-fixture', now()) returning id`)
  await database.rows(sql`insert into coverage_gaps (run_id, region_code, facility_type, distance_model, kind,
      gap_key, point, uncovered_children, uncovered_working, uncovered_elderly, rank)
    select ${run!.id}, d, t, 'network', 'blind_spot', t || d, ST_SetSRID(ST_MakePoint(121.48, 31.23), 4326),
      100 + 40 * n, 300 + 90 * n, 150 + 70 * n, n
    from unnest(array['kindergarten', 'elderly_care', 'clinic']) with ordinality as ty(t, n),
      unnest(${sql.param(DISTRICTS)}::text[]) as u(d)`)
}
