/**
 * The second shape of the API benchmark: a district's blocks (街区) with their district and every building's key
 * figures, the nested list a renewal-planning system pulls to plan a district. Both servers return the same rows.
 */

import { rawId, type Shape } from './api-answers.ts'

const OUR_QUERY = `query DistrictBlocks($region: String!, $first: Int!) {
  blocks(filter: { region: $region }, first: $first) {
    nodes { id name region { code name } buildings { id name heightM floors } }
  }
}`

const PEER_QUERY = `query DistrictBlocks($region: String!, $first: Int!) {
  benchPeerBlocksInRegion(code: $region, first: $first) {
    nodes {
      rowId name regionByRegionCode { code name }
      buildingsByBlockId { nodes { rowId name heightM floors } }
    }
  }
}`

interface Building {
  id: number
  name: string | null
  heightM: number
  floors: number | null
}

interface Row {
  id: number
  name: string | null
  region: { code: string; name: string } | null
  buildings: Building[]
}

function normaliseOurs(text: string): Row[] {
  const body = JSON.parse(text) as { errors?: unknown; data: { blocks: { nodes: unknown[] } } }
  if (body.errors) throw new Error(`CityCheck answered with errors: ${JSON.stringify(body.errors)}`)
  return body.data.blocks.nodes.map((n) => {
    const b = n as Omit<Row, 'id' | 'buildings'> & { id: string; buildings: (Building & { id: string })[] }
    return {
      id: rawId(b.id),
      name: b.name,
      region: b.region,
      buildings: b.buildings.map((x) => ({ ...x, id: rawId(x.id) })).sort((p, q) => p.id - q.id),
    }
  })
}

function normalisePeer(text: string): Row[] {
  const body = JSON.parse(text) as {
    errors?: unknown
    data: { benchPeerBlocksInRegion: { nodes: unknown[] } }
  }
  if (body.errors) throw new Error(`PostGraphile answered with errors: ${JSON.stringify(body.errors)}`)
  return body.data.benchPeerBlocksInRegion.nodes.map((n) => {
    const b = n as {
      rowId: number
      name: string | null
      regionByRegionCode: Row['region']
      buildingsByBlockId: { nodes: (Omit<Building, 'id'> & { rowId: number })[] }
    }
    return {
      id: b.rowId,
      name: b.name,
      region: b.regionByRegionCode,
      buildings: b.buildingsByBlockId.nodes
        .map(({ rowId, ...x }) => ({ id: rowId, name: x.name, heightM: x.heightM, floors: x.floors }))
        .sort((p, q) => p.id - q.id),
    }
  })
}

/** The blocks of each district, `first` at a time (the first page of each). */
export function districtBlocksShape(districts: string[], first: number): Shape {
  return {
    name: 'district blocks',
    ours: districts.map((region) => JSON.stringify({ query: OUR_QUERY, variables: { region, first } })),
    peer: districts.map((region) => JSON.stringify({ query: PEER_QUERY, variables: { region, first } })),
    normaliseOurs,
    normalisePeer,
  }
}
