/**
 * Walking coverage computed in PostgreSQL with pgRouting, with CityCheck's definition (`computeCoverage`,
 * network model): the benchmark's peer, and a check of the engine against an independent implementation.
 */
import { type SQL, sql } from 'drizzle-orm'
import type { Database } from '../server/db/client.ts'

export interface PeerRule {
  type: string
  radiusM: number
}

export interface PeerCoverage {
  /** Per rule, in rule order: the ids of the covered cells, ascending. */
  covered: number[][]
  /** The pgRouting graph: its vertices and edges. */
  nodes: number
  edges: number
}

/**
 * The covered cells of every rule's type in the region (`like`), computed from the tables in EPSG:`srid` metres:
 *
 * - the walkable roads cut into their straight segments are the edges, their shared end points (as
 *   `pgr_extractVertices` finds them) the vertices;
 * - a cell centre or facility snaps to the nearest point of any edge at most `maxSnapM` away (a KNN search on
 *   the edges' GiST index), the straight walk to it counted;
 * - per type, a virtual vertex 0 reaches both ends of each facility's edge at that facility's access walk plus
 *   the walk along the edge, and one `pgr_drivingDistance` from it bounded by the radius gives every vertex its
 *   walk to the nearest facility;
 * - a cell walks to either end of its edge, or straight along it to a facility snapped to the same edge, and is
 *   covered when its access walk plus the shortest of those is at most the radius.
 *
 * When a point is equally near two edges (at their shared vertex) the peer may pick the other one than the
 * engine, which picks the lower edge; the snap point is then the vertex itself, so every walk has the same
 * length either way. Runs in one transaction, so the scratch tables are the connection's own.
 */
export async function pgRoutingCoverage(
  database: Database,
  where: { like: string; srid: number },
  rules: readonly PeerRule[],
  { maxSnapM = 300, mergeToleranceM = 0.5 }: { maxSnapM?: number; mergeToleranceM?: number } = {},
): Promise<PeerCoverage> {
  const { like, srid } = where
  return database.db.transaction(async (tx) => {
    const run = async <T>(query: SQL) => ((await tx.execute(query)) as unknown as { rows: T[] }).rows
    await buildGraph(run, like, srid, mergeToleranceM)
    await run(sql`create index on peer_edges using gist (geom)`)
    await run(sql`create unique index on peer_edges (id)`)
    await run(sql`analyze peer_edges`)
    const types = `{${rules.map((r) => r.type).join(',')}}`
    await snap(
      run,
      'peer_cells',
      sql`select id, ST_Transform(centroid, ${srid}::int) as p from population_cells
      where region_code like ${like}`,
      maxSnapM,
    )
    await snap(
      run,
      'peer_facilities',
      sql`select id, type, ST_Transform(geom, ${srid}::int) as p from facilities
      where region_code like ${like} and type = any(${types}::text[])`,
      maxSnapM,
    )
    await run(sql`create index on peer_facilities (type, edge)`)
    const covered: number[][] = []
    for (const rule of rules) covered.push(await coveredCells(run, rule))
    const [size] = await run<{ nodes: number; edges: number }>(sql`
      select (select count(distinct node)::int from peer_vertices) as nodes,
        (select count(*)::int from peer_edges) as edges`)
    return { covered, nodes: size?.nodes ?? 0, edges: size?.edges ?? 0 }
  })
}

type Run = <T>(query: SQL) => Promise<T[]>

/**
 * Table `peer_edges` (id, source, target, geom, length): the straight segments of the walkable roads between
 * their end vertices as `pgr_extractVertices` finds them, vertices less than `mergeToleranceM` apart made one
 * (`ST_ClusterDBSCAN`) at the place of the one a walk along the roads in id order meets first, as the engine
 * merges them; a segment whose two ends became one vertex is left out.
 */
async function buildGraph(run: Run, like: string, srid: number, mergeToleranceM: number): Promise<void> {
  await run(sql`
    create temp table peer_segments on commit drop as
    select row_number() over (order by r.id, s.path)::bigint as id, s.geom
    from roads r, ST_DumpSegments(ST_Transform(r.geom, ${srid}::int)) s
    where r.region_code like ${like} and r.walkable`)
  await run(sql`
    create temp table peer_extracted on commit drop as
    select id, geom, in_edges, out_edges
    from pgr_extractVertices('select id, geom from peer_segments order by id')`)
  await run(sql`
    create temp table peer_ends on commit drop as
    select id as vertex, unnest(out_edges) as edge, false as is_target from peer_extracted
    union all select id, unnest(in_edges), true from peer_extracted`)
  await run(sql`
    create temp table peer_vertices on commit drop as
    select vertex, first_value(vertex) over w as node, first_value(geom) over w as geom
    from (select x.id as vertex, x.geom, s.seen, ST_ClusterDBSCAN(x.geom, ${mergeToleranceM}::float8, 1) over () as cluster
      from peer_extracted x
      join (select vertex, min(2 * edge + is_target::int) as seen from peer_ends group by vertex) s on s.vertex = x.id) c
    window w as (partition by cluster order by seen)`)
  await run(sql`create index on peer_ends (edge)`)
  await run(sql`create unique index on peer_vertices (vertex)`)
  await run(sql`
    create temp table peer_edges on commit drop as
    select s.id, a.node as source, b.node as target, g.geom, ST_Length(g.geom) as length
    from peer_segments s
      join peer_ends ea on ea.edge = s.id and not ea.is_target join peer_vertices a on a.vertex = ea.vertex
      join peer_ends eb on eb.edge = s.id and eb.is_target join peer_vertices b on b.vertex = eb.vertex,
      lateral (select ST_MakeLine(a.geom, b.geom) as geom) g
    where a.node <> b.node`)
}

/** Table `name`: each point of `points` (`id`, `p`, maybe `type`) with its edge, position along it and access walk. */
async function snap(run: Run, name: string, points: SQL, maxSnapM: number): Promise<void> {
  await run(sql`
    create temp table ${sql.identifier(name)} on commit drop as
    select q.*, s.edge, s.along, s.access
    from (${points}) q
    cross join lateral (
      select e.id as edge, ST_LineLocatePoint(e.geom, q.p) * e.length as along, ST_Distance(e.geom, q.p) as access
      from peer_edges e where ST_DWithin(e.geom, q.p, ${maxSnapM}::float8)
      order by e.geom <-> q.p limit 1) s`)
}

/** The cells within `rule.radiusM` of a facility of its type. */
async function coveredCells(run: Run, rule: PeerRule): Promise<number[]> {
  const [snapped] = await run<{ n: number }>(
    sql`select count(*)::int as n from peer_facilities where type = ${rule.type}`,
  )
  if (!snapped?.n) return []
  // The edges text pgRouting reads: the roads both ways, and the virtual vertex 0's edges to the facilities.
  const edges = sql`format($q$
    select id, source, target, length as cost, length as reverse_cost from peer_edges
    union all
    select 1e12::bigint + 2 * f.id, 0, e.source, f.access + f.along, -1
    from peer_facilities f join peer_edges e on e.id = f.edge where f.type = %1$L
    union all
    select 1e12::bigint + 2 * f.id + 1, 0, e.target, f.access + e.length - f.along, -1
    from peer_facilities f join peer_edges e on e.id = f.edge where f.type = %1$L $q$, ${rule.type}::text)`
  const rows = await run<{ id: number }>(sql`
    with reach as (
      select node, agg_cost from pgr_drivingDistance(${edges}, 0, ${rule.radiusM}::float8, directed => true))
    select c.id from peer_cells c join peer_edges e on e.id = c.edge
      left join reach u on u.node = e.source
      left join reach v on v.node = e.target
    where c.access + least(c.along + u.agg_cost, e.length - c.along + v.agg_cost,
      (select min(f.access + abs(c.along - f.along)) from peer_facilities f
        where f.type = ${rule.type} and f.edge = c.edge)) <= ${rule.radiusM}::float8
    order by c.id`)
  return rows.map((r) => Number(r.id))
}
