import { BinLayout, encodeGlb } from './glb.ts'
import type { TileMesh } from './mesh.ts'
import { encodeMembers, encodePropertyColumns, METADATA_CLASS, metadataSchema } from './metadata.ts'
import type { TileAttributes } from './types.ts'

const FLOAT = 5126
const UNSIGNED_SHORT = 5123
const UNSIGNED_INT = 5125
const ARRAY_BUFFER = 34962
const ELEMENT_ARRAY_BUFFER = 34963
const TRIANGLES = 4

const MATERIAL = {
  name: 'building',
  pbrMetallicRoughness: { baseColorFactor: [0.92, 0.91, 0.88, 1], metallicFactor: 0, roughnessFactor: 0.9 },
}

/** Adds `data` to the binary chunk and returns the index of its buffer view. */
type AddView = (data: ArrayBufferView, target?: number) => number

/**
 * Encodes one tile as GLB: a single indexed triangle primitive with POSITION, NORMAL and
 * `_FEATURE_ID_0`, an EXT_mesh_features feature-ID set pointing at row `featureId` of an
 * EXT_structural_metadata property table whose rows are `rows` in order; without `withProblems` (the public
 * tileset) the table and its schema have no problem properties.
 */
export function encodeTileGlb(mesh: TileMesh, rows: readonly TileAttributes[], withProblems = true): Buffer {
  const bin = new BinLayout()
  const bufferViews: object[] = []
  const view: AddView = (data, target) => {
    const byteOffset = bin.add(data)
    bufferViews.push({ buffer: 0, byteOffset, byteLength: data.byteLength, ...(target ? { target } : {}) })
    return bufferViews.length - 1
  }
  const accessors = meshAccessors(mesh, view)
  const properties: Record<string, { values: number; arrayOffsets?: number; arrayOffsetType?: string }> = {}
  for (const [name, values] of Object.entries(encodePropertyColumns(rows, withProblems)))
    properties[name] = { values: view(values) }
  const members = encodeMembers(rows)
  if (members) {
    properties.members = {
      values: view(members.values),
      arrayOffsets: view(members.offsets),
      arrayOffsetType: 'UINT32',
    }
  }

  const json = {
    asset: { version: '2.0', generator: 'CityCheck jobs/tiles' },
    extensionsUsed: ['EXT_mesh_features', 'EXT_structural_metadata'],
    extensions: {
      EXT_structural_metadata: {
        schema: metadataSchema(withProblems),
        propertyTables: [{ name: 'buildings', class: METADATA_CLASS, count: rows.length, properties }],
      },
    },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0 }],
    meshes: [{ primitives: [primitive(rows.length)] }],
    materials: [MATERIAL],
    accessors,
    bufferViews,
    buffers: [{ byteLength: bin.byteLength }],
  }
  return encodeGlb(json, bin)
}

/** Accessors 0–3: indices, POSITION, NORMAL and the feature ids, in that order (see {@link primitive}). */
function meshAccessors(mesh: TileMesh, view: AddView): object[] {
  // 16-bit indices halve index size when they suffice; 65535 is reserved for primitive restart.
  const shortIndices = mesh.vertexCount <= 65535
  const indexData = shortIndices ? new Uint16Array(mesh.indices) : mesh.indices
  const vertexAttribute = (data: Float32Array, type: 'VEC3' | 'SCALAR') => ({
    bufferView: view(data, ARRAY_BUFFER),
    componentType: FLOAT,
    count: mesh.vertexCount,
    type,
  })
  return [
    {
      bufferView: view(indexData, ELEMENT_ARRAY_BUFFER),
      componentType: shortIndices ? UNSIGNED_SHORT : UNSIGNED_INT,
      count: mesh.indices.length,
      type: 'SCALAR',
    },
    { ...vertexAttribute(mesh.positions, 'VEC3'), min: mesh.positionMin, max: mesh.positionMax },
    vertexAttribute(mesh.featureIds, 'SCALAR'),
  ]
}

function primitive(featureCount: number): object {
  return {
    attributes: { POSITION: 1, _FEATURE_ID_0: 2 },
    indices: 0,
    material: 0,
    mode: TRIANGLES,
    extensions: {
      EXT_mesh_features: { featureIds: [{ featureCount, attribute: 0, propertyTable: 0 }] },
    },
  }
}
