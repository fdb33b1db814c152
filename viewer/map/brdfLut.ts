/**
 * Cesium's physically based lighting reads a BRDF lookup table that the scene renders on the GPU when the first
 * model is updated — for the viewer, when the first city tile arrives: one 256 × 256 draw with 1024 GGX samples per
 * texel. A GPU does that in milliseconds; software GL (SwiftShader: headless Chromium, machines without a usable
 * GPU) spent about 1.3 s of both cores on it, and no frame was drawn meanwhile: it was most of the pause before the
 * first tile of the L city's whole-city view (docs/adr/0008). The table depends on nothing in the scene, so it
 * ships precomputed (`viewer/core/brdfLut.ts`, the same integral, written to `brdf-lut.bin` by
 * `scripts/brdf-lut.ts`) and is handed to the scene before its first frame.
 *
 * Cesium has no public setting for this: the table goes into the scene's generator (`_brdfLutGenerator`), which
 * skips its draw when it already holds a texture, and destroys ours with the scene. Should a Cesium release
 * rename these internals, nothing is installed and Cesium renders its own table as before.
 */
import * as Cesium from 'cesium'
import { BRDF_LUT_SIZE } from '../core/brdfLut.ts'
import lutDataUrl from './brdf-lut.bin?inline'

/** The renderer classes Cesium exports without typings (they are marked private). */
interface RendererInternals {
  Texture?: new (options: {
    context: unknown
    source: { width: number; height: number; arrayBufferView: Uint8Array }
    sampler: unknown
    flipY: boolean
  }) => unknown
  Sampler?: { NEAREST: unknown }
}

interface SceneInternals {
  context?: unknown
  _brdfLutGenerator?: { _colorTexture?: unknown }
}

/** The shipped table, RG bytes, as the RGBA texels of Cesium's own (B 0, A 255). */
function lutTexels(): Uint8Array {
  const rg = Uint8Array.from(atob(lutDataUrl.slice(lutDataUrl.indexOf(',') + 1)), (c) => c.charCodeAt(0))
  const texels = BRDF_LUT_SIZE * BRDF_LUT_SIZE
  if (rg.length !== 2 * texels) throw new Error(`brdf-lut.bin holds ${rg.length} bytes, not ${2 * texels}`)
  const rgba = new Uint8Array(4 * texels)
  for (let i = 0; i < texels; i++) {
    rgba[4 * i] = rg[2 * i]!
    rgba[4 * i + 1] = rg[2 * i + 1]!
    rgba[4 * i + 3] = 255
  }
  return rgba
}

/** Gives the scene the precomputed table; false when it already has one or Cesium's internals are not as known. */
export function usePrecomputedBrdfLut(scene: Cesium.Scene): boolean {
  const { Texture, Sampler } = Cesium as unknown as RendererInternals
  const internals = scene as unknown as SceneInternals
  const generator = internals._brdfLutGenerator
  if (!Texture || !Sampler?.NEAREST || !internals.context || !generator || !('_colorTexture' in generator)) {
    return false
  }
  if (generator._colorTexture !== undefined) return false
  generator._colorTexture = new Texture({
    context: internals.context,
    source: { width: BRDF_LUT_SIZE, height: BRDF_LUT_SIZE, arrayBufferView: lutTexels() },
    // As Cesium's: read texel by texel, rows from the bottom (roughness 0) up.
    sampler: Sampler.NEAREST,
    flipY: false,
  })
  return true
}
