/** The query shapes of the API benchmark as each server spells them, and their answers as the same plain rows. */

import { posterFor } from './api-load.ts'

/** One query shape: a body per request for each server (same order), and each answer as comparable rows. */
export interface Shape {
  name: string
  ours: string[]
  peer: string[]
  normaliseOurs(text: string): unknown[]
  normalisePeer(text: string): unknown[]
}

export interface Viewport {
  west: number
  south: number
  east: number
  north: number
}

const OUR_QUERY = `query Viewport($filter: SpatialFilter!, $first: Int!) {
  buildings(filter: $filter, first: $first) {
    nodes { id name heightM footprint compound { id name } region { code name } }
  }
}`

const PEER_QUERY = `query Viewport($west: Float!, $south: Float!, $east: Float!, $north: Float!, $first: Int!) {
  benchPeerBuildingsInViewport(west: $west, south: $south, east: $east, north: $north, first: $first) {
    nodes { rowId name heightM footprintJson compoundByCompoundId { rowId name } regionByRegionCode { code name } }
  }
}`

const ourBody = (v: Viewport, first: number) =>
  JSON.stringify({ query: OUR_QUERY, variables: { filter: { bbox: v }, first } })
const peerBody = (v: Viewport, first: number) =>
  JSON.stringify({ query: PEER_QUERY, variables: { ...v, first } })

/** Buildings in a map viewport with their compound and district: what the 3D viewer and web maps send. */
export function viewportShape(views: Viewport[], first: number): Shape {
  return {
    name: 'viewport',
    ours: views.map((v) => ourBody(v, first)),
    peer: views.map((v) => peerBody(v, first)),
    normaliseOurs,
    normalisePeer,
  }
}

interface Row {
  id: number
  name: string | null
  heightM: number
  footprint: unknown
  compound: { id: number; name: string | null } | null
  region: { code: string; name: string } | null
}

const round = (value: unknown): unknown =>
  typeof value === 'number' ? Math.round(value * 1e7) / 1e7 : Array.isArray(value) ? value.map(round) : value

export const rawId = (globalId: string) =>
  Number(Buffer.from(globalId, 'base64').toString('utf8').split(':')[1])

/** Both answers as the same plain rows, so the benchmark compares like with like before it times anything. */
function normaliseOurs(text: string): Row[] {
  const body = JSON.parse(text) as {
    errors?: unknown
    data: { buildings: { nodes: Record<string, never>[] } }
  }
  if (body.errors) throw new Error(`CityCheck answered with errors: ${JSON.stringify(body.errors)}`)
  return body.data.buildings.nodes.map((n: Record<string, never>) => {
    const b = n as unknown as {
      id: string
      name: string | null
      heightM: number
      footprint: { type: string; coordinates: unknown }
      compound: { id: string; name: string | null } | null
      region: { code: string; name: string } | null
    }
    return {
      id: rawId(b.id),
      name: b.name,
      heightM: b.heightM,
      footprint: { type: b.footprint.type, coordinates: round(b.footprint.coordinates) },
      compound: b.compound ? { id: rawId(b.compound.id), name: b.compound.name } : null,
      region: b.region,
    }
  })
}

function normalisePeer(text: string): Row[] {
  const body = JSON.parse(text) as {
    errors?: unknown
    data: { benchPeerBuildingsInViewport: { nodes: unknown[] } }
  }
  if (body.errors) throw new Error(`PostGraphile answered with errors: ${JSON.stringify(body.errors)}`)
  return body.data.benchPeerBuildingsInViewport.nodes.map((n) => {
    const b = n as {
      rowId: number
      name: string | null
      heightM: number
      footprintJson: { type: string; coordinates: unknown }
      compoundByCompoundId: { rowId: number; name: string | null } | null
      regionByRegionCode: { code: string; name: string } | null
    }
    return {
      id: b.rowId,
      name: b.name,
      heightM: b.heightM,
      footprint: { type: b.footprintJson.type, coordinates: round(b.footprintJson.coordinates) },
      compound: b.compoundByCompoundId
        ? { id: b.compoundByCompoundId.rowId, name: b.compoundByCompoundId.name }
        : null,
      region: b.regionByRegionCode,
    }
  })
}

/** Sends every body of a shape to both servers and throws unless their answers are the same rows. */
export async function assertSameAnswers(ours: URL, peer: URL, shape: Shape): Promise<number> {
  const a = posterFor(ours, 1)
  const b = posterFor(peer, 1)
  let rows = 0
  try {
    for (const [i, body] of shape.ours.entries()) {
      const x = await a.post(body)
      const y = await b.post(shape.peer[i] as string)
      if (x.status !== 200 || y.status !== 200) {
        throw new Error(`status ${x.status} / ${y.status}: ${x.text.slice(0, 300)} ${y.text.slice(0, 300)}`)
      }
      const left = JSON.stringify(shape.normaliseOurs(x.text))
      const right = JSON.stringify(shape.normalisePeer(y.text))
      if (left !== right) {
        throw new Error(
          `the two servers answer ${shape.name} ${i} differently:\n${left.slice(0, 600)}\n${right.slice(0, 600)}`,
        )
      }
      rows += shape.normaliseOurs(x.text).length
    }
  } finally {
    await Promise.all([a.close(), b.close()])
  }
  return rows
}
