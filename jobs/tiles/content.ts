import { BinLayout, encodeGlb } from './glb.ts'
import type { TileMesh } from './mesh.ts'
import { encodePropertyColumns, METADATA_CLASS, METADATA_SCHEMA } from './metadata.ts'
import type { TileBuilding } from './types.ts'

const FLOAT = 5126
const UNSIGNED_SHORT = 5123
const UNSIGNED_INT = 5125
const ARRAY_BUFFER = 34962
const ELEMENT_ARRAY_BUFFER = 34963
const TRIANGLES = 4

/**
 * Encodes one tile as GLB: a single indexed triangle primitive with POSITION, NORMAL and
 * `_FEATURE_ID_0`, an EXT_mesh_features feature-ID set pointing at row `featureId` of an
 * EXT_structural_metadata property table whose rows are `rows` in order.
 */
export function encodeTileGlb(mesh: TileMesh, rows: readonly TileBuilding[]): Buffer {
  const bin = new BinLayout()
  const bufferViews: object[] = []
  const view = (data: ArrayBufferView, target?: number): number => {
    const byteOffset = bin.add(data)
    bufferViews.push({ buffer: 0, byteOffset, byteLength: data.byteLength, ...(target ? { target } : {}) })
    return bufferViews.length - 1
  }

  // 16-bit indices halve index size when they suffice; 65535 is reserved for primitive restart.
  const shortIndices = mesh.vertexCount <= 65535
  const indexData = shortIndices ? new Uint16Array(mesh.indices) : mesh.indices
  const accessors = [
    {
      bufferView: view(indexData, ELEMENT_ARRAY_BUFFER),
      componentType: shortIndices ? UNSIGNED_SHORT : UNSIGNED_INT,
      count: mesh.indices.length,
      type: 'SCALAR',
    },
    {
      bufferView: view(mesh.positions, ARRAY_BUFFER),
      componentType: FLOAT,
      count: mesh.vertexCount,
      type: 'VEC3',
      min: mesh.positionMin,
      max: mesh.positionMax,
    },
    {
      bufferView: view(mesh.normals, ARRAY_BUFFER),
      componentType: FLOAT,
      count: mesh.vertexCount,
      type: 'VEC3',
    },
    {
      bufferView: view(mesh.featureIds, ARRAY_BUFFER),
      componentType: FLOAT,
      count: mesh.vertexCount,
      type: 'SCALAR',
    },
  ]

  const cols = encodePropertyColumns(rows)
  const properties: Record<string, { values: number }> = {}
  for (const [name, values] of Object.entries(cols)) properties[name] = { values: view(values) }

  const json = {
    asset: { version: '2.0', generator: 'CityCheck jobs/tiles' },
    extensionsUsed: ['EXT_mesh_features', 'EXT_structural_metadata'],
    extensions: {
      EXT_structural_metadata: {
        schema: METADATA_SCHEMA,
        propertyTables: [{ name: 'buildings', class: METADATA_CLASS, count: rows.length, properties }],
      },
    },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0 }],
    meshes: [
      {
        primitives: [
          {
            attributes: { POSITION: 1, NORMAL: 2, _FEATURE_ID_0: 3 },
            indices: 0,
            material: 0,
            mode: TRIANGLES,
            extensions: {
              EXT_mesh_features: {
                featureIds: [{ featureCount: rows.length, attribute: 0, propertyTable: 0 }],
              },
            },
          },
        ],
      },
    ],
    materials: [
      {
        name: 'building',
        pbrMetallicRoughness: {
          baseColorFactor: [0.92, 0.91, 0.88, 1],
          metallicFactor: 0,
          roughnessFactor: 0.9,
        },
      },
    ],
    accessors,
    bufferViews,
    buffers: [{ byteLength: bin.byteLength }],
  }
  return encodeGlb(json, bin)
}
