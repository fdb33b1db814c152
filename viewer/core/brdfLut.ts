/**
 * The lookup table of CesiumJS's physically based lighting (the split-sum BRDF term: scale and bias of the
 * Fresnel reflectance, by NdotV and perceptual roughness), computed exactly as Cesium's own generator shader
 * (`BrdfLutGeneratorFS`: 1024 GGX importance samples of a Hammersley sequence per texel) does it on the GPU.
 * `map/brdfLut.ts` hands it to the scene so that no browser has to render it; see there for why.
 */

/** Texels per side: Cesium's generator draws a 256 × 256 table. */
export const BRDF_LUT_SIZE = 256
const SAMPLES = 1024

/** Van der Corput radical inverse in base 2, as the shader computes it (in floats, so also in doubles). */
function radicalInverse(i: number): number {
  let value = 0
  let invBi = 0.5
  for (let n = i; n > 0; n = Math.floor(n / 2)) {
    value += (n % 2) * invBi
    invBi /= 2
  }
  return value
}

/**
 * The table as RG bytes, row by row from roughness (0.5 / 256) up, each row from NdotV (0.5 / 256) up: the texel
 * centres the generator's viewport quad shades. R is the scale of F0 and G the bias, rounded as a GPU stores a
 * float in an 8-bit normalised channel.
 */
export function brdfLutTexels(): Uint8Array {
  const n = BRDF_LUT_SIZE
  const out = new Uint8Array(n * n * 2)
  // The half vectors of one row depend on its roughness only: (x, z) of each sample in the shader's tangent
  // frame around N = +z (its tangent is −y and bitangent +x, so the shader's H is (H.y, −H.x, H.z); only x, z
  // enter the integrals below, V having no y).
  const hx = new Float64Array(SAMPLES)
  const hz = new Float64Array(SAMPLES)
  for (let row = 0; row < n; row++) {
    const roughness = (row + 0.5) / n
    const alpha = roughness * roughness
    const alphaSq = alpha * alpha
    for (let i = 0; i < SAMPLES; i++) {
      const phi = 2 * Math.PI * (i / SAMPLES)
      const xiY = radicalInverse(i)
      const cosTheta = Math.sqrt((1 - xiY) / (1 + (alphaSq - 1) * xiY))
      const sinTheta = Math.sqrt(1 - cosTheta * cosTheta)
      // The shader's H = tangentX·h.x + tangentY·h.y + N·h.z with tangentX = (0, −1, 0), tangentY = (1, 0, 0).
      hx[i] = sinTheta * Math.sin(phi)
      hz[i] = cosTheta
    }
    for (let column = 0; column < n; column++) {
      const nDotV = (column + 0.5) / n
      const vx = Math.sqrt(1 - nDotV * nDotV)
      let a = 0
      let b = 0
      for (let i = 0; i < SAMPLES; i++) {
        const x = hx[i]!
        const z = hz[i]!
        const vDotHRaw = vx * x + nDotV * z
        const lz = 2 * vDotHRaw * z - nDotV
        const nDotL = Math.min(Math.max(lz, 0), 1)
        if (nDotL <= 0) continue
        const nDotH = Math.min(Math.max(z, 0), 1)
        const vDotH = Math.min(Math.max(vDotHRaw, 0), 1)
        const ggxV = nDotL * Math.sqrt(nDotV * nDotV * (1 - alphaSq) + alphaSq)
        const ggxL = nDotV * Math.sqrt(nDotL * nDotL * (1 - alphaSq) + alphaSq)
        const ggx = ggxV + ggxL
        const g = ggx > 0 ? 0.5 / ggx : 0
        const gVis = (4 * g * vDotH * nDotL) / nDotH
        const fc = (1 - vDotH) ** 5
        a += (1 - fc) * gVis
        b += fc * gVis
      }
      const at = 2 * (row * n + column)
      out[at] = unorm8(a / SAMPLES)
      out[at + 1] = unorm8(b / SAMPLES)
    }
  }
  return out
}

const unorm8 = (x: number) => Math.round(Math.min(Math.max(x, 0), 1) * 255)
